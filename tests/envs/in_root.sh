#!/usr/bin/env bash
# Runs CMD as root in the Debian root DIR (chroot), with /proc, /sys, /dev and /dev/pts mounted in
# a mount namespace of its own: nothing outside changes, and nothing is left mounted after.
# SYSGATE_ROOT_BINDS="PATH..." also shows host directories at the same paths inside.
# Usage: in_root.sh DIR CMD...
set -euo pipefail
dir=$(cd "$1" && pwd)
shift
cp /etc/resolv.conf "$dir/etc/resolv.conf" 2>/dev/null || true
exec unshare --mount --propagation private -- bash -c '
  set -e
  dir=$1; shift
  mount -t proc proc "$dir/proc"
  mount --rbind /sys "$dir/sys"
  mount --rbind /dev "$dir/dev"
  for b in ${SYSGATE_ROOT_BINDS:-}; do mkdir -p "$dir$b" && mount --bind "$b" "$dir$b"; done
  exec chroot "$dir" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
       PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"' in_root "$dir" "$@"
