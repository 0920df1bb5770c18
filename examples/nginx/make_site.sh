#!/usr/bin/env bash
# Creates the small static site the nginx example and its tests serve. Usage: make_site.sh DIR
set -euo pipefail
dir=$1
mkdir -p "$dir/sub"
printf '<!doctype html><title>sysgate</title><p>served under a seccomp filter\n' > "$dir/index.html"
printf 'body { font-family: sans-serif }\n' > "$dir/style.css"
printf '<!doctype html><p>a page in a directory\n' > "$dir/sub/page.html"
printf '<!doctype html><p>the index of a directory\n' > "$dir/sub/index.html"
head -c 1048576 /dev/urandom > "$dir/big.bin"
chmod -R a+rX "$dir"
