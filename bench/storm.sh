#!/usr/bin/env bash
# bench/storm.sh plays a class start: STUDENTS simulated students (real PAM accounts, made and
# removed by the test) log in through the rendered nginx within 3 s, start their server
# (LocalProcessSpawner), open a kernel websocket and run print(6*7). It runs e2e's
# TestClassStormBench as root, on loopback only, and prints one line per run: students in, time
# to the last one, error pages, nginx 5xx, GET /hub/api latency, peak memory and CPU.
#
#	sudo bash bench/storm.sh                  # 200 students, this tree's config
#	sudo BENCH_BEFORE=main bash bench/storm.sh  # also the config rendered by main's hubgen, first
#
# Environment: BENCH_STUDENTS (default 200), BENCH_STACK (debian12 or debian13, default debian12),
# BENCH_BEFORE (a git revision whose hubgen renders the "before" run).
#
# Each student holds about 150 MB (server and kernel): the machine needs BENCH_STUDENTS x 150 MB
# free, or the kernel's OOM killer ends the benchmark, and whatever else runs there.
set -euo pipefail

cd "$(dirname "$0")/.."
students=${BENCH_STUDENTS:-200}
stack=${BENCH_STACK:-debian12}
say() { printf '%s\n' "$*" >&2; }

[ "$(id -u)" -eq 0 ] || { say "bench/storm.sh: run as root (it makes PAM accounts and runs the hub)"; exit 2; }
command -v go >/dev/null || { say "bench/storm.sh: go is not on PATH"; exit 2; }
need_kib=$((students * 150 * 1024))
avail_kib=$(awk '/^MemAvailable:/ { print $2 }' /proc/meminfo)
if [ "$avail_kib" -lt "$need_kib" ]; then
	say "bench/storm.sh: $students students need about $((need_kib / 1024 / 1024)) GiB and $((avail_kib / 1024 / 1024)) GiB is available; set BENCH_STUDENTS lower"
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run LABEL [HUBGEN] runs the storm once, rendering with HUBGEN when given.
run() {
	local label=$1 render=${2:-}
	say "bench/storm.sh: $label: $students students on $stack (load $(cut -d' ' -f1-3 /proc/loadavg))"
	HUBGEN_E2E=require HUBGEN_STORM_STUDENTS=$students HUBGEN_STORM_STACK=$stack HUBGEN_STORM_HUBGEN=$render \
		go test -count=1 -timeout 30m -run "^TestClassStormBench$" ./e2e/ -v >"$tmp/$label.log" 2>&1 || true
	if ! grep -h '^STORM ' "$tmp/$label.log" | sed "s/^STORM /$label: /"; then
		say "bench/storm.sh: $label: no report; the end of the test's output:"
		tail -n 40 "$tmp/$label.log" >&2
	fi
}

echo "$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(free -g | awk '/^Mem:/ { print $2 }') GiB; load average (1, 5, 15 min) at the start: $(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${BENCH_BEFORE:-}" ]; then
	mkdir -p "$tmp/before"
	git archive "$BENCH_BEFORE" | tar -x -C "$tmp/before"
	(cd "$tmp/before" && go build -o "$tmp/hubgen-before" ./cmd/hubgen)
	run "before ($BENCH_BEFORE)" "$tmp/hubgen-before"
fi
run after
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "Physical floor: CPU of the servers and kernels / $(nproc) cores (the figure per student, times the students, over the cores)."
