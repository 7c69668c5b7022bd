#!/bin/sh
# Builds Helm (not in Debian) from the Go module proxy into a cache directory, once per machine,
# and prints the path of the binary. Helm and its Kubernetes libraries stay out of hubgen's
# go.mod: `go install PKG@VERSION` builds in a module of its own.
set -eu
version=v3.22.0
cache=${HUBGEN_HELM_CACHE:-/var/cache/hubgen/helm}
bin=$cache/$version/helm
if [ ! -x "$bin" ]; then
	mkdir -p "$cache/$version"
	tmp=$(mktemp -d "$cache/$version/.build.XXXXXX")
	trap 'rm -rf "$tmp"' EXIT
	# -modcacherw: the module cache stays removable by `go clean -modcache` and `rm -rf`.
	GOBIN=$tmp GOFLAGS=-modcacherw CGO_ENABLED=0 go install "helm.sh/helm/v3/cmd/helm@$version" >&2
	mv "$tmp/helm" "$bin"
fi
echo "$bin"
