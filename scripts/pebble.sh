#!/bin/sh
# Builds Let's Encrypt's Pebble (a small ACME server for tests, not in Debian) and its
# pebble-challtestsrv from the Go module proxy into a cache directory, once per machine, and prints
# the directory holding both binaries. Like Helm (scripts/helm.sh), Pebble stays out of hubgen's
# go.mod: `go install PKG@VERSION` builds in a module of its own.
set -eu
version=v2.10.3
cache=${HUBGEN_PEBBLE_CACHE:-/var/cache/hubgen/pebble}
# A user who cannot write /var/cache builds into their own cache instead.
if [ -z "${HUBGEN_PEBBLE_CACHE:-}" ] && ! mkdir -p "$cache" 2>/dev/null; then
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/hubgen/pebble
fi
dir=$cache/$version
if [ ! -x "$dir/pebble" ] || [ ! -x "$dir/pebble-challtestsrv" ]; then
	mkdir -p "$dir"
	tmp=$(mktemp -d "$dir/.build.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# -modcacherw: the module cache stays removable by `go clean -modcache` and `rm -rf`.
	# GOTOOLCHAIN=auto: should Pebble's go.mod ask for a newer Go than the local one, the go
	# command fetches that toolchain from the module proxy.
	GOBIN=$tmp GOFLAGS=-modcacherw GOTOOLCHAIN=auto CGO_ENABLED=0 go install \
		"github.com/letsencrypt/pebble/v2/cmd/pebble@$version" \
		"github.com/letsencrypt/pebble/v2/cmd/pebble-challtestsrv@$version" >&2
	# Rename into place one by one; a reader only ever sees complete binaries.
	mv "$tmp/pebble-challtestsrv" "$dir/pebble-challtestsrv"
	mv "$tmp/pebble" "$dir/pebble"
fi
echo "$dir"
