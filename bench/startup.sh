#!/usr/bin/env bash
# bench/startup.sh compares the start-up cost of `hubgen version` with bench/cmd/startfloor, a
# program that only links toml and sprig and builds one template. It counts the instructions
# each process runs (valgrind's callgrind; without valgrind, perf's task-clock), which a busy
# machine does not change as it changes time, and prints the ratio; the target is at most 1.5.
#
#	bash bench/startup.sh
#
# Environment: STARTUP_RUNS (default 30), the runs perf averages.
set -euo pipefail

cd "$(dirname "$0")/.."
runs=${STARTUP_RUNS:-30}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

go build -o "$tmp/hubgen" ./cmd/hubgen
go build -o "$tmp/startfloor" ./bench/cmd/startfloor

# instructions prints the instructions one run of "$@" executes, as valgrind's callgrind counts
# them (Go's asynchronous preemption signals trip callgrind, so they are off; they do not run in
# a process this short anyway), else perf's task-clock in milliseconds over $runs runs.
instructions() {
	if command -v valgrind >/dev/null; then
		GODEBUG=asyncpreemptoff=1 GOMAXPROCS=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null |
			sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
		return
	fi
	perf stat -x, -e task-clock -r "$runs" "$@" 2>&1 >/dev/null | grep task-clock | cut -d, -f1
}

hubgen=$(instructions "$tmp/hubgen" version)
floor=$(instructions "$tmp/startfloor")
printf 'hubgen version: %s\nfloor (toml, sprig, one template): %s\n' "$hubgen" "$floor"
awk -v h="$hubgen" -v f="$floor" 'BEGIN { printf "ratio: %.2f (target: at most 1.50)\n", h / f }'
printf 'nproc %s, load %s\n' "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
