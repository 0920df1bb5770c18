#!/usr/bin/env bash
# Installs libsysgate into a temporary prefix, moves it, and builds a program against it twice:
# with CMake's find_package(sysgate) and with pkg-config. Usage: install_test.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cmake --install "$build" --prefix "$tmp/installed" >/dev/null
# The package names no path of the machine that built it (the build tree, the sources, the
# archive of a dependency): moved elsewhere, it must still build a program.
if grep -rlE "$build|$src|libyaml-cpp\.a|libfmt" "$tmp/installed/lib/cmake" "$tmp/installed/lib/pkgconfig"; then
  echo "the installed package names a path of the build machine:"
  grep -rnE "$build|$src|libyaml-cpp\.a|libfmt" "$tmp/installed/lib/cmake" "$tmp/installed/lib/pkgconfig"
  exit 1
fi
mkdir -p "$tmp/elsewhere"
mv "$tmp/installed" "$tmp/elsewhere/prefix"
cmake -S "$src/tests/install" -B "$tmp/cmake" -G Ninja -DCMAKE_PREFIX_PATH="$tmp/elsewhere/prefix" >/dev/null
cmake --build "$tmp/cmake" >/dev/null
out=$("$tmp/cmake/consumer")
grep -q 'allow openat if (flags & 3) == 0' <<<"$out" || { echo "unexpected output: $out"; exit 1; }
export PKG_CONFIG_PATH=$tmp/elsewhere/prefix/lib/pkgconfig
c++ "$src/tests/install/consumer.cc" $(pkg-config --cflags --libs sysgate) -o "$tmp/pc"
"$tmp/pc" | grep -q 'default errno(EPERM)'
test -f "$tmp/elsewhere/prefix/share/man/man1/sysgate.1.gz"
test -f "$tmp/elsewhere/prefix/share/sysgate/profiles/default.sgp"
test -x "$tmp/elsewhere/prefix/bin/sysgate"
grep -q 'complete -F _sysgate sysgate' "$tmp/elsewhere/prefix/share/bash-completion/completions/sysgate"
grep -q '#compdef sysgate' "$tmp/elsewhere/prefix/share/zsh/vendor-completions/_sysgate"
# The Debian package's own files stay out of a plain install.
! test -e "$tmp/elsewhere/prefix/share/lintian" || { echo "a plain install has lintian's overrides"; exit 1; }
echo "install: ok"
