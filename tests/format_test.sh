#!/usr/bin/env bash
# Every C++ file git tracks is as the repo's .clang-format writes it (clang-format 14, Debian
# 12's), so that formatting never drifts again. tools/gen/ holds the generators' C inputs, read
# as the kernel writes them; generated tables are .inc files and not checked.
# Fix with: git ls-files '*.cc' '*.h' ':!tools/gen' | xargs clang-format-14 -i
set -euo pipefail
root=${1:-$(dirname "$0")/..}
cd "$root"
format=$(command -v clang-format-14 || true)
if [[ -z $format ]]; then
  echo "SKIP: clang-format-14 is not installed (tools/install-deps.sh installs it)"
  exit 77
fi
if ! git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  echo "SKIP: $root is not a git checkout; the files to check are the ones git tracks"
  exit 77
fi
mapfile -t files < <(git ls-files '*.cc' '*.h' ':!tools/gen' | while read -r f; do [[ -f $f ]] && echo "$f"; done)
# One clang-format for all the files; it names each line it would change.
if ! out=$("$format" --dry-run "${files[@]}" 2>&1); then
  printf '%s\n' "$out"
  echo "clang-format failed"
  exit 1
fi
mapfile -t bad < <(sed -nE 's/^([^:]+):[0-9]+:[0-9]+: (warning|error): .*/\1/p' <<<"$out" | sort -u)
if ((${#bad[@]})); then
  echo "${#bad[@]} of ${#files[@]} files are not formatted as .clang-format says:"
  printf '  %s\n' "${bad[@]}"
  echo "fix: clang-format-14 -i ${bad[*]}"
  exit 1
fi
echo "format: ${#files[@]} files ok"
