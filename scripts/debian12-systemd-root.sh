#!/usr/bin/env bash
# Build (or reuse) the Debian 12 "bookworm" root that the end-to-end tests boot with systemd under
# systemd-nspawn, so the rendered systemd unit and SystemdSpawner run under a real systemd as PID 1
# on a machine (a CI runner, a container) whose own PID 1 is not systemd.
#
#   scripts/debian12-systemd-root.sh            # build when missing or when the package set changed
#   HUBGEN_DEBIAN12_SYSTEMD_ROOT=/some/dir scripts/debian12-systemd-root.sh
#
# The root lives at ${HUBGEN_DEBIAN12_SYSTEMD_ROOT:-/var/cache/hubgen/bookworm-systemd-root}. As in
# scripts/debian13-root.sh, it is built in a temporary directory beside it and renamed into place
# only when complete, and a stamp file inside it lists the package set (a different list
# rebuilds). The tests boot it with --volatile=overlay, so it stays as built. Needs root,
# debootstrap and systemd-container (installed here with apt-get when missing).
set -euo pipefail

root=${HUBGEN_DEBIAN12_SYSTEMD_ROOT:-/var/cache/hubgen/bookworm-systemd-root}
mirror=${HUBGEN_DEBIAN_MIRROR:-http://deb.debian.org/debian}
stamp_name=.hubgen-root-stamp

# What the tests run inside, under the container's systemd: nginx, the hub (Debian 12's
# jupyterhub brings the classic notebook for the users' servers), passwd/login for useradd and
# chpasswd (PAM users), procps, and what jupyterhub-idle-culler imports (it and SystemdSpawner
# come from the third-party cache at test time: ../shared/THIRD-PARTY.md).
packages=(
  nginx-light jupyterhub openssl ca-certificates
  passwd login procps
  python3-dateutil python3-packaging python3-tornado python3-traitlets
)
# The packages' own units are disabled: the tests start nginx and the rendered jupyterhub.service
# themselves, as a server's administrator does after `hubgen render -o /etc`.
disabled_units=(nginx.service jupyterhub.service)
stamp="bookworm minbase systemd ${mirror} ${packages[*]} disabled: ${disabled_units[*]}"

if [ -f "$root/$stamp_name" ] && [ "$(cat "$root/$stamp_name")" = "$stamp" ]; then
  echo "debian12-systemd-root: $root is up to date" >&2
  exit 0
fi

if [ "$(id -u)" != 0 ]; then
  echo "debian12-systemd-root: must run as root (debootstrap and chroot need it)" >&2
  exit 1
fi
if ! command -v debootstrap >/dev/null 2>&1 || ! command -v systemd-nspawn >/dev/null 2>&1; then
  echo "debian12-systemd-root: installing debootstrap and systemd-container" >&2
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends debootstrap systemd-container
fi

parent=$(dirname "$root")
mkdir -p "$parent"
build=$(mktemp -d "$parent/.bookworm-systemd-build.XXXXXX")
# mktemp makes it 0700; as the container's / it must let nginx's www-data workers through.
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
echo "debian12-systemd-root: debootstrap into $build" >&2
# systemd-sysv makes systemd the root's /sbin/init; dbus is what systemctl and systemd-run (which
# SystemdSpawner calls) talk to the manager through.
debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus bookworm "$build" "$mirror"

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
rm -f "$build/usr/sbin/policy-rc.d"
# The booted container is a machine of its own: no getty on a console nobody reads.
chroot "$build" systemctl mask console-getty.service getty@tty1.service >/dev/null 2>&1 || true

for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
  umount "${mounted[$i]}" || umount -l "${mounted[$i]}"
done
mounted=()

printf '%s' "$stamp" >"$build/$stamp_name"
if [ -e "$root" ]; then
  # A container a killed test run left booted holds the old root: say so instead of deleting
  # under it.
  if awk -v r="$root" '$2 == r || index($2, r "/") == 1 { found = 1 } END { exit !found }' /proc/mounts; then
    echo "debian12-systemd-root: something is mounted under $root (a container still running?); stop it first" >&2
    exit 1
  fi
  old=$(mktemp -d "$parent/.bookworm-systemd-old.XXXXXX")
  mv "$root" "$old/root"
  mv "$build" "$root"
  rm -rf --one-file-system "$old"
else
  mv "$build" "$root"
fi
build=
echo "debian12-systemd-root: built $root in $(($(date +%s) - started))s" >&2
