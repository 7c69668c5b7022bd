#!/usr/bin/env bash
# Build hubgen and run its unit tests with the oldest Go that go.mod's go line allows, so that the
# floor cannot creep up unnoticed: code that needs a newer Go fails to compile here, and a go.mod
# raised past the floor makes the go command refuse to run with this toolchain. Debian 13 ships
# Go 1.24, which is why the floor is there.
#
# The toolchain is fetched through the module proxy (GOTOOLCHAIN). HUBGEN_GO_FLOOR names it: the
# newest patch release of the floor's minor version, which is what a supported Go 1.24 is.
# The end-to-end and package tests are left out (they test nginx, JupyterHub and dpkg, not Go);
# go vet still compiles them.
set -euo pipefail
cd "$(dirname "$0")/.."

toolchain=${HUBGEN_GO_FLOOR:-go1.24.13}
floor=$(GOTOOLCHAIN=local go mod edit -json | sed -n 's/^\t"Go": "\(.*\)",\{0,1\}$/\1/p')
IFS=. read -r major minor _ <<<"$floor"
if [[ ${toolchain#go} != "$major.$minor".* ]]; then
  echo "go-floor.sh: go.mod says go $floor but the floor toolchain is $toolchain: set HUBGEN_GO_FLOOR (and this script's default) to the newest go$major.$minor.x" >&2
  exit 1
fi

export GOTOOLCHAIN=$toolchain
go version
go vet ./...
mapfile -t packages < <(go list ./... | grep -v -e '/e2e$' -e '/packaging$' -e '/z2jh$')
go test -count=1 "${packages[@]}"
