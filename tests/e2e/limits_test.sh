#!/usr/bin/env bash
# The CLI fed what an attacker or a careless user would (issue 17): every input that once
# crashed, hung, exhausted memory or got a wrong answer from sysgate now gets a located,
# plain-language error and exit 1 (2 for a bad command line), quickly. docs/limits.md.
# Usage: limits_test.sh SYSGATE_BINARY SOURCE_DIR
set -uo pipefail
sg=$1
src=$2
source "$(dirname "$0")/lib.sh"
make_scratch
# Each command gets 20 seconds (a sanitized build is slower); a hang fails with exit 124.
quick() { timeout 20 "$@"; }
gen() { "$py" -c "$1"; }

printf 'default errno(EPERM)\nallow read, write\nallow openat if (flags & O_ACCMODE) == O_RDONLY\n' > "$tmp/p.sgp"
"$sg" compile -q "$tmp/p.sgp" -o "$tmp/p.bpf"
"$sg" compile -q "$tmp/p.sgp" -f asm -o "$tmp/p.asm"

# ---- what is not a file ----
expect "directory"            1 "$tmp: error: is a directory, not a file" -- quick "$sg" validate "$tmp"
expect "directory compile"    1 "is a directory, not a file" -- quick "$sg" compile "$tmp" -o "$tmp/x.bpf"
expect "proc mem"             1 "/proc/self/mem: error: cannot read: Input/output error" -- quick "$sg" validate /proc/self/mem
expect "missing: why"         1 "nope.sgp: error: cannot open: No such file or directory" -- quick "$sg" validate "$tmp/nope.sgp"
for cmd in "validate /dev/zero" "disasm /dev/zero" "asm /dev/zero" "check --bpf /dev/zero read" "stats --bpf /dev/zero"; do
  # shellcheck disable=SC2086
  expect "/dev/zero: ${cmd% *}" 1 "/dev/zero: " -- quick "$sg" $cmd
done
expect "zero is a device"     1 "is a device, not a file" -- quick "$sg" disasm /dev/zero
expect "freq directory"       1 "$tmp: is a directory, not a file" -- quick "$sg" compile --freq "$tmp" "$tmp/p.sgp" -o "$tmp/x.bpf"

# ---- output that cannot be written ----
for cmd in "compile -q $tmp/p.sgp -f hex" "fmt $tmp/p.sgp" "convert -q $tmp/p.sgp --to oci" "disasm $tmp/p.bpf" \
           "syscalls" "stats $tmp/p.sgp" "check $tmp/p.sgp read" "asm $tmp/p.asm -f hex" "diff $tmp/p.sgp $tmp/p.sgp --json"; do
  # shellcheck disable=SC2086
  expect "/dev/full: ${cmd%% *}" 1 "cannot write to standard output: No space left on device" -- quick bash -c "'$sg' $cmd > /dev/full"
done

# ---- numbers out of range ----
printf 'POLICY p { ERRNO(4294967297) { read } }\nUSE p DEFAULT KILL\n' > "$tmp/errno.kafel"
expect "kafel errno"          1 "errno.kafel:1:18: error: ERRNO(4294967297) is out of range (1..4095)" -- quick "$sg" validate "$tmp/errno.kafel"
printf 'POLICY p { ALLOW { SYSCALL[4294967296] } }\nUSE p DEFAULT KILL\n' > "$tmp/nr.kafel"
expect "kafel syscall nr"     1 "nr.kafel:1:28: error: SYSCALL[4294967296]: syscall numbers go up to 2147483647" -- quick "$sg" validate "$tmp/nr.kafel"
expect "check nr"             2 "'4294967553' is not a syscall number (a 32-bit integer)" -- quick "$sg" check "$tmp/p.sgp" 4294967553
expect "syscalls nr"          1 "'4294967296' is not a syscall number" -- quick "$sg" syscalls 4294967296
printf 'allow read if arg99999999999999999999 == 1\n' > "$tmp/arg.sgp"
expect "arg index"            1 "arg.sgp:1:15: error: there is no argument arg99999999999999999999: syscalls have arg0..arg5" -- quick "$sg" validate "$tmp/arg.sgp"

# ---- command-line values ----
printf 'default errno(EPERM)\nallow accept if arg0 == LISTEN_FD\n' > "$tmp/d.sgp"
expect "-D bad name"          2 "--define: expected NAME=NUMBER" -- quick "$sg" validate -D 1X=1 "$tmp/d.sgp"
expect "-D twice"             2 "--define: LISTEN_FD is given twice" -- quick "$sg" validate -D LISTEN_FD=1 -D LISTEN_FD=2 "$tmp/d.sgp"
expect "--caps"               2 "--caps: unknown capability 'NOPE'" -- quick "$sg" check --caps NOPE "$tmp/p.sgp" read
expect "--caps suggestion"    2 "did you mean 'CAP_SYS_ADMIN'?" -- quick "$sg" check --caps sys_admn "$tmp/p.sgp" read
expect "--kernel"             2 "--kernel: expected a version such as 5.15, not '-1.-1'" -- quick "$sg" check --kernel -1.-1 "$tmp/p.sgp" read
expect "--section on sgp"     1 "a sysgate policy has no sections" -- quick "$sg" validate --section vcpu "$tmp/p.sgp"
expect "stats --top"          2 "--top: must be 0 or more" -- quick "$sg" stats --top -1 "$tmp/p.sgp"
expect "-D not baked in"      0 "allow accept if arg0 == LISTEN_FD" -- quick "$sg" fmt -D LISTEN_FD=3 "$tmp/d.sgp"
expect_without "-D not baked: const" 0 "const" -- quick "$sg" fmt -D LISTEN_FD=3 "$tmp/d.sgp"
printf 'const LISTEN_FD = 4\nallow accept if arg0 == LISTEN_FD\n' > "$tmp/d2.sgp"
expect "-D and const"         1 "d2.sgp:1:7: error: constant LISTEN_FD is also given by the program loading the policy (sysgate's -D LISTEN_FD=VALUE" -- quick "$sg" validate -D LISTEN_FD=3 "$tmp/d2.sgp"

# ---- convert: errors in the input are not internal errors ----
printf 'default errno(EPERM)\nallow arch_prctl, read\n' > "$tmp/arch_prctl.sgp"
expect "convert other arch"   0 "warning: left out 1 syscall that does not exist on aarch64: arch_prctl" -- quick "$sg" convert "$tmp/arch_prctl.sgp" --to sysgate -a aarch64
expect "converted for it"     0 "allow read" -- quick "$sg" convert -q "$tmp/arch_prctl.sgp" --to sysgate -a aarch64
expect "compile other arch"   0 "left out 1 syscall" -- quick "$sg" compile "$tmp/arch_prctl.sgp" -a aarch64 -o "$tmp/x.bpf"
printf 'default errno(EPERM)\nallow arch_prctl if arg0 == 1\n' > "$tmp/arch_prctl2.sgp"
expect "nothing left"         0 "arch aarch64" -- quick "$sg" convert -q "$tmp/arch_prctl2.sgp" --to sysgate -a aarch64
printf 'default errno(EPERM)\nunknown kill-process\nallow read, write\n' > "$tmp/unknown.sgp"
expect "unknown to systemd"   0 "systemd cannot set the action for unknown syscall numbers (kill-process)" -- quick "$sg" convert "$tmp/unknown.sgp" --to systemd
printf 'read: 1\nwrite: 1\n' > "$tmp/mj.policy"
expect "minijail to systemd"  0 "verified on" -- quick "$sg" convert "$tmp/mj.policy" --to systemd -o "$tmp/mj.conf"
expect "--flag"               1 "unknown seccomp filter flag 'NOPE'" -- quick "$sg" convert "$tmp/p.sgp" --to oci --flag NOPE
expect "--listener-metadata"  1 "listenerMetadata needs a listenerPath" -- quick "$sg" convert "$tmp/p.sgp" --to oci --listener-metadata x
for out in "$tmp/unknown.sgp" "$tmp/mj.policy"; do
  expect_without "no internal error $(basename "$out")" 0 "internal error" -- quick "$sg" convert "$out" --to oci
done

# ---- messages in sysgate's words, located ----
printf '{"defaultAction": "SCMP_ACT_ALLOW",\n "x": 1e400%s}\n' "$(printf '0%.0s' $(seq 400))" > "$tmp/big.json"
expect "json number"          1 "big.json:2:7: error: not valid JSON: the number is too large" -- quick "$sg" validate "$tmp/big.json"
expect_without "json: no jargon" 1 "json.exception" -- quick "$sg" validate "$tmp/big.json"
printf 'apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\nspec:\n  defaultAction: "SCMP_ACT_\xff"\n' > "$tmp/utf.yaml"
expect "yaml utf-8"           1 "utf.yaml:4:28: error: YAML is UTF-8 text without control characters; this is not" -- quick "$sg" validate "$tmp/utf.yaml"
printf 'apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\nspec:\n  defaultAction: "SCMP_ACT_\\xff"\n' > "$tmp/utf2.yaml"
expect "yaml escape is a char" 1 "utf2.yaml:4:18: error: defaultAction: unknown action 'SCMP_ACT_ÿ'" -- quick "$sg" validate "$tmp/utf2.yaml"
# A control character echoed in a message is shown escaped, never sent to the terminal.
printf '{"defaultAction": "SCMP\\u0000\\u001b[31mX"}' > "$tmp/ctl.json"
expect "control chars shown" 1 'ctl.json:1:19: error: defaultAction: unknown action '"'SCMP\\x00\\x1b[31mX'" -- quick "$sg" validate "$tmp/ctl.json"
printf 'default allow\n' > "$tmp/allow.sgp"
expect "control chars in an argument" 1 "unknown syscall 're\\x1b[31mad'" -- quick "$sg" check "$tmp/allow.sgp" $'re\e[31mad'
printf ',rch aarch64 x,8\016\000kind: SeccompProfileR\n' > "$tmp/nul.yaml"
expect "yaml control bytes"   1 "nul.yaml:1:17: error: YAML is UTF-8 text without control characters" -- quick "$sg" validate "$tmp/nul.yaml"
# yaml-cpp reads a stray top-level comma as endless empty documents (the fuzzer's find).
printf ',-a\ni' > "$tmp/comma.yaml"
expect "yaml endless documents" 1 "comma.yaml:1:1: error: more than 1000 YAML documents in one file (the limit)" -- quick "$sg" validate --format spo "$tmp/comma.yaml"
printf 'apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProflie\nspec:\n  defaultAction: SCMP_ACT_ALLOW\n' > "$tmp/typo"
expect "yaml kind typo"       1 "typo:2:7: error: the file holds no SeccompProfile: its kind is 'SeccompProflie'" -- quick "$sg" validate "$tmp/typo"
printf 'default errno(5000)\nallow read\n' > "$tmp/dflt.sgp"
expect "default located"      1 "dflt.sgp:1:1: error: default action: errno 5000 is out of range" -- quick "$sg" validate "$tmp/dflt.sgp"
printf 'POLICY p { ALLOW { read } }\n/* never closed\nUSE p DEFAULT KILL\n' > "$tmp/comment.kafel"
expect "kafel comment"        1 "comment.kafel:2:1: error: the comment is never closed (no */)" -- quick "$sg" validate "$tmp/comment.kafel"
gen "print('allow read if arg0 == ' + 'Y' * 100000)" > "$tmp/longline.sgp"
expect "long line shown cut"  1 "(100002 characters)" -- quick "$sg" validate "$tmp/longline.sgp"
expect "long line under 1 KB" 0 "" -- quick bash -c "(( \$('$sg' validate '$tmp/longline.sgp' 2>&1 | wc -c) < 1000 ))"

# ---- what crashed (deep nesting, recursion) ----
gen "print('POLICY p { ALLOW { write(fd) { ' + '(' * 3000 + 'fd == 1' + ')' * 3000 + ' } } }\nUSE p DEFAULT KILL')" > "$tmp/paren.kafel"
expect "kafel parentheses"    1 "paren.kafel:1:232: error: the condition nests deeper than 200 levels, sysgate's nesting limit" -- quick "$sg" validate "$tmp/paren.kafel"
gen "print('POLICY p { ALLOW { write(fd) { ' + '!' * 100000 + 'fd == 1 } } }\nUSE p DEFAULT KILL')" > "$tmp/not.kafel"
expect "kafel !"              1 "nests deeper than 200 levels" -- quick "$sg" validate "$tmp/not.kafel"
gen "print('{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [' + '[' * 100000 + ']' * 100000 + ']}')" > "$tmp/flags.json"
expect "oci flags nested"     1 "flags.json:1:245: error: arrays and objects nest deeper than 200 levels" -- quick "$sg" validate "$tmp/flags.json"
gen "print('{\"ociVersion\": \"1.0\", \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"x\": ' + '[' * 100000 + ']' * 100000 + '}}}')" > "$tmp/config.json"
expect "config.json nested"   1 "nest deeper than 200 levels" -- quick "$sg" validate "$tmp/config.json"
gen "print('{\"main\": {\"default_action\": ' + '[' * 100000 + ']' * 100000 + ', \"filter_action\": \"allow\", \"filter\": []}}')" > "$tmp/fc.json"
expect "firecracker nested"   1 "nest deeper than 200 levels" -- quick "$sg" validate "$tmp/fc.json"
printf 'apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\nspec: &a {y: *a}\n' > "$tmp/alias.yaml"
expect "yaml self alias"      1 "alias.yaml:3:7: error: the YAML nests deeper than 200 levels (or an alias contains itself)" -- quick "$sg" validate "$tmp/alias.yaml"
gen "print('A = ' + 'x' * 30000)" > "$tmp/long.asm"
expect "asm long line"        1 "long.asm:1:1: 'xxxxxxxx" -- quick "$sg" asm "$tmp/long.asm" -o "$tmp/x.bpf"

# ---- what hung or ate memory ----
gen "
lines = ['apiVersion: security-profiles-operator.x-k8s.io/v1', 'kind: SeccompProfile', 'spec:', '  defaultAction: SCMP_ACT_ALLOW', '  a0: &a0 [' + ', '.join(['x'] * 10) + ']']
lines += ['  a%d: &a%d [' % (i, i) + ', '.join(['*a%d' % (i - 1)] * 10) + ']' for i in range(1, 12)]
print('\n'.join(lines))" > "$tmp/laughs.yaml"
expect "billion laughs"       1 "aliases expand to more than 200000 nodes" -- quick "$sg" validate "$tmp/laughs.yaml"
gen "print('POLICY p0 { ALLOW { read } }'); [print('POLICY p%d { USE p%d, USE p%d }' % (i, i - 1, i - 1)) for i in range(1, 40)]; print('USE p39 DEFAULT KILL')" > "$tmp/use.kafel"
expect "kafel USE"            1 "use.kafel:41:5: error: the policy expands (through USE) to more than 100000 rules" -- quick "$sg" validate "$tmp/use.kafel"
printf '#include "self.kafel"\n#include "self.kafel"\n#include "self.kafel"\nPOLICY p { ALLOW { read } }\nUSE p DEFAULT KILL\n' > "$tmp/self.kafel"
expect "kafel self include"   1 "self.kafel:1:1: error: include cycle: \"self.kafel\" is already being read" -- quick "$sg" validate "$tmp/self.kafel"
printf '@include self.policy\n@include self.policy\n@include self.policy\nread: 1\n' > "$tmp/self.policy"
expect "minijail self include" 1 "self.policy:1:1: error: include cycle" -- quick "$sg" validate "$tmp/self.policy"
gen "print('allow ' + 'x' * 200000)" > "$tmp/longname.sgp"
expect "long name"            1 "unknown syscall 'xxxxxxxx" -- quick "$sg" validate "$tmp/longname.sgp"
gen "
import random
random.seed(1)
ops = ['==', '!=', '<', '>', '<=', '>=']
print('default errno(EPERM)')
print('allow read if ' + ' && '.join('arg%d %s %d' % (random.randrange(3), random.choice(ops), random.randrange(100)) for i in range(20000)))" > "$tmp/and.sgp"
for cmd in "check $tmp/and.sgp read 1" "validate $tmp/and.sgp" "compile $tmp/and.sgp -o $tmp/x.bpf" "convert $tmp/and.sgp --to oci"; do
  # shellcheck disable=SC2086
  expect "20,000-term && (${cmd%% *})" 1 "and.sgp:2:13590: error: the condition has more than 1000 comparisons, sysgate's limit per rule" -- quick "$sg" $cmd
done
gen "print('default errno(EPERM)'); [print('allow read if arg0 == %d' % i) for i in range(1000000)]" > "$tmp/rules.sgp"
expect "1M rules"             1 "rules.sgp:100002:1: error: the policy has more than 100000 rules, sysgate's rule limit" -- quick "$sg" validate "$tmp/rules.sgp"
gen "print('default errno(EPERM)'); [print('allow read if arg0 == %d' % i) for i in range(100000)]" > "$tmp/cond.sgp"
expect "100k rules convert"   1 "cond.sgp:10002:1: error: more than 10000 rules with a condition name read, sysgate's limit" -- quick "$sg" convert "$tmp/cond.sgp" --to oci
expect "100k rules diff"      2 "more than 10000 rules with a condition name read" -- quick "$sg" diff "$tmp/cond.sgp" "$tmp/p.sgp"
"$sg" syscalls --arch x86_64 | cut -f2 > "$tmp/names"
gen "
import random
random.seed(2)
names = open('$tmp/names').read().split()
forms = ['%s: 1', '%s: arg0 == 7 || arg1 & 4', '%s: return 13', '%s: arg2 in 0xff; return 5']
[print(random.choice(forms) % random.choice(names)) for i in range(20000)]" > "$tmp/mixed.policy"
expect "20k minijail compile" 1 "is listed twice (minijail refuses this)" -- quick "$sg" compile "$tmp/mixed.policy" -o "$tmp/x.bpf"
expect "20k minijail convert" 1 "errors more not shown" -- quick "$sg" convert "$tmp/mixed.policy" --to sysgate

finish
