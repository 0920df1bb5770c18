#!/usr/bin/env bash
# End-to-end tests of `sysgate lint`: text, JSON and SARIF output, --error-on, built-in
# profiles, and an OCI profile read with runc's semantics (every comparison 64-bit).
# Usage: lint_test.sh SYSGATE_BINARY
set -uo pipefail
sg=$1
source "$(dirname "$0")/lib.sh"
make_scratch

cat > "$tmp/p.sgp" <<'POLICY'
default errno(EPERM)
allow read, write, close, @exit
allow ptrace
kill-thread getpid
POLICY
cat > "$tmp/ok.sgp" <<'POLICY'
default errno(EPERM)
allow read, write, close, @exit
POLICY
# Docker's way to deny TIOCSTI, read as runc reads it: a 64-bit compare, which TIOCSTI | 1<<32
# gets past.
cat > "$tmp/oci.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
 "syscalls": [{"names": ["ioctl"], "action": "SCMP_ACT_ERRNO",
               "args": [{"index": 1, "value": 21522, "op": "SCMP_CMP_EQ"}]}]}
JSON

expect "text"             0 "p.sgp:3:1: warning: ptrace(PTRACE_ATTACH) is allowed (by this rule) [allows-ptrace]" -- "$sg" lint "$tmp/p.sgp"
expect "fix"              0 "    fix: deny ptrace" -- "$sg" lint "$tmp/p.sgp"
expect "kill-thread line" 0 "p.sgp:4:1: warning: this rule kills the calling thread only [kill-thread]" -- "$sg" lint "$tmp/p.sgp"
expect "summary"          0 "0 errors, 2 warnings, 0 notes" -- "$sg" lint "$tmp/p.sgp"
expect "error-on warning" 1 "[allows-ptrace]" -- "$sg" lint --error-on warning "$tmp/p.sgp"
expect "no findings"      0 "no findings" -- "$sg" lint --error-on note "$tmp/ok.sgp"
expect "bad error-on"     2 "--error-on: expected error, warning, note or none" -- "$sg" lint --error-on bad "$tmp/ok.sgp"
expect "bad policy"       1 "unknown syscall" -- "$sg" lint <(echo "allow opne")
expect "strict profile"   0 "profile:strict: no findings" -- "$sg" lint --error-on note --profile strict
expect "default profile"  0 "profile:default: no findings" -- "$sg" lint --error-on note --profile default
expect "list"             0 "wide-compare-32bit-arg" -- "$sg" lint --list
expect "oci wide compare" 1 "ioctl's cmd is 32 bits to the kernel but compared at 64 here" -- "$sg" lint --error-on warning "$tmp/oci.json"
expect "oci tiocsti"      0 "ioctl(fd, TIOCSTI | 1 << 32) is allowed" -- "$sg" lint "$tmp/oci.json"

expect "json" 0 "allows-ptrace warning 3 kill-thread 4" -- "$py" -c '
import json, subprocess, sys
j = json.loads(subprocess.run([sys.argv[1], "lint", "--json", sys.argv[2]], capture_output=True).stdout)
f = j["findings"]; print(f[0]["id"], f[0]["severity"], f[0]["line"], f[1]["id"], f[1]["line"])' "$sg" "$tmp/p.sgp"

# SARIF 2.1.0 as code scanning reads it: every result names a rule of the driver, with a level
# and a physical location.
expect "sarif" 0 "sarif ok 2" -- "$py" -c '
import json, subprocess, sys
log = json.loads(subprocess.run([sys.argv[1], "lint", "--sarif", sys.argv[2]], capture_output=True).stdout)
assert log["version"] == "2.1.0"
run = log["runs"][0]; rules = run["tool"]["driver"]["rules"]
for r in run["results"]:
    assert rules[r["ruleIndex"]]["id"] == r["ruleId"]
    assert r["level"] in ("error", "warning", "note")
    assert r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("p.sgp")
    assert r["message"]["text"]
print("sarif ok", len(run["results"]))' "$sg" "$tmp/p.sgp"

finish
