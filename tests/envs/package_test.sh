#!/usr/bin/env bash
# The Debian package as users get it: installed with apt into a fresh Debian 12 root (its
# dependencies fetched by apt), then used there: `sysgate run -- true`, the man page, the
# profiles as files, and a program built on libsysgate with CMake and with pkg-config
# (tests/install/). Then lintian's verdict on the package: no errors.
# Usage: package_test.sh BUILD_DIR SOURCE_DIR ROOT_DIR CACHE_DIR      (root)
set -euo pipefail
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd) root=$3 cache=$4
here=$(cd "$(dirname "$0")" && pwd)
shopt -s nullglob
debs=("$build"/sysgate_*.deb)
((${#debs[@]} == 1)) || { echo "package_test: want one $build/sysgate_*.deb (make package)" >&2; exit 1; }
deb=${debs[0]}
pass=0 fail=0
check() {  # NAME CMD...
  local name=$1
  shift
  if "$@"; then pass=$((pass + 1)); else echo "FAIL: $name"; fail=$((fail + 1)); fi
}
in_root() { "$here/in_root.sh" "$root" "$@"; }

start=$SECONDS
"$here/debian_root.sh" "$root" "$cache"
cp "$deb" "$root/tmp/"
mkdir -p "$root/tmp/consumer"
cp "$src/tests/install/CMakeLists.txt" "$src/tests/install/consumer.cc" "$root/tmp/consumer/"
export DEBIAN_FRONTEND=noninteractive
check "apt installs the package" in_root sh -c "apt-get update -qq && \
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends /tmp/$(basename "$deb") >/dev/null"
check "sysgate run -- true" in_root sysgate run -- true
check "a denied call is reported" in_root sh -c 'sysgate run -- unshare -U true 2>&1 | grep -q "blocked unshare"'
check "the man page" in_root test -f /usr/share/man/man1/sysgate.1.gz
for p in "$src"/profiles/*.sgp; do
  check "profile $(basename "$p")" cmp "$p" "$root/usr/share/sysgate/profiles/$(basename "$p")"
done
check "the docs" in_root test -f /usr/share/doc/sysgate/run.md
check "lintian's overrides" in_root test -f /usr/share/lintian/overrides/sysgate
# Completion where bash-completion and Debian's zsh look for it, and what bash makes of it.
check "bash completion" in_root grep -q 'complete -F _sysgate sysgate' /usr/share/bash-completion/completions/sysgate
check "zsh completion" in_root grep -q '#compdef sysgate' /usr/share/zsh/vendor-completions/_sysgate
check "bash loads the completion" in_root bash -c '. /usr/share/bash-completion/completions/sysgate && complete -p sysgate'
# A program built on the installed libsysgate, as tests/install/ builds it.
check "a toolchain (g++ cmake pkg-config)" in_root sh -c 'DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends g++ cmake make pkg-config >/dev/null'
check "find_package(sysgate)" in_root sh -c 'cd /tmp/consumer && cmake -S . -B b >/dev/null && cmake --build b >/dev/null &&
  b/consumer | grep -q "allow openat"'
check "pkg-config sysgate" in_root sh -c 'cd /tmp/consumer && c++ consumer.cc $(pkg-config --cflags --libs sysgate) -o pc &&
  ./pc | grep -q "default errno(EPERM)"'
echo "package_test: the fresh root's part took $((SECONDS - start)) s"

if command -v lintian >/dev/null; then
  lint=$(lintian --tag-display-limit 0 "$deb" 2>&1 | grep -v "running with root privileges" || true)
  [[ -n $lint ]] && echo "$lint" | sed 's/^/lintian: /'
  check "lintian: no errors" test -z "$(grep '^E:' <<<"$lint")"
else
  echo "skip: lintian is not installed (apt-get install lintian)"
fi
rm -rf "$root"
echo "$pass passed, $fail failed"
((fail == 0))
