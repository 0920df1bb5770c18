#!/usr/bin/env bash
# End-to-end tests of the sysgate CLI: exit codes, output, diagnostics.
# Usage: cli_test.sh SYSGATE_BINARY SOURCE_DIR
set -uo pipefail
sg=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

# expect NAME WANT_EXIT WANT_STDOUT_SUBSTRING -- CMD...   (stderr is merged into the output)
expect() {
  local name=$1 want_rc=$2 want_out=$3
  shift 4
  local out rc
  out=$("$@" 2>&1)
  rc=$?
  if [[ $rc -ne $want_rc ]] || [[ $out != *"$want_out"* ]]; then
    echo "FAIL: $name: exit $rc (want $want_rc), output:"
    echo "$out" | sed 's/^/    /'
    echo "  wanted to contain: $want_out"
    fail=$((fail + 1))
  else
    pass=$((pass + 1))
  fi
}

expect "i386 execve"        0 "11"      -- "$sg" syscalls --arch i386 execve
expect "aarch64 openat"     0 "56"      -- "$sg" syscalls --arch aarch64 openat
expect "number to name"     0 "munmap"  -- "$sg" syscalls --arch x86_64 11
expect "signature"          0 "openat(fd:s32 dfd, string:u64 filename, flags:u32 flags, mode:u32 mode)" \
                                        -- "$sg" syscalls --arch x86_64 --signature openat
expect "json"               0 '"number": 59' -- "$sg" syscalls --json execve
expect "unknown syscall"    1 "did you mean 'openat'" -- "$sg" syscalls opnat
expect "missing on arch"    1 "open does not exist on aarch64" -- "$sg" syscalls --arch arm64 open
expect "bad arch"           2 "unknown arch 'x86_65'" -- "$sg" syscalls --arch x86_65 read
expect "group members"      0 "io_uring_setup" -- "$sg" syscalls @io-uring
expect "groups list"        0 "@system-service" -- "$sg" syscalls --groups
expect "no subcommand"      2 "" -- "$sg"

cat > "$tmp/good.sgp" <<'POLICY'
default errno(EPERM)
allow read, write, close, @exit
allow openat if (flags & O_ACCMODE) == O_RDONLY
errno(EACCES) openat
POLICY
cat > "$tmp/bad.sgp" <<'POLICY'
default errno(EPERM)
allow read, wrte
allow openat if flag == 0
POLICY
cat > "$tmp/warn.sgp" <<'POLICY'
allow read
errno(EPERM) read
POLICY
expect "validate ok"        0 "ok (3 rules)" -- "$sg" validate "$tmp/good.sgp"
expect "validate errors"    1 "bad.sgp:2:13: error: unknown syscall 'wrte'; did you mean 'write'?" \
                                        -- "$sg" validate "$tmp/bad.sgp"
expect "validate caret"     1 "      |             ^" -- "$sg" validate "$tmp/bad.sgp"
expect "validate arg name"  1 "bad.sgp:3:17: error: openat has no argument named 'flag'" \
                                        -- "$sg" validate "$tmp/bad.sgp"
expect "warning exit 0"     0 "warning: this rule is unreachable" -- "$sg" validate "$tmp/warn.sgp"
expect "Werror"             1 "unreachable" -- "$sg" validate --Werror "$tmp/warn.sgp"
expect "missing file"       1 "cannot open the policy file" -- "$sg" validate "$tmp/nope.sgp"

"$sg" fmt "$tmp/good.sgp" > "$tmp/canon.sgp"
expect "fmt idempotent"     0 "" -- "$sg" fmt --check "$tmp/canon.sgp"
expect "fmt check differs"  1 "not in canonical form" -- "$sg" fmt --check "$tmp/good.sgp"
cp "$tmp/good.sgp" "$tmp/inplace.sgp"
"$sg" fmt -i "$tmp/inplace.sgp"
expect "fmt in place"       0 "" -- cmp "$tmp/inplace.sgp" "$tmp/canon.sgp"

expect "check allow"        0 "allow  [openat #257 on x86_64: rule $tmp/good.sgp:3:1]" \
                                        -- "$sg" check "$tmp/good.sgp" openat AT_FDCWD 0 O_RDONLY
expect "check errno"        0 "errno(EACCES)" -- "$sg" check "$tmp/good.sgp" openat AT_FDCWD 0 O_WRONLY
expect "check default"      0 "errno(EPERM)  [mount #165 on x86_64: default action]" \
                                        -- "$sg" check "$tmp/good.sgp" mount
expect "check unknown nr"   0 "errno(ENOSYS)" -- "$sg" check "$tmp/good.sgp" 1000
expect "check i386"         0 "errno(EPERM)  [execve #11 on i386: default action]" \
                                        -- "$sg" check --arch i386 "$tmp/good.sgp" execve
expect "check x32 refused"  0 "kill-process" -- "$sg" check --arch x32 "$tmp/good.sgp" read

for f in "$src"/examples/policies/*.sgp; do
  expect "example $(basename "$f")" 0 "ok" -- "$sg" validate "$f"
done

echo "$pass passed, $fail failed"
((fail == 0))
