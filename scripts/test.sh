#!/usr/bin/env bash
# The whole test suite, as the README gives it: vet, every Go test (unit, golden, CLI, and the
# end-to-end tests on the real nginx and JupyterHub), then each fuzz target for a bounded time.
#
# Run as root on Debian and it installs what the real-program tests need when it is missing.
# Elsewhere those tests skip with a message, unless HUBGEN_E2E=require, which makes them fail.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || packages+=(nginx-light)
[ -x /usr/bin/jupyterhub ] || packages+=(jupyterhub)
command -v openssl >/dev/null 2>&1 || packages+=(openssl)
[ -x /usr/bin/certbot ] || packages+=(certbot) # e2e: the certificate test issues and renews with Debian's certbot
/usr/bin/python3 -c 'import yaml' >/dev/null 2>&1 || packages+=(python3-yaml) # z2jh/ and render/: Debian's python3 reads YAML
if [ ${#packages[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test.sh: installing ${packages[*]}" >&2
    apt-get update
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}"
  else
    echo "test.sh: ${packages[*]} missing and not root with apt-get: the real-program tests will skip" >&2
  fi
fi

go vet ./...
# The end-to-end packages run both Debian stacks and take minutes on a busy machine. testreport
# prints what plain `go test` would and keeps, for the end of this script, every skipped test and
# why (a third-party package missing from the cache skips even under HUBGEN_E2E=require).
summary=$(mktemp)
trap 'rm -f "$summary" "$summary.report"' EXIT
go build -o "$summary.report" ./internal/testreport
status=0
go test -count=1 -timeout 30m -json ./... | "$summary.report" -summary "$summary" || status=$?
if [ "$status" != 0 ]; then
  cat "$summary"
  exit "$status"
fi

# Fuzz targets, bounded (HUBGEN_FUZZTIME=0 skips them; the seed corpora already ran above).
fuzztime=${HUBGEN_FUZZTIME:-20s}
if [ "$fuzztime" != 0 ]; then
  # `go test -list` prints each package's fuzz targets, then "ok <package>".
  go test -list '^Fuzz' ./... | awk '/^Fuzz/ { names = names " " $1 } /^ok/ { if (names != "") print $2 names; names = "" }' |
    while read -r pkg targets; do
      for target in $targets; do
        go test -run='^$' -fuzz="^${target}\$" -fuzztime="$fuzztime" "$pkg"
      done
    done
fi

cat "$summary"
