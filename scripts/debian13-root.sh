#!/usr/bin/env bash
# Build (or reuse) the Debian 13 "trixie" root that the end-to-end tests enter with chroot, so
# one Debian 12 machine without containers proves the rendered files on both tested stacks.
#
#   scripts/debian13-root.sh            # build when missing or when the package set changed
#   HUBGEN_DEBIAN13_ROOT=/some/dir scripts/debian13-root.sh
#
# The root lives at ${HUBGEN_DEBIAN13_ROOT:-/var/cache/hubgen/trixie-root}. It is built in a
# temporary directory beside it and renamed into place only when complete, so a killed build never
# leaves a half root that looks usable. A stamp file inside it lists the package set; a different
# list rebuilds. Needs root and debootstrap (installed here with apt-get when missing).
#
# debootstrap's own --include resolver fails on jupyterhub's dependencies, so this bootstraps a
# minimal root and then runs apt-get inside it.
set -euo pipefail

root=${HUBGEN_DEBIAN13_ROOT:-/var/cache/hubgen/trixie-root}
mirror=${HUBGEN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
stamp_name=.hubgen-root-stamp

# What the tests run inside: nginx, the hub and jupyter_server's single-user server (Debian 13's
# classic notebook 6.4.13 left the kernel websocket silent in a trial), openssl for test
# certificates, passwd/login for useradd and chpasswd (PAM users), and the Python libraries the
# third-party test packages (culler, oauthenticator, ltiauthenticator, from the cache that
# internal/thirdparty finds) import. systemd and dbus: the systemd tests (e2e/machine_test.go) also
# boot this root with systemd-nspawn, and the chroot tests' real SystemdSpawner runs `systemctl
# --version` as soon as the hub makes it.
packages=(
  nginx-light jupyterhub python3-jupyter-server openssl ca-certificates
  passwd login procps systemd dbus
  python3-dateutil python3-packaging python3-tornado python3-traitlets python3-jwt
  python3-ruamel.yaml python3-jsonschema python3-requests
  python3-cryptography python3-oauthlib python3-escapism python3-cachetools
)
# The packages' own units are disabled: booted, the root starts nothing the tests did not ask for
# (nginx would take port 80, Debian's hub port 8000, of the machine whose network it shares).
disabled_units=(nginx.service jupyterhub.service)
stamp="trixie minbase ${mirror} ${packages[*]} disabled: ${disabled_units[*]}"

if [ -f "$root/$stamp_name" ] && [ "$(cat "$root/$stamp_name")" = "$stamp" ]; then
  echo "debian13-root: $root is up to date" >&2
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "debian13-root: must run as root (debootstrap and chroot need it)" >&2
  exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1; then
  echo "debian13-root: installing debootstrap" >&2
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap
fi
# Bookworm's debian-archive-keyring carries trixie's keys; say so plainly when it does not.
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
if [ ! -f /usr/share/keyrings/debian-archive-trixie-stable.gpg ]; then
  echo "debian13-root: this host's debian-archive-keyring has no trixie keys; install a newer debian-archive-keyring" >&2
  exit 1
fi

parent=$(dirname "$root")
mkdir -p "$parent"
build=$(mktemp -d "$parent/.trixie-build.XXXXXX")
# mktemp makes it 0700; as the chroot's / it must let nginx's www-data workers through.
chmod 755 "$build"

mounted=()
cleanup() {
  # Unmount in reverse order, always, even after a failure half way.
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount -l "${mounted[$i]}" 2>/dev/null || true
  done
  mounted=()
  if [ -n "${build:-}" ] && [ -d "$build" ]; then
    rm -rf --one-file-system "$build"
  fi
}
trap cleanup EXIT

started=$(date +%s)
echo "debian13-root: debootstrap into $build" >&2
debootstrap --variant=minbase --keyring="$keyring" trixie "$build" "$mirror"

for fs in proc sys dev dev/pts; do
  mkdir -p "$build/$fs"
  mount --bind "/$fs" "$build/$fs"
  mounted+=("$build/$fs")
done
cp /etc/resolv.conf "$build/etc/resolv.conf"
# Services must not start inside the chroot while packages install (nginx would bind port 80).
printf '#!/bin/sh\nexit 101\n' >"$build/usr/sbin/policy-rc.d"
chmod 755 "$build/usr/sbin/policy-rc.d"

chroot "$build" env DEBIAN_FRONTEND=noninteractive apt-get update
chroot "$build" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${packages[@]}"
chroot "$build" apt-get clean
# systemctl disable works on the files alone, without a running manager.
chroot "$build" systemctl disable "${disabled_units[@]}"

for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
  umount "${mounted[$i]}" || umount -l "${mounted[$i]}"
done
mounted=()

printf '%s' "$stamp" >"$build/$stamp_name"
if [ -e "$root" ]; then
  # A killed test run may have left /proc and friends mounted in the old root: unmount them
  # before anything is deleted, deepest first.
  awk -v r="$root/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" || true
  done
  # An old or partial root: move it aside first so the rename below is one step.
  old=$(mktemp -d "$parent/.trixie-old.XXXXXX")
  mv "$root" "$old/root"
  mv "$build" "$root"
  rm -rf --one-file-system "$old"
else
  mv "$build" "$root"
fi
build=
echo "debian13-root: built $root in $(($(date +%s) - started))s" >&2
