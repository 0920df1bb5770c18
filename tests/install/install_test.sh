#!/usr/bin/env bash
# Installs libsysgate into a temporary prefix and builds a program against it twice: with
# CMake's find_package(sysgate) and with pkg-config. Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
cmake -S "$src/tests/install" -B "$tmp/cmake" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/prefix" >/dev/null
cmake --build "$tmp/cmake" >/dev/null
out=$("$tmp/cmake/consumer")
grep -q 'allow openat if (flags & 3) == 0' <<<"$out" || { echo "unexpected output: $out"; exit 1; }
export PKG_CONFIG_PATH=$tmp/prefix/lib/pkgconfig
c++ "$src/tests/install/consumer.cc" $(pkg-config --cflags --libs sysgate) -o "$tmp/pc"
"$tmp/pc" | grep -q 'default errno(EPERM)'
test -f "$tmp/prefix/share/man/man1/sysgate.1.gz"
test -f "$tmp/prefix/share/sysgate/profiles/default.sgp"
test -x "$tmp/prefix/bin/sysgate"
grep -q 'complete -F _sysgate sysgate' "$tmp/prefix/share/bash-completion/completions/sysgate"
grep -q '#compdef sysgate' "$tmp/prefix/share/zsh/vendor-completions/_sysgate"
# The Debian package's own files stay out of a plain install.
! test -e "$tmp/prefix/share/lintian" || { echo "a plain install has lintian's overrides"; exit 1; }
echo "install: ok"
