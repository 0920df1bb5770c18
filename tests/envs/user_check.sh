#!/usr/bin/env bash
# The tests of an existing build run by an ordinary account (default nobody), from root: what
# `make check` does for a user who is not root, without building again. Root-only tests skip,
# saying why; everything else must pass. The build tree is lent to the account for the run
# (ctest and the install test write there) and given back to its owner afterwards.
# Usage: user_check.sh BUILD_DIR USER CTEST_ARGS...      (root)
set -euo pipefail
build=$(cd "$1" && pwd) user=$2
shift 2
src=$(cd "$(dirname "$0")/../.." && pwd)
[[ $(id -u) -eq 0 ]] || { echo "user_check: run it as root (as $(id -un), \`make check\` is already this)" >&2; exit 1; }
id "$user" >/dev/null 2>&1 || { echo "user_check: no user $user" >&2; exit 1; }
as_user=(setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups)
# Every directory above the trees must let the account through: where one does not (a clone
# under /root), the account cannot run anything here, which is no fault of sysgate's.
for d in "$build" "$src"; do
  if ! "${as_user[@]}" test -r "$d" -a -x "$d"; then
    echo "skip: $user cannot reach $d (a directory above it is closed to others): nothing run as $user"
    exit 0
  fi
done
owner=$(stat -c %u:%g "$build")
home=$(mktemp -d)
chown "$user" "$home"
trap 'chown -R "$owner" "$build"; rm -rf "$home"' EXIT
chown -R "$user" "$build"
"${as_user[@]}" env HOME="$home" "$src/tools/ctest.sh" "$build" "$@"
