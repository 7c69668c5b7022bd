#!/usr/bin/env bash
# Build a release of hubgen into dist/ (or $HUBGEN_DIST):
#
#   hubgen_VERSION_linux_amd64, hubgen_VERSION_linux_arm64   static binaries
#   hubgen_DEBVERSION_amd64.deb, hubgen_DEBVERSION_arm64.deb  Debian packages
#   SHA256SUMS                                                 of all four
#
# Usage: scripts/release.sh [TAG]
#
# TAG (v1.2.3, v1.2.3-rc1) is stamped into the binaries (`hubgen version` prints it). Without it,
# the tag on HEAD is used; without one, the pseudo-version the go command would give this commit
# (v1.2.4-0.20261123153000-0123456789ab after v1.2.3, v0.0.0-... when no tag is reachable, as in
# a shallow CI clone), so that `hubgen version` reads the same as after `go install ...@COMMIT`.
#
# Reproducible: the same commit, TAG and Go toolchain give the same bytes. Every timestamp is
# SOURCE_DATE_EPOCH, by default the commit's time.
#
# The packages are built with Debian's own dpkg-deb rather than a Go packager (nfpm, goreleaser):
# it is the reference implementation of the format, is already on every Debian machine that will
# install the result, and adds no dependency to go.mod. lintian, which the package test runs, is
# Debian's own checker for the same reason.
set -euo pipefail
cd "$(dirname "$0")/.."

die() {
  echo "release.sh: $*" >&2
  exit 1
}

for tool in go dpkg-deb gzip sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || die "$tool is needed (apt-get install golang-go dpkg gzip coreutils)"
done

in_git=false
git rev-parse --is-inside-work-tree >/dev/null 2>&1 && in_git=true

# pseudo_version prints the go command's pseudo-version of HEAD (golang.org/ref/mod#pseudo-versions).
pseudo_version() {
  local stamp hash base
  stamp=$(TZ=UTC git log -1 --format=%cd --date=format-local:%Y%m%d%H%M%S HEAD)
  hash=$(git rev-parse --short=12 HEAD)
  # The highest version tag HEAD descends from, pre-releases ordered before their release.
  base=$(git -c versionsort.suffix=- tag --merged HEAD --list 'v[0-9]*.[0-9]*.[0-9]*' --sort=-v:refname | awk 'NR == 1')
  if [[ -n $base ]]; then
    if [[ $base == *-* ]]; then
      echo "$base.0.$stamp-$hash"
    else
      local major_minor=${base%.*} patch=${base##*.}
      patch=${patch%%+*}
      echo "$major_minor.$((patch + 1))-0.$stamp-$hash"
    fi
  else
    echo "v0.0.0-$stamp-$hash"
  fi
}

tag=${1:-}
if [[ -z $tag ]]; then
  $in_git || die "not in a git work tree: give the TAG (and set SOURCE_DATE_EPOCH)"
  tag=$(git describe --tags --exact-match --match 'v[0-9]*' HEAD 2>/dev/null) || tag=$(pseudo_version)
fi
semver='^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$'
[[ $tag =~ $semver ]] || die "$tag is not a semantic version tag like v1.2.3 or v1.2.3-rc1"

if $in_git; then
  # A tag that exists must be what is built: a release of v1.2.3 from another commit would lie.
  if tagged=$(git rev-parse -q --verify "refs/tags/$tag^{commit}" 2>/dev/null) && [[ $tagged != "$(git rev-parse HEAD)" ]]; then
    die "tag $tag is commit $tagged, but HEAD is $(git rev-parse HEAD): check out $tag first"
  fi
  if [[ -n $(git status --porcelain --untracked-files=no) ]]; then
    echo "release.sh: warning: uncommitted changes; this build is not the commit's" >&2
  fi
  : "${SOURCE_DATE_EPOCH:=$(git log -1 --format=%ct HEAD)}"
fi
[[ ${SOURCE_DATE_EPOCH:-} =~ ^[0-9]+$ ]] || die "set SOURCE_DATE_EPOCH (seconds since 1970) outside a git work tree"
export SOURCE_DATE_EPOCH

version=${tag#v}
# Debian orders 1.2.3-rc1 after 1.2.3 (it reads "-rc1" as a Debian revision); 1.2.3~rc1 sorts
# before, as the pre-release should. The package is native (built from hubgen's own tree), so its
# version has no Debian revision and thus no "-".
debversion=${version/-/\~}
debversion=${debversion//-/.}

dist=${HUBGEN_DIST:-dist}
mkdir -p "$dist"
rm -f "$dist"/hubgen_* "$dist"/SHA256SUMS
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 022

# The environment must not change the bytes: no cgo, the baseline CPU levels, no VCS stamp (it
# would record a dirty work tree; the tag is stamped instead), paths trimmed.
export CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOAMD64=v1 GOARM64=v8.0
echo "release.sh: $tag ($(go version)), SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH" >&2
arches=(amd64 arm64)
for arch in "${arches[@]}"; do
  GOOS=linux GOARCH=$arch go build -trimpath -ldflags "-s -w -X main.version=$tag" \
    -o "$dist/hubgen_${version}_linux_$arch" ./cmd/hubgen
done

# The man page, the completion and the schema come from a binary that runs here.
host_bin=$dist/hubgen_${version}_linux_$(go env GOHOSTARCH)
if [[ $(go env GOHOSTOS) != linux || ! -f $host_bin ]]; then
  host_bin=$work/hubgen
  env -u GOOS -u GOARCH go build -trimpath -ldflags "-X main.version=$tag" -o "$host_bin" ./cmd/hubgen
fi
date=$(date -u -d "@$SOURCE_DATE_EPOCH" +%Y-%m-%d)
env -u GOOS -u GOARCH go run ./packaging/helpdoc -hubgen "$host_bin" -version "$tag" -date "$date" \
  -man "$work/hubgen.1" -completion "$work/hubgen.bash"
"$host_bin" schema >"$work/site.schema.json"
[[ $(head -c1 "$work/site.schema.json") == '{' ]] || die "hubgen schema did not print a JSON object"

maintainer=${HUBGEN_MAINTAINER:-hubgen maintainers <maintainers@users.noreply.h-seed-38dfb8b3.example>}

# license_of prints the SPDX identifier of a licence text, or fails: a dependency under a licence
# not seen before must be looked at before it is shipped.
license_of() {
  if grep -q 'Permission is hereby granted, free of charge' "$1"; then
    echo MIT
  elif grep -q 'Apache License' "$1" && grep -q 'Version 2.0' "$1"; then
    echo Apache-2.0
  elif grep -q 'Redistribution and use in source and binary forms' "$1"; then
    if grep -q 'Neither the name' "$1" || grep -qi 'names of its' "$1"; then echo BSD-3-Clause; else echo BSD-2-Clause; fi
  else
    die "cannot tell the licence of $1"
  fi
}

# license_field prints "License: ID" and the licence text FILE as a DEP-5 field continues: each
# line indented by one space, an empty line as " .". Debian policy 12.5 wants a licence that is in
# /usr/share/common-licenses (of these, Apache-2.0) referred to, not copied.
license_field() {
  local id
  id=$(license_of "$1")
  echo "License: $id"
  if [[ -f /usr/share/common-licenses/$id ]]; then
    printf ' On Debian systems, the complete text of the license is in\n /usr/share/common-licenses/%s.\n' "$id"
  else
    sed -e 's/[[:space:]]*$//' -e 's/^$/./' -e 's/^/ /' "$1"
  fi
}

# copyright writes debian/copyright (DEP-5) for a binary: hubgen itself, then every Go module and
# the Go standard library linked into it, each with its own licence text, as their licences ask
# of whoever distributes a binary. The Files patterns name each module's import path: hubgen
# does not vendor, and the paragraphs say what the binary holds.
copyright() {
  local bin=$1
  cat <<EOF
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: hubgen
Source: https://github.com/hubgen/hubgen

EOF
  # hubgen is BSD-3-Clause (LICENSE), as JupyterHub and its tools are; a package without the
  # grant could not be deployed, so a release without LICENSE fails.
  [[ -f LICENSE ]] || die "no LICENSE file at the repository's root"
  [[ $(license_of LICENSE) == BSD-3-Clause ]] || die "LICENSE is not the BSD-3-Clause text"
  printf 'Files: *\nCopyright: the hubgen authors\n'
  license_field LICENSE
  local mods mod ver dir name file
  mods=$(go version -m "$bin" | awk '$1 == "dep" { print $2, $3 }')
  [[ -n $mods ]] || die "go version -m $bin lists no modules"
  while read -r mod ver; do
    dir=$(go mod download -json "$mod@$ver" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')
    file=
    for name in LICENSE LICENSE.txt LICENSE.md LICENCE COPYING; do
      [[ -f $dir/$name ]] && file=$dir/$name && break
    done
    [[ -n $file ]] || die "$mod@$ver has no licence file"
    printf '\nFiles: %s/*\nCopyright: the authors of %s\nComment: Go module %s %s, linked into /usr/bin/hubgen\n' \
      "$mod" "$mod" "$mod" "$ver"
    license_field "$file"
  done <<<"$mods"
  printf '\nFiles: go/*\nCopyright: the Go authors\nComment: the Go standard library and runtime (%s), linked into /usr/bin/hubgen\n' \
    "$(go env GOVERSION)"
  license_field "$(go env GOROOT)/LICENSE"
}

for arch in "${arches[@]}"; do
  root=$work/root-$arch
  bin=$dist/hubgen_${version}_linux_$arch
  doc=$root/usr/share/doc/hubgen
  install -d "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/man/man1" "$root/usr/share/hubgen" \
    "$root/usr/share/bash-completion/completions" "$root/usr/share/lintian/overrides" "$doc"
  install -m 0755 "$bin" "$root/usr/bin/hubgen"
  gzip -9n <"$work/hubgen.1" >"$root/usr/share/man/man1/hubgen.1.gz"
  install -m 0644 "$work/hubgen.bash" "$root/usr/share/bash-completion/completions/hubgen"
  install -m 0644 "$work/site.schema.json" "$root/usr/share/hubgen/site.schema.json"
  cp -R examples "$doc/examples"
  # The whole guide, as Debian policy 12.3 wants a large file in /usr/share/doc: gzip -9.
  gzip -9n <README.md >"$doc/README.md.gz"
  copyright "$bin" >"$doc/copyright"
  # A native package's changelog is changelog.gz (lintian: wrong-name-for-changelog-of-native-package).
  {
    printf 'hubgen (%s) unstable; urgency=medium\n\n' "$debversion"
    printf '  * Release %s.\n\n' "$tag"
    printf ' -- %s  %s\n' "$maintainer" "$(date -u -R -d "@$SOURCE_DATE_EPOCH")"
  } | gzip -9n >"$doc/changelog.gz"
  # Go links statically by design; lintian exempts Go binaries only when it sees the source
  # package's Build-Depends on golang-go, which a package built by dpkg-deb alone does not have.
  printf '# Go binaries are static by design (CGO_ENABLED=0): nothing to link against.\nhubgen: statically-linked-binary [usr/bin/hubgen]\n' \
    >"$root/usr/share/lintian/overrides/hubgen"

  find "$root" -path "$root/DEBIAN" -prune -o -type f -exec chmod 0644 {} + -o -type d -exec chmod 0755 {} +
  chmod 0755 "$root/usr/bin/hubgen" "$root/DEBIAN"
  # dpkg-gencontrol's rule: a KiB, rounded up, per file, and one per directory.
  size=$(find "$root" -path "$root/DEBIAN" -prune -o \( -type f -printf '%s\n' \) -o \( -type d -printf '1024\n' \) |
    awk '{ kib += int(($1 + 1023) / 1024) } END { print kib }')
  cat >"$root/DEBIAN/control" <<EOF
Package: hubgen
Version: $debversion
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $size
Suggests: nginx, jupyterhub
Section: admin
Priority: optional
Homepage: https://github.com/hubgen/hubgen
Description: JupyterHub-behind-nginx configuration from one site.toml
 hubgen writes the complete nginx.conf, jupyterhub_config.py and systemd unit
 of a course's JupyterHub behind nginx from one short, declarative site.toml.
 The site file is validated against a schema (every problem reported at once,
 with its line and column), every value is quoted for the language it lands
 in, and the files are written all-or-nothing.
 .
 It also creates the hub's secret files, checks a server before the hub
 starts, and compares committed configurations with their site files in CI.
EOF
  (cd "$root" && find usr -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
  chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"
  find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
  dpkg-deb --root-owner-group -Zxz --build "$root" "$dist/hubgen_${debversion}_$arch.deb" >/dev/null
done

touch -d "@$SOURCE_DATE_EPOCH" "$dist"/hubgen_*
(cd "$dist" && LC_ALL=C sha256sum hubgen_* >SHA256SUMS)
echo "release.sh: $tag in $dist:" >&2
(cd "$dist" && ls -l hubgen_* SHA256SUMS) >&2
