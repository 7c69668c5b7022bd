#!/bin/sh
# Builds Helm (not in Debian) from the Go module proxy into a cache directory, once per machine,
# and prints the path of the binary. Helm and its Kubernetes libraries stay out of hubgen's
# go.mod: `go install PKG@VERSION` builds in a module of its own.
set -eu
version=v3.22.0
cache=${HUBGEN_HELM_CACHE:-/var/cache/hubgen/helm}
# A user who cannot write /var/cache builds into their own cache instead.
if [ -z "${HUBGEN_HELM_CACHE:-}" ] && ! mkdir -p "$cache" 2>/dev/null; then
	cache=${XDG_CACHE_HOME:-$HOME/.cache}/hubgen/helm
fi
bin=$cache/$version/helm
if [ ! -x "$bin" ]; then
	mkdir -p "$cache/$version"
	tmp=$(mktemp -d "$cache/$version/.build.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# -modcacherw: the module cache stays removable by `go clean -modcache` and `rm -rf`.
	# GOTOOLCHAIN=auto: Helm's go.mod asks for a newer Go (1.26) than hubgen's floor (1.24), and the
	# go command fetches that toolchain from the module proxy when the local one is older.
	GOBIN=$tmp GOFLAGS=-modcacherw GOTOOLCHAIN=auto CGO_ENABLED=0 go install "helm.sh/helm/v3/cmd/helm@$version" >&2
	mv "$tmp/helm" "$bin"
fi
echo "$bin"
