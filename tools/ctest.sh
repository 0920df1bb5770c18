#!/usr/bin/env bash
# Runs ctest in BUILD_DIR, then says what was skipped here and why (tests/support/skip_summary.py),
# then repeats CTest's tally as the last line. Exits with ctest's status.
# Usage: tools/ctest.sh BUILD_DIR CTEST_ARGS...
set -uo pipefail
build=$1
shift
src=$(cd "$(dirname "$0")/.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
(cd "$build" && ctest "$@") | tee "$out"
rc=${PIPESTATUS[0]}
echo
"$src/tests/support/skip_summary.py" "$build"
grep -E '^[0-9]+% tests passed' "$out"
exit "$rc"
