#!/usr/bin/env bash
# End-to-end tests of `sysgate decompile` and `sysgate lint --bpf`: a compiled policy comes back
# (raw, hex and the disasm listing), the result compiles to a program with the same verdicts,
# JSON output, refusals naming the instruction, and lint findings naming instructions.
# Usage: decompile_test.sh SYSGATE_BINARY
set -uo pipefail
sg=$1
source "$(dirname "$0")/lib.sh"
make_scratch

cat > "$tmp/p.sgp" <<'POLICY'
arch x86_64
default errno(EPERM)
allow read, write, close, @exit
allow ptrace
allow socket if family in {AF_UNIX, AF_INET}
allow prctl if option:u64 == 0x100000001
kill-process @mount
POLICY
"$sg" compile "$tmp/p.sgp" -o "$tmp/p.bpf" 2>/dev/null
"$sg" compile -f hex "$tmp/p.sgp" -o "$tmp/p.hex" 2>/dev/null
"$sg" disasm "$tmp/p.bpf" > "$tmp/p.lst"

expect "raw"          0 "allow socket if family:u32 in {AF_UNIX, AF_INET}" -- "$sg" decompile "$tmp/p.bpf"
expect "64-bit merge" 0 "allow prctl if option:u64 == 0x100000001" -- "$sg" decompile "$tmp/p.bpf"
expect "raw from a pipe" 0 "kill-process @mount" -- "$sg" decompile <(cat "$tmp/p.bpf")
expect "hex"          0 "allow @exit, close, ptrace, read, write" -- "$sg" decompile "$tmp/p.hex"
expect "listing"      0 "default errno(EPERM)" -- "$sg" decompile "$tmp/p.lst"
expect "summary"      0 "agree on" -- "$sg" decompile "$tmp/p.bpf"
# The policy written compiles to a program with the verdicts of the original.
"$sg" decompile "$tmp/p.bpf" -o "$tmp/back.sgp" 2>/dev/null
expect "back: allowed" 0 "allow" -- "$sg" check "$tmp/back.sgp" socket AF_INET 1 0
expect "back: denied"  0 "errno(EPERM)" -- "$sg" check "$tmp/back.sgp" socket AF_INET6 1 0
expect "back: diff"    0 "" -- "$sg" diff "$tmp/p.sgp" "$tmp/back.sgp"

expect "json" 0 "json ok" -- "$py" -c '
import json, subprocess, sys
j = json.loads(subprocess.run([sys.argv[1], "decompile", "--json", sys.argv[2]], capture_output=True).stdout)
assert "default errno(EPERM)" in j["policy"]
assert j["stats"]["inputs_checked"] > 0 and j["stats"]["rules"] == len(j["rules"])
assert all(r["instructions"] for r in j["rules"])
print("json ok")' "$sg" "$tmp/p.bpf"

# A test on the instruction pointer: refused, naming the instruction.
printf '0x20 0x00 0x00 0x00000008\n0x15 0x00 0x01 0x00001000\n0x06 0x00 0x00 0x7fff0000\n0x06 0x00 0x00 0x80000000\n' > "$tmp/ip.hex"
expect "refused" 1 "instruction 1: a test on the instruction pointer; a sysgate policy cannot say this" -- "$sg" decompile "$tmp/ip.hex"
expect "not bpf" 1 "" -- "$sg" decompile "$tmp/p.sgp"
expect "several" 1 "choose one with --filter N" -- "$sg" decompile <(cat "$tmp/p.lst"; echo "# filter 2"; cat "$tmp/p.lst")
expect "--filter" 0 "ptrace" -- "$sg" decompile --filter 2 <(cat "$tmp/p.lst"; echo "# filter 2"; cat "$tmp/p.lst")

expect "lint --bpf"   0 "ptrace(PTRACE_ATTACH) is allowed (by this rule) (the rule of instruction" -- "$sg" lint --bpf "$tmp/p.bpf"
expect "lint listing" 0 "[allows-ptrace]" -- "$sg" lint --bpf "$tmp/p.lst"
expect "lint refused" 1 "cannot decompile" -- "$sg" lint --bpf "$tmp/ip.hex"

finish
