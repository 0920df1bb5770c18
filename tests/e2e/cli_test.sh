#!/usr/bin/env bash
# End-to-end tests of the sysgate CLI: exit codes, output, diagnostics.
# Usage: cli_test.sh SYSGATE_BINARY SOURCE_DIR
set -uo pipefail
sg=$1
src=$2
source "$(dirname "$0")/lib.sh"
make_scratch

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
expect "groups of a call"   0 "chown              @chown @known @privileged @system-service" -- "$sg" syscalls --groups openat chown
expect "groups of a number" 0 "kexec_load         @known @privileged @reboot" -- "$sg" syscalls --arch x86_64 --groups 246
expect "groups, json"       0 '"@file-system",' -- "$sg" syscalls --groups --json openat
expect "groups, unknown"    1 "did you mean 'openat'" -- "$sg" syscalls --groups opnat

# Constants: each ABI's own value (kernel facts: O_DIRECTORY is 0200000 on x86, 040000 on arm;
# EDEADLK 35, 45 on mips and parisc, 78 on sparc).
expect_line "const everywhere" 0 "CLONE_NEWUSER            268435456 (0x10000000)       on every ABI" -- "$sg" constants CLONE_NEWUSER
expect "const per ABI"      0 "O_DIRECTORY              16384 (0x4000)               on aarch64 arm " -- "$sg" constants O_DIRECTORY
expect "const x86"          0 "O_DIRECTORY              65536 (0x10000)              on x86_64 x32 i386 " -- "$sg" constants O_DIRECTORY
expect_line "const sparc"   0 "EDEADLK                  78 (0x4e)                    on sparc64 sparc" -- "$sg" constants EDEADLK
expect_line "const one ABI" 0 "EDEADLK                  45 (0x2d)                    on mips" -- "$sg" constants -a mips EDEADLK
expect "const prefix"       0 "PR_SET_NO_NEW_PRIVS      38 (0x26)                    on every ABI" -- "$sg" constants 'PR_SET_N*'
expect "const json"         0 '"value": 64' -- "$sg" constants --json -a x86_64 O_CREAT
expect "const typo"         1 "unknown constant 'CLONE_NEWUSR'; did you mean 'CLONE_NEWUSER'?" -- "$sg" constants CLONE_NEWUSR
expect "const no prefix"    1 "no constant starts with 'ZZZ'" -- "$sg" constants 'ZZZ*'
expect "const not on ABI"   1 "ARCH_SET_FS has no value on aarch64" -- "$sg" constants -a aarch64 ARCH_SET_FS
expect "const needs a name" 2 "" -- "$sg" constants
expect "const prefix elsewhere" 1 "ARCH_* matches no constant on mips" -- "$sg" constants -a mips 'ARCH_*'
# A prefix on one ABI lists what that ABI has (MAP_32BIT is x86's): no error for the rest.
expect "const prefix on one ABI" 0 "MAP_ANONYMOUS" -- "$sg" constants -a aarch64 'MAP_*'
expect_without "const prefix: only this ABI's" 0 "MAP_32BIT" -- "$sg" constants -a aarch64 'MAP_*'
expect "groups, not on the arch" 1 "open does not exist on aarch64" -- "$sg" syscalls --groups -a aarch64 open
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
expect "validate from a pipe" 0 "ok (3 rules)" -- "$sg" validate <(cat "$tmp/good.sgp")
expect "validate errors"    1 "bad.sgp:2:13: error: unknown syscall 'wrte'; did you mean 'write'?" \
                                        -- "$sg" validate "$tmp/bad.sgp"
expect "validate caret"     1 "      |             ^" -- "$sg" validate "$tmp/bad.sgp"
expect "validate arg name"  1 "bad.sgp:3:17: error: openat has no argument named 'flag'" \
                                        -- "$sg" validate "$tmp/bad.sgp"
expect "warning exit 0"     0 "warning: this rule is unreachable" -- "$sg" validate "$tmp/warn.sgp"
expect "Werror"             1 "unreachable" -- "$sg" validate --Werror "$tmp/warn.sgp"
expect "missing file"       1 "nope.sgp: error: cannot open: No such file or directory" -- "$sg" validate "$tmp/nope.sgp"

# fmt lays a file out, keeping its comments, includes and line breaks.
cat > "$tmp/messy.sgp" <<'POLICY'


# A web server's policy.
default   errno( EPERM )   # the rest
include "inc.sgp"


allow read,write , close, @exit
allow openat if (flags&O_ACCMODE)==O_RDONLY # read-only
errno(EACCES)   openat
POLICY
cat > "$tmp/laid.sgp" <<'POLICY'
# A web server's policy.
default errno(EPERM)       # the rest
include "inc.sgp"

allow read, write, close, @exit
allow openat if (flags & O_ACCMODE) == O_RDONLY  # read-only
errno(EACCES) openat
POLICY
echo "allow  futex" > "$tmp/inc.sgp"  # included, not laid out into the file
"$sg" fmt "$tmp/messy.sgp" > "$tmp/out.sgp"
expect "fmt lays out"       0 "" -- cmp "$tmp/out.sgp" "$tmp/laid.sgp"
expect "fmt canonical"      0 "" -- "$sg" fmt --check "$tmp/laid.sgp"
expect "fmt check differs"  1 "messy.sgp is not laid out canonically (run sysgate fmt -i)" -- "$sg" fmt --check "$tmp/messy.sgp"
cp "$tmp/messy.sgp" "$tmp/inplace.sgp"
"$sg" fmt -i "$tmp/inplace.sgp"
expect "fmt in place"       0 "" -- cmp "$tmp/inplace.sgp" "$tmp/laid.sgp"
expect_without "fmt --check, several" 1 "laid.sgp is not" -- "$sg" fmt --check "$tmp/laid.sgp" "$tmp/messy.sgp"
expect "fmt --check, several: the one" 1 "messy.sgp is not laid out canonically" -- "$sg" fmt --check "$tmp/laid.sgp" "$tmp/messy.sgp"
expect "fmt prints one"     2 "several are for -i or --check" -- "$sg" fmt "$tmp/laid.sgp" "$tmp/messy.sgp"
expect "fmt stdin"          0 "allow read, write, close, @exit" -- "$sg" fmt -I "$tmp" - < "$tmp/messy.sgp"
expect "fmt -i stdin"       2 "standard input has none" -- "$sg" fmt -i - < "$tmp/messy.sgp"
expect "fmt invalid"        1 "bad.sgp:2:13: error: unknown syscall 'wrte'" -- "$sg" fmt "$tmp/bad.sgp"
printf '{"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"}]}\n' > "$tmp/p.json"
cp "$tmp/p.json" "$tmp/p.json.orig"
expect "fmt refuses json"   1 "fmt lays out policies in sysgate's language, and this is oci ('sysgate convert $tmp/p.json --to sysgate'" -- "$sg" fmt -i "$tmp/p.json"
expect "fmt left json"      0 "" -- cmp "$tmp/p.json" "$tmp/p.json.orig"
# -i replaces the file whole: a size limit (or a full disk, a kill) mid-write leaves the old
# one and no temporary file; a symlink is followed and the file's mode kept.
mkdir "$tmp/inplace"
{ echo "default errno(EPERM)"; for i in $(seq 3000); do echo "allow   read  # $i"; done; } > "$tmp/inplace/big.sgp"
chmod 640 "$tmp/inplace/big.sgp"
cp "$tmp/inplace/big.sgp" "$tmp/big.orig"
expect "fmt -i: cut short" 1 "cannot write $tmp/inplace/big.sgp: File too large" -- bash -c "ulimit -f 16; '$sg' fmt -i '$tmp/inplace/big.sgp'"
expect "fmt -i: old file kept" 0 "" -- cmp "$tmp/inplace/big.sgp" "$tmp/big.orig"
expect_line "fmt -i: nothing left" 0 "big.sgp" -- ls -A "$tmp/inplace"
ln -s big.sgp "$tmp/inplace/link.sgp"
"$sg" fmt -i "$tmp/inplace/link.sgp"
expect "fmt -i: link kept"  0 "" -- test -L "$tmp/inplace/link.sgp"
expect "fmt -i: target laid out" 0 "allow read    # 1" -- cat "$tmp/inplace/big.sgp"
expect_line "fmt -i: mode kept" 0 "640" -- stat -c %a "$tmp/inplace/big.sgp"

expect "check allow"        0 "allow  [openat #257 on x86_64: rule $tmp/good.sgp:3:1; " \
                                        -- "$sg" check "$tmp/good.sgp" openat AT_FDCWD 0 O_RDONLY
expect "check errno"        0 "errno(EACCES)" -- "$sg" check "$tmp/good.sgp" openat AT_FDCWD 0 O_WRONLY
expect "check or'ed flags"   0 "errno(EACCES)" -- "$sg" check "$tmp/good.sgp" openat AT_FDCWD 0 'O_RDONLY|O_CREAT|O_WRONLY'
expect "check bad flags"    2 "several joined by '|'" -- "$sg" check "$tmp/good.sgp" openat AT_FDCWD 0 'O_RDONLY|'
expect "check default"      0 "errno(EPERM)  [mount #165 on x86_64: default action; " \
                                        -- "$sg" check "$tmp/good.sgp" mount
expect "check unknown nr"   0 "errno(ENOSYS)" -- "$sg" check "$tmp/good.sgp" 1000
expect "check i386"         0 "errno(EPERM)  [execve #11 on i386: default action; " \
                                        -- "$sg" check --arch i386 "$tmp/good.sgp" execve
expect "check x32 refused"  0 "kill-process" -- "$sg" check --arch x32 "$tmp/good.sgp" read

# diff: what changed, syscall by syscall; exit status as diff(1)'s
cat > "$tmp/tighter.sgp" <<'POLICY'
default errno(EPERM)
allow read, write, @exit
allow openat if (flags & O_ACCMODE) == O_RDONLY && dfd != AT_FDCWD
errno(EACCES) openat
POLICY
"$sg" convert "$tmp/good.sgp" --to sysgate > "$tmp/canon.sgp"  # the whole policy, printed canonically
expect "diff same"          0 "0 changes" -- "$sg" diff "$tmp/good.sgp" "$tmp/canon.sgp"
expect "diff exit 1"        1 "4 changes" -- "$sg" diff "$tmp/good.sgp" "$tmp/tighter.sgp"
expect "diff names it"      1 "openat             allow (rule $tmp/good.sgp:3:1)  ->  errno(EACCES) (rule $tmp/tighter.sgp:4:1)" \
                                        -- "$sg" diff "$tmp/good.sgp" "$tmp/tighter.sgp"
expect "diff example"       1 "for some arguments, e.g. dfd=AT_FDCWD" -- "$sg" diff "$tmp/good.sgp" "$tmp/tighter.sgp"
expect "diff close"         1 "close              allow" -- "$sg" diff "$tmp/good.sgp" "$tmp/tighter.sgp"
expect "diff json"          0 "" -- bash -c "'$sg' diff --json '$tmp/good.sgp' '$tmp/tighter.sgp' | $py -c 'import json,sys; j=json.load(sys.stdin); assert any(c[\"syscall\"]==\"openat\" and not c[\"all_arguments\"] for c in j[\"changes\"]), j'"
expect "diff bad policy"    2 "unknown syscall" -- "$sg" diff "$tmp/good.sgp" "$tmp/bad.sgp"
# The same change on several ABIs is one line naming them; one on a single ABI keeps its own.
printf 'arch x86_64, i386\ndefault errno(EPERM)\nallow read, write\n' > "$tmp/multi-a.sgp"
printf 'arch x86_64, i386\ndefault errno(EPERM)\nallow read, write, getpid\nallow mmap2 on i386\n' > "$tmp/multi-b.sgp"
expect "diff groups ABIs"   1 "i386,x86_64 getpid" -- "$sg" diff "$tmp/multi-a.sgp" "$tmp/multi-b.sgp"
expect "diff one ABI"       1 "i386        mmap2" -- "$sg" diff "$tmp/multi-a.sgp" "$tmp/multi-b.sgp"

# compile, disasm, asm, check --bpf
expect "compile verifies"   0 "verified against the policy on" -- "$sg" compile "$tmp/good.sgp" -o "$tmp/good.bpf"
expect "raw size"           0 "" -- test $(( $(stat -c %s "$tmp/good.bpf") % 8 )) -eq 0
expect "compile disasm"     0 "A = arch" -- "$sg" compile -q "$tmp/good.sgp" -f disasm
expect "compile c"          0 "static const struct sock_filter filter[]" -- "$sg" compile -q "$tmp/good.sgp" -f c
expect "compile one arch"   0 "for aarch64;" -- "$sg" compile --arch aarch64 "$tmp/good.sgp" -o "$tmp/a64.bpf"
expect "compile bad arch"   2 "unknown arch" -- "$sg" compile --arch vax "$tmp/good.sgp"
expect "compile refuses"    1 "unknown syscall 'wrte'" -- "$sg" compile "$tmp/bad.sgp" -o "$tmp/none.bpf"
expect "no output on error" 1 "" -- test -e "$tmp/none.bpf"
expect "disasm names"       0 "if (A == ARCH_X86_64)" -- "$sg" disasm "$tmp/good.bpf"
expect "disasm syscalls"    0 "openat" -- "$sg" disasm "$tmp/good.bpf"
"$sg" disasm --asm-able "$tmp/good.bpf" > "$tmp/good.asm"
expect "asm round trip"     0 "" -- "$sg" asm "$tmp/good.asm" -o "$tmp/again.bpf"
expect "asm identical"      0 "" -- cmp "$tmp/good.bpf" "$tmp/again.bpf"
expect "check --bpf"        0 "kill-process  [execve #11 on i386: " -- "$sg" check --bpf "$tmp/a64.bpf" --arch i386 execve
expect "check --bpf allow"  0 "allow  [read #63 on aarch64: " -- "$sg" check --bpf "$tmp/a64.bpf" --arch aarch64 read
printf 'abc' > "$tmp/odd.bpf"
expect "bpf odd size"       1 "not a multiple of 8" -- "$sg" disasm "$tmp/odd.bpf"
: > "$tmp/empty.bpf"
expect "bpf empty"          1 "empty" -- "$sg" disasm "$tmp/empty.bpf"
head -c $((8 * 4097)) /dev/zero > "$tmp/long.bpf"
expect "bpf too long"       1 "at most 4096" -- "$sg" disasm "$tmp/long.bpf"
printf '\x20\x00\x00\x00\x40\x00\x00\x00' > "$tmp/noret.bpf"
expect "bpf refused"        0 "the kernel would refuse this program: instruction 0" -- "$sg" disasm "$tmp/noret.bpf"
expect "check bad bpf"      1 "would refuse" -- "$sg" check --bpf "$tmp/noret.bpf" read
printf 'A = arch\nif (A == 5) goto far\nreturn ALLOW\n' > "$tmp/bad.asm"
expect "asm unknown label"  1 "bad.asm:2:1: unknown label 'far'" -- "$sg" asm "$tmp/bad.asm" -o "$tmp/x.bpf"

# Docker's own profile, read as Docker resolves it for this host.
moby="$src/../shared/data/profiles/moby-profiles-default.json"
if [[ -f $moby ]]; then
  expect "oci validate"     0 "ok (" -- "$sg" validate "$moby"
  expect "oci check vsock"  0 "errno(EPERM)  [socket #41 on x86_64: default action" -- "$sg" check "$moby" socket AF_VSOCK 1 0
  expect "oci check clone3" 0 "errno(ENOSYS)  [clone3 #435 on x86_64: rule $moby:716:3" -- "$sg" check "$moby" clone3
  expect "oci compile"      0 "for x86_64, i386, x32; verified" -- "$sg" compile "$moby" -o "$tmp/moby.bpf"
  expect "compile -f oci -f hex" 0 "0x20 0x00 0x00 0x00000004" -- "$sg" compile -q -f oci -f hex "$moby"
  expect "compile --from"   0 "A = arch" -- "$sg" compile -q --from docker -f disasm "$moby"
  expect "oci as native"    0 "errno(ENOSYS) clone3" -- "$sg" convert "$moby" --to sysgate
  expect "oci run"          1 "blocked unshare(CLONE_NEWUSER)" -- "$sg" run -p "$moby" -- unshare -U true
  expect "oci caps"         0 "allow" -- "$sg" check --caps sys_admin "$moby" unshare 0
  expect "oci old kernel"   0 "errno(EPERM)" -- "$sg" check --kernel 4.4 "$moby" ptrace 0
  expect "systemd refuses"  1 "the rule for socket tests arguments" -- "$sg" convert "$moby" --to systemd
  expect "systemd --widen"  0 "--widen: clone3 gets allow (the policy: errno(ENOSYS))" -- "$sg" convert "$moby" --to systemd --widen -o "$tmp/moby.conf"
  expect "widened unit"     0 "SystemCallErrorNumber=EPERM" -- cat "$tmp/moby.conf"
  expect "--widen for oci"  2 "--widen is for --to systemd" -- "$sg" convert "$moby" --to oci --widen
  expect "convert to spo"   0 "verified on" -- "$sg" convert "$moby" --to spo --name docker -o "$tmp/moby.yaml"
  expect "spo back"         0 "kind: SeccompProfile" -- cat "$tmp/moby.yaml"
  expect "spo compiles"     0 "verified" -- "$sg" compile "$tmp/moby.yaml" -o "$tmp/spo.bpf"
  fc="$src/../shared/data/profiles/firecracker-x86_64-unknown-linux-musl.json"
  expect "fc needs section" 1 "choose one (--section)" -- "$sg" validate "$fc"
  expect "fc vcpu"          0 "trap  [" -- "$sg" check --section vcpu "$fc" execve
  # Docker's profile resolved for the arch asked about, in check and diff (issue 18).
  expect "oci check --arch"  0 "allow  [openat #56 on aarch64: rule" -- "$sg" check --arch aarch64 "$moby" openat
  # An ABI this machine runs is asked about as this machine's profile treats it (Docker's rules
  # depend on the host's arch: an x86_64 host allows i386's arch_prctl), as the filter does.
  expect "oci check --arch i386" 0 "allow  [arch_prctl #384 on i386: rule" -- "$sg" check --arch i386 "$moby" arch_prctl
  expect "the filter agrees"  0 "allow  [arch_prctl #384 on i386" -- "$sg" check --bpf "$tmp/moby.bpf" --arch i386 arch_prctl
  # compile reads the profile the same way for an ABI asked for alone (issue 20).
  expect "compile --arch i386" 0 "verified" -- "$sg" compile --arch i386 "$moby" -o "$tmp/moby-i386.bpf"
  expect "its filter agrees"  0 "allow  [arch_prctl #384 on i386" -- "$sg" check --bpf "$tmp/moby-i386.bpf" --arch i386 arch_prctl
  expect "convert --arch arm" 0 "allow arm_fadvise64_64" -- "$sg" convert --arch arm --to sysgate "$moby"
  expect "oci convert --arch" 0 "verified on" -- "$sg" convert "$moby" --arch x86_64 --to sysgate -o "$tmp/moby-x86.sgp"
  podman="$src/../shared/data/profiles/containers-common-seccomp.json"
  expect "diff --arch"       1 "aarch64" -- "$sg" diff --arch aarch64 "$moby" "$podman"
  expect_without "diff --arch: only it" 1 "x86_64 " -- "$sg" diff --arch aarch64 "$moby" "$podman"
else
  skip_part "../shared/data is absent; Docker's profile is not tested"
fi
# An empty file is not an empty policy; "-" reads the policy from standard input (issue 18).
printf '\n  \n' > "$tmp/empty.sgp"
expect "empty policy file"  1 "$tmp/empty.sgp: error: the file is empty: there is no policy in it" -- "$sg" validate "$tmp/empty.sgp"
expect "empty policy, run"  125 "the file is empty" -- "$sg" run -p "$tmp/empty.sgp" -- true
expect "policy on stdin"    0 "<stdin>: ok (1 rule" -- sh -c "printf 'default allow\nerrno(EPERM) unshare\n' | \"$sg\" validate -"
expect "stdin error located" 1 "<stdin>:2:1: error" -- sh -c "printf 'default allow\nnonsense here\n' | \"$sg\" validate -"
expect "stdin twice"        1 "standard input is read once: '-' is given twice" -- sh -c "printf 'default allow\n' | \"$sg\" validate - -"
expect "stdin from a socket" 0 "<stdin>: ok" -- "$py" -c '
import socket, subprocess, sys
a, b = socket.socketpair(); a.sendall(b"default allow\n"); a.shutdown(socket.SHUT_WR)
print(subprocess.run([sys.argv[1], "validate", "-"], stdin=b, capture_output=True, text=True).stderr)' "$sg"
expect "explain -p - needs a log file" 2 "give the log as a FILE" -- sh -c "echo x | \"$sg\" explain -p -"
printf '{"defaultAction": "SCMP_ACT_ALLOW",\n "syscalls": [ nope ]}\n' > "$tmp/bad.json"
expect "oci bad json"       1 "bad.json:2:17: error: not valid JSON" -- "$sg" validate "$tmp/bad.json"

# convert: every writable format, read back and checked.
expect "convert to oci"     0 "verified on" -- "$sg" convert "$tmp/good.sgp" --arch x86_64 --to oci -o "$tmp/good.json"
expect "oci has masked eq"  0 "SCMP_CMP_MASKED_EQ" -- cat "$tmp/good.json"
expect "oci round trip"     0 "allow  [" -- "$sg" check "$tmp/good.json" openat AT_FDCWD 0 O_RDONLY
expect "convert by ext"     0 "-> sysgate" -- "$sg" convert "$tmp/good.json" -o "$tmp/back.sgp"
expect "convert flags"      0 '"SECCOMP_FILTER_FLAG_TSYNC"' -- "$sg" convert -q "$tmp/good.sgp" --arch x86_64 --to oci --flag SECCOMP_FILTER_FLAG_TSYNC
expect "convert systemd no" 1 "systemd filters by syscall only" -- "$sg" convert "$tmp/good.sgp" --to systemd
printf 'default errno(EPERM)\nallow read, write, @exit\n' > "$tmp/list.sgp"
expect "convert systemd"    0 "SystemCallErrorNumber=EPERM" -- "$sg" convert -q "$tmp/list.sgp" --to systemd
expect "convert firecracker" 0 '"filter_action": "allow"' -- "$sg" convert -q "$tmp/list.sgp" --arch x86_64 --to firecracker --name vcpu
expect "convert no minijail" 2 "does not write minijail" -- "$sg" convert "$tmp/list.sgp" --to minijail
expect "convert no --to"    2 "say which format to write" -- "$sg" convert "$tmp/list.sgp"
expect "bad --format"       2 "unknown format 'yml2'" -- "$sg" validate -f yml2 "$tmp/list.sgp"
printf 'SystemCallFilter=~@swap ptrace:EPERM\n' > "$tmp/unit.conf"
expect "systemd check"      0 "errno(EPERM)" -- "$sg" check "$tmp/unit.conf" ptrace
printf 'read: 1\nwrite: arg0 == 1\nopenat: arg9 == 1\n' > "$tmp/mj.policy"
expect "minijail error"     1 "mj.policy:3:1: error: expected argN" -- "$sg" validate "$tmp/mj.policy"
printf 'POLICY p { ALLOW { write(fd) { fd == 1 } } }\nUSE p DEFAULT KILL_PROCESS\n' > "$tmp/k.kafel"
expect "kafel allow"        0 "allow" -- "$sg" check "$tmp/k.kafel" write 1
expect "kafel kill"         0 "kill-process" -- "$sg" check "$tmp/k.kafel" write 2

# stats and frequency-aware layout.
expect "stats"              0 "kernel cache" -- "$sg" stats --arch x86_64 "$tmp/good.sgp"
expect "stats costliest"    0 "(reads arguments)" -- "$sg" stats --arch x86_64 --top 400 "$tmp/good.sgp"
expect "stats json"         0 '"cacheable"' -- "$sg" stats --json --arch x86_64 "$tmp/good.sgp"
printf 'read 100000\nwrite 50000\nopenat 10\n' > "$tmp/freq.txt"
expect "stats freq"         0 "expected per call" -- "$sg" stats --arch x86_64 --freq "$tmp/freq.txt" "$tmp/good.sgp"
printf '%% time     seconds  usecs/call     calls    errors syscall\n------ ----------- ----------- --------- --------- ----------------\n 32.11    0.000918         918         1           execve\n 12.49    0.000357          10        34        13 openat\n------ ----------- ----------- --------- --------- ----------------\n100.00    0.002859          18       151        16 total\n' > "$tmp/strace.txt"
expect "stats strace -c"    0 "expected per call" -- "$sg" stats --arch x86_64 --freq "$tmp/strace.txt" "$tmp/good.sgp"
expect "compile freq"       0 "verified" -- "$sg" compile --arch x86_64 --freq "$tmp/freq.txt" "$tmp/good.sgp" -o "$tmp/freq.bpf"
expect "stats bpf"          0 "length" -- "$sg" stats --bpf "$tmp/freq.bpf" --arch x86_64
printf 'read lots\n' > "$tmp/badfreq.txt"
expect "bad freq"           1 "line 1: expected 'syscall count'" -- "$sg" stats --freq "$tmp/badfreq.txt" "$tmp/good.sgp"

for f in "$src"/examples/policies/*.sgp; do
  expect "example $(basename "$f")" 0 "ok" -- "$sg" validate "$f"
done

finish
