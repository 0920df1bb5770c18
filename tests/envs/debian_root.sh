#!/usr/bin/env bash
# Makes DIR a fresh Debian 12 (bookworm) root, as debootstrap makes it (minbase), with apt
# pointed at the mirror the host's apt uses. The packages debootstrap fetched are kept in
# CACHE (a tarball), so the next fresh root is made without fetching them again.
# Usage: debian_root.sh DIR CACHE_DIR        (root; needs debootstrap: apt-get install debootstrap)
set -euo pipefail
dir=$1
cache=$(realpath -m "$2")  # debootstrap takes absolute tarball paths only
[[ $(id -u) -eq 0 ]] || { echo "debian_root: needs root (debootstrap, chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "debian_root: needs debootstrap (apt-get install debootstrap)" >&2; exit 1; }
# The host's Debian mirror, from its apt sources (deb822 or one-line).
mirror=$(grep -rhoE 'https?://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
         head -1 | tr -d ' ' || true)
mirror=${mirror:-http://deb.debian.org/debian}
mkdir -p "$cache"
tarball=$cache/bookworm-minbase.tar
rm -rf "$dir"
mkdir -p "$dir"
if [[ ! -s $tarball ]]; then
  debootstrap --variant=minbase --make-tarball="$tarball.part" bookworm "$dir" "$mirror" >&2
  mv "$tarball.part" "$tarball"
fi
debootstrap --variant=minbase --unpack-tarball="$tarball" bookworm "$dir" "$mirror" >&2
cat > "$dir/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian*}/debian-security bookworm-security main
SOURCES
echo "debian_root: $dir is a fresh Debian 12 root (mirror $mirror)" >&2
