#!/usr/bin/env bash
# bench/run.sh times the whole `hubgen render` process against the same nginx.conf and
# jupyterhub_config.py rendered the Jinja2 way (bench/templates/*.j2 with Debian's j2cli), for
# the same generated course at several sizes, and one `hubgen render` of 500 course sites. It
# prints a Markdown table, the ratios and the issue's targets, and keeps the raw numbers in
# bench/out/.
#
#	bash bench/run.sh
#
# Environment: BENCH_USERS (default "30 1000 10000 50000"), BENCH_SITES (default 500).
set -euo pipefail

cd "$(dirname "$0")/.."
sizes=${BENCH_USERS:-30 1000 10000 50000}
nsites=${BENCH_SITES:-500}

say() { printf '%s\n' "$*" >&2; }

# install_tools gets j2cli, hyperfine and GNU time from Debian when they are missing, running
# apt-get update only when the package lists do not know one of them yet.
install_tools() {
	local missing=()
	command -v j2 >/dev/null || missing+=(j2cli)
	command -v hyperfine >/dev/null || missing+=(hyperfine)
	[ -x /usr/bin/time ] || missing+=(time)
	[ ${#missing[@]} -eq 0 ] && return
	if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
		say "bench: missing ${missing[*]}: install them (Debian: apt-get install ${missing[*]}) and run again"
		exit 2
	fi
	export DEBIAN_FRONTEND=noninteractive
	local p
	for p in "${missing[@]}"; do
		if ! apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [0-9]'; then
			say "bench: apt-get update (the package lists do not have $p)"
			apt-get update -qq
			break
		fi
	done
	say "bench: apt-get install ${missing[*]}"
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_tools
command -v go >/dev/null || { say "bench: go is not on PATH"; exit 2; }

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
tmp=$(mktemp -d)
# Outputs go to memory when it can: Write syncs every file and directory it replaces, and on a
# disk shared with other work that measures the disk, not hubgen (the disk row shows it).
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
	out=$(mktemp -d -p /dev/shm hubgen-bench.XXXXXX)
else
	out=$tmp/out
fi
trap 'rm -rf "$tmp" "$out"' EXIT
results=bench/out
mkdir -p "$results"

say "bench: building hubgen and gensite"
go build -o "$tmp/hubgen" ./cmd/hubgen
go build -o "$tmp/gensite" ./bench/cmd/gensite
hubgen=$tmp/hubgen
nginx_j2=$PWD/bench/templates/nginx.conf.j2
py_j2=$PWD/bench/templates/jupyterhub_config.py.j2

# mean_ms CSV prints hyperfine's mean, standard deviation and median in milliseconds.
mean_ms() { awk -F, 'NR == 2 { printf "%.2f %.2f %.2f\n", $2 * 1000, $3 * 1000, $4 * 1000 }' "$1"; }

# peak_kib CMD... runs CMD five times and prints the largest maximum resident set size, in KiB.
peak_kib() {
	local max=0 kib i
	for i in 1 2 3 4 5; do
		kib=$(/usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -n 1)
		[ "$kib" -gt "$max" ] && max=$kib
	done
	echo "$max"
}

# j2pair DIR OUT renders both Jinja2 templates from DIR/course.json into OUT.
j2pair_cmd() {
	echo "j2 -f json $nginx_j2 $1/course.json -o $2/nginx.conf && j2 -f json $py_j2 $1/course.json -o $2/jupyterhub_config.py"
}

declare -A hub_ms hub_sd hub_med j2_ms j2_sd j2_med hub_kib j2_kib same
for n in $sizes; do
	site=$tmp/u$n
	"$tmp/gensite" -users "$n" -o "$site"
	mkdir -p "$out/j2-$n"

	# The comparison means something only if both ways write the same files.
	"$hubgen" render "$site/course.toml" -o "$out/hubgen-$n"
	sh -c "$(j2pair_cmd "$site" "$out/j2-$n")"
	same[$n]=yes
	for f in nginx/nginx.conf jupyterhub/jupyterhub_config.py; do
		if ! cmp -s "$out/hubgen-$n/$f" "$out/j2-$n/$(basename "$f")"; then
			same[$n]=NO
			say "bench: $n users: the Jinja2 $(basename "$f") differs from hubgen's (update bench/templates):"
			diff -u "$out/hubgen-$n/$f" "$out/j2-$n/$(basename "$f")" | head -n 20 >&2 || true
		fi
	done

	say "bench: $n users: hubgen render"
	runs=30
	[ "$n" -ge 10000 ] && runs=15
	hyperfine -N --style none --warmup 5 --min-runs "$runs" --export-csv "$results/hubgen-$n.csv" \
		"$hubgen render $site/course.toml -o $out/hubgen-$n" >/dev/null
	read -r hub_ms[$n] hub_sd[$n] hub_med[$n] < <(mean_ms "$results/hubgen-$n.csv")

	say "bench: $n users: j2 pair"
	hyperfine --style none --warmup 2 --min-runs 10 --export-csv "$results/j2-$n.csv" \
		"$(j2pair_cmd "$site" "$out/j2-$n")" >/dev/null
	read -r j2_ms[$n] j2_sd[$n] j2_med[$n] < <(mean_ms "$results/j2-$n.csv")

	hub_kib[$n]=$(peak_kib "$hubgen" render "$site/course.toml" -o "$out/hubgen-$n")
	j2_kib[$n]=$(peak_kib j2 -f json "$py_j2" "$site/course.json" -o "$out/j2-$n/jupyterhub_config.py")
done

first=${sizes%% *}

say "bench: $first users on disk"
hyperfine -N --style none --warmup 5 --min-runs 30 --export-csv "$results/hubgen-disk.csv" \
	"$hubgen render $tmp/u$first/course.toml -o $tmp/disk" >/dev/null
read -r disk_ms disk_sd disk_med < <(mean_ms "$results/hubgen-disk.csv")
disk_fs=$(df --output=fstype "$tmp" | tail -n 1)

say "bench: $nsites sites in one hubgen render"
"$tmp/gensite" -users 30 -sites "$nsites" -name course -o "$tmp/sites"
site_files=$(echo "$tmp"/sites/*.toml)
hyperfine -N --style none --warmup 2 --min-runs 10 --export-csv "$results/hubgen-sites.csv" \
	"$hubgen render $site_files -o $out/sites" >/dev/null
read -r sites_ms sites_sd sites_med < <(mean_ms "$results/hubgen-sites.csv")
sites_kib=$(peak_kib "$hubgen" render $site_files -o "$out/sites")

{
	echo "hubgen $("$hubgen" version | awk '{print $2}') on $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(go env GOVERSION), $(hyperfine --version), $(j2 --version 2>&1 | head -n1)"
	echo "load average (1, 5, 15 min) at the start: $load_start; at the end: $(cut -d' ' -f1-3 /proc/loadavg); outputs on $(df --output=fstype "$out" | tail -n 1)"
	echo "Times are whole processes (exec to exit), measured by hyperfine; a load above the core count means other work shared the machine."
	echo
	echo "| users | hubgen render: mean ± σ (median) | Jinja2, 2 × j2: mean ± σ (median) | Jinja2 / hubgen, means (medians) | hubgen µs per added user | hubgen peak RSS | j2 peak RSS | same output |"
	echo "|---:|---:|---:|---:|---:|---:|---:|:---:|"
	# The cost of each user added since the previous size: constant when the cost grows linearly.
	prev="" slopes=()
	for n in $sizes; do
		slope="–"
		if [ -n "$prev" ]; then
			slope=$(awk -v a="${hub_ms[$n]}" -v b="${hub_ms[$prev]}" -v n="$n" -v p="$prev" 'BEGIN { printf "%.2f", (a - b) * 1000 / (n - p) }')
			slopes+=("$slope")
		fi
		prev=$n
		awk -v n="$n" -v h="${hub_ms[$n]}" -v hs="${hub_sd[$n]}" -v hm="${hub_med[$n]}" \
			-v j="${j2_ms[$n]}" -v js="${j2_sd[$n]}" -v jm="${j2_med[$n]}" \
			-v s="$slope" -v hk="${hub_kib[$n]}" -v jk="${j2_kib[$n]}" -v same="${same[$n]}" 'BEGIN {
			printf "| %d | %.1f ± %.1f ms (%.1f) | %.0f ± %.0f ms (%.0f) | %.0f× (%.0f×) | %s | %.1f MiB | %.1f MiB | %s |\n",
				n, h, hs, hm, j, js, jm, j / h, jm / hm, s, hk / 1024, jk / 1024, same }'
	done
	echo
	awk -v m="$sites_ms" -v sd="$sites_sd" -v md="$sites_med" -v k="$sites_kib" -v n="$nsites" -v j="${j2_ms[$first]}" 'BEGIN {
		printf "%d sites of 30 users in one hubgen render: %.0f ± %.0f ms (median %.0f), peak RSS %.1f MiB (Jinja2 would take about %.0f s: %d × the 30-user pair)\n",
			n, m, sd, md, k / 1024, n * j / 1000, n }'
	awk -v m="$disk_ms" -v sd="$disk_sd" -v md="$disk_med" -v fs="$disk_fs" -v f="$first" 'BEGIN {
		printf "%d users rendered onto %s (every file and directory synced): %.1f ± %.1f ms (median %.1f)\n", f, fs, m, sd, md }'
	echo
	echo "Targets:"
	check() { if awk "BEGIN { exit !($2) }"; then echo "- PASS $1"; else echo "- FAIL $1"; fi; }
	[ -n "${hub_ms[30]:-}" ] && check "a 30-user course renders in under 10 ms (${hub_ms[30]} ms)" "${hub_ms[30]} < 10"
	[ -n "${hub_ms[1000]:-}" ] && check "1,000 users take at most 1/50 of the Jinja2 time ($(awk -v j="${j2_ms[1000]}" -v h="${hub_ms[1000]}" 'BEGIN { printf "1/%.0f", j / h }'))" "${j2_ms[1000]} / ${hub_ms[1000]} >= 50"
	[ -n "${hub_ms[50000]:-}" ] && check "50,000 users under 0.3 s (${hub_ms[50000]} ms) and 100 MiB ($(awk -v k="${hub_kib[50000]}" 'BEGIN { printf "%.1f", k / 1024 }') MiB)" "${hub_ms[50000]} < 300 && ${hub_kib[50000]} < 100 * 1024"
	check "$nsites sites under 2 s ($sites_ms ms)" "$sites_ms < 2000"
	# Below a few thousand users the added cost is within the noise of process start, so the two
	# largest steps are compared.
	read -ra steps <<<"$sizes"
	if [ ${#slopes[@]} -ge 2 ] && [ "${steps[-3]}" -ge 1000 ]; then
		a=${slopes[-2]} b=${slopes[-1]}
		check "cost grows linearly: an added user costs $a µs from ${steps[-3]} to ${steps[-2]} users and $b µs from there to ${steps[-1]} (want within 1.5× of each other)" "$a > 0 && $b > 0 && $b / $a < 1.5 && $a / $b < 1.5"
	fi
} | tee "$results/results.md"
say "bench: raw hyperfine results and this table are in $results/"
