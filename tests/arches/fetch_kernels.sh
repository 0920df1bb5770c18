#!/usr/bin/env bash
# Fetches Debian 12's own kernels for the kernel oracle (tests/arches) into DIR/kernels/ARCH/:
# each meta package's current image, downloaded with apt through a private state and config
# under DIR/apt (the host's dpkg gets no foreign architecture), only its boot image kept.
# Kernels already there are kept. Exits 0 even when it cannot fetch (no network): the tests
# then skip and say which kernel is missing.
#   fetch_kernels.sh DIR DEBARCH:META_PACKAGE...
set -uo pipefail
dir=$(realpath -m "$1")
shift
mkdir -p "$dir/kernels"
wanted=()
for spec in "$@"; do
  arch=${spec%%:*}
  [[ -s $dir/kernels/$arch/kernel ]] || wanted+=("$spec")
done
((${#wanted[@]})) || { echo "kernels: all ${#@} present in $dir/kernels"; exit 0; }
command -v apt-get >/dev/null || { echo "kernels: no apt-get; the kernel tests will skip"; exit 0; }

apt=$dir/apt
mkdir -p "$apt"/{etc/sources.list.d,etc/preferences.d,etc/apt.conf.d,lists/partial,cache/partial,debs}
touch "$apt/status"
arches=$(printf '%s\n' "${wanted[@]}" | cut -d: -f1 | paste -sd,)
keyring=/usr/share/keyrings/debian-archive-keyring.gpg
{
  echo "deb [arch=$arches signed-by=$keyring] http://deb.debian.org/debian bookworm main"
  echo "deb [arch=$arches signed-by=$keyring] http://deb.debian.org/debian-security bookworm-security main"
} >"$apt/etc/sources.list"
opts=(-o "Dir::State::Lists=$apt/lists" -o "Dir::State::status=$apt/status"
      -o "Dir::Cache=$apt/cache" -o "Dir::Cache::archives=$apt/cache"
      -o "Dir::Etc::SourceList=$apt/etc/sources.list" -o "Dir::Etc::SourceParts=$apt/etc/sources.list.d"
      -o "Dir::Etc::Preferences=$apt/etc/preferences" -o "Dir::Etc::PreferencesParts=$apt/etc/preferences.d"
      -o "Dir::Etc::Parts=$apt/etc/apt.conf.d" -o Acquire::Languages=none -o APT::Sandbox::User=root
      -o Acquire::http::Timeout=30 -o Acquire::Retries=2
      -o "APT::Architecture=${arches%%,*}")
for a in ${arches//,/ }; do opts+=(-o "APT::Architectures::=$a"); done

echo "kernels: reading Debian 12's package lists for $arches"
# A list that fails (a mirror in the middle of a sync) leaves the others: the kernels found in
# them are fetched, the others skip.
apt-get -q "${opts[@]}" update >"$apt/update.log" 2>&1 ||
  apt-get -q "${opts[@]}" update >>"$apt/update.log" 2>&1 ||
  echo "kernels: some package lists failed (see $apt/update.log)"
# Each meta package depends on the current image (linux-image-6.1.0-NN-FLAVOUR); one apt call
# for all, since each loads every list.
metas=()
for spec in "${wanted[@]}"; do metas+=("${spec#*:}:${spec%%:*}"); done
# (apt names packages of its native architecture, the first, without the suffix.)
images=$(apt-cache "${opts[@]}" depends "${metas[@]}" 2>/dev/null |
  awk -v native="${arches%%,*}" '/^[a-z]/ {meta = index($1, ":") ? $1 : $1 ":" native}
    /Depends: linux-image-/ && !(meta in seen) {seen[meta]; split($2, p, ":"); print meta, p[1]}')
pkgs=()
for spec in "${wanted[@]}"; do
  arch=${spec%%:*}
  pkg=$(awk -v m="${spec#*:}:$arch" '$1 == m {print $2}' <<<"$images")
  if [[ -z $pkg ]]; then
    echo "kernels: no ${spec#*:} for $arch"
  else
    pkgs+=("$pkg:$arch")
  fi
done
rm -f "$apt/debs/"*.deb
((${#pkgs[@]})) && (cd "$apt/debs" && apt-get -q "${opts[@]}" download "${pkgs[@]}" >"$apt/download.log" 2>&1) ||
  echo "kernels: some downloads failed (see $apt/download.log)"
for deb in "$apt/debs/"*.deb; do
  [[ -e $deb ]] || continue
  arch=$(dpkg-deb -f "$deb" Architecture)
  tmp=$(mktemp -d)
  # The image is near the start of the archive: stop reading there (the modules are most of it).
  dpkg-deb --fsys-tarfile "$deb" 2>/dev/null | tar -x -C "$tmp" --wildcards './boot/vmlinu*' --occurrence=1
  image=$(ls "$tmp"/boot/vmlinu* 2>/dev/null | head -n 1)
  if [[ -n $image ]]; then
    mkdir -p "$dir/kernels/$arch"
    mv "$image" "$dir/kernels/$arch/kernel"
    basename "$deb" .deb >"$dir/kernels/$arch/package"
    echo "kernels: $arch: $(cat "$dir/kernels/$arch/package")"
  fi
  rm -rf "$tmp" "$deb"
done
rm -rf "$apt/lists" "$apt/cache"  # 130 MB of package lists, read again only for a missing kernel
exit 0
