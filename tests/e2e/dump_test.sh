#!/usr/bin/env bash
# End-to-end tests of `sysgate dump` against the kernel: the filters a command installs
# (traced, as root and as nobody), and the filter stack of a running process (root only; as
# nobody the error says CAP_SYS_ADMIN is needed). install_filters installs known filters:
# filter i fails syscall 100000+i with errno i (tests/helpers/known_filters.h).
# Usage: dump_test.sh SYSGATE_BINARY INSTALL_FILTERS_BINARY
set -uo pipefail
sg=$1
helper=$2
source "$(dirname "$0")/lib.sh"
make_scratch

# ---- a command's filters ----
expect "first filter, then killed" 0 "ERRNO(1)" -- "$sg" dump -- "$helper" seccomp prctl pause
expect "says it killed it"  0 "killed $helper after 1 filter" -- "$sg" dump -- "$helper" seccomp prctl pause
expect "header"             0 "filter 1: seccomp(SECCOMP_SET_MODE_FILTER, 0) by thread" -- "$sg" dump -- "$helper" seccomp
expect "prctl"              0 "filter 1: prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER)" -- "$sg" dump -- "$helper" prctl
expect "flags"              0 "seccomp(SECCOMP_SET_MODE_FILTER, TSYNC) by thread" -- "$sg" dump -- "$helper" tsync
expect "refused"            0 "0 instructions: refused: EINVAL" -- "$sg" dump -- "$helper" bad
expect "all to the end"     0 "ERRNO(3)" -- "$sg" dump --limit 0 -- "$helper" seccomp prctl log
expect "no filter"          1 "installed no seccomp filter" -- "$sg" dump -- true
expect "cannot run"         1 "cannot run /nonexistent" -- "$sg" dump -- /nonexistent
expect "nothing to dump"    2 "give a process id" -- "$sg" dump
expect "bad format"         2 "unknown output format" -- "$sg" dump -f nope -- "$helper" seccomp

"$sg" dump --limit 0 -f raw -o "$tmp/f.bpf" -- "$helper" seccomp log 2>/dev/null
expect "raw, a file each"   0 "ERRNO(2)" -- "$sg" disasm "$tmp/f.bpf.2"
expect "raw needs -o"       2 "with --limit 0 give -o FILE" -- "$sg" dump --limit 0 -f hex -- "$helper" seccomp log
expect "...before running"  2 "give -o FILE" -- "$sg" dump --limit 0 -f hex -- sh -c "echo ran > \"$tmp/ran\""
[[ -e $tmp/ran ]] && { echo "FAIL: the command ran though its output could not be written"; fail=$((fail + 1)); }
"$sg" dump -f hex -o "$tmp/one.hex" -- "$helper" seccomp 2>/dev/null
expect "one filter, one file" 0 "ERRNO(1)" -- "$sg" disasm "$tmp/one.hex"

json=$("$sg" dump --json --limit 0 -- "$helper" seccomp log 2>&1)
expect "json" 0 "seccomp LOG 4 killed=False" -- "$py" -c '
import json, sys
j = json.loads(sys.argv[1]); f = j["filters"][1]
print(f["syscall"], " ".join(f["flags"]), len(f["program"]), "killed=%s" % (j["ended"] == "killed"))' "$json"

# --continue: the command goes on, untraced, and installs the rest (its exit is 0).
expect "continue"           0 "ERRNO(1)" -- "$sg" dump --continue -- sh -c "\"$helper\" seccomp prctl && echo went-on"
expect "continue runs on"   0 "went-on" -- "$sg" dump --continue -- sh -c "\"$helper\" seccomp prctl && echo went-on"

# ---- a running process's stack ----
# start_paused STEPS...: install_filters STEPS pause in the background (as $as, if set), its
# pid in $pid; stop_paused lets it exit.
start_paused() {
  rm -f "$tmp/in" "$tmp/ready"
  mkfifo -m 666 "$tmp/in"
  ${as:-} "$helper" "$@" pause < "$tmp/in" > "$tmp/ready" &
  exec 9> "$tmp/in"
  for _ in $(seq 200); do [[ -s $tmp/ready ]] && break; sleep 0.05; done
  pid=$(awk '{print $2}' "$tmp/ready")
}
stop_paused() { exec 9>&-; wait; }

seccomp_self=$(awk '/^Seccomp:/ {print $2}' /proc/self/status)
if [[ $(id -u) == 0 && $seccomp_self == 0 ]]; then
  start_paused seccomp prctl log
  expect "stack"            0 "filter 3 of 3 (newest, runs first), 4 instructions, flags LOG" -- "$sg" dump "$pid"
  expect "stack oldest"     0 "filter 1 of 3 (oldest)" -- "$sg" dump "$pid"
  expect "stack json"       0 "3 LOG" -- "$py" -c '
import json, subprocess, sys
j = json.loads(subprocess.run([sys.argv[1], "dump", "--json", sys.argv[2]], capture_output=True).stdout)
print(len(j["filters"]), " ".join(j["filters"][2]["flags"]))' "$sg" "$pid"
  "$sg" dump -f raw -o "$tmp/stack.bpf" "$pid"
  expect "stack raw"        0 "ERRNO(2)" -- "$sg" disasm "$tmp/stack.bpf.2"
  if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
    nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
    expect "nobody, root's process" 1 "CAP_SYS_ADMIN" -- "${nobody[@]}" "$sg" dump "$pid"
    stop_paused
    as="${nobody[*]}" start_paused seccomp
    expect "nobody, own process" 1 "needs CAP_SYS_ADMIN (run sysgate dump as root)" -- "${nobody[@]}" "$sg" dump "$pid"
    stop_paused
    expect "nobody, a command" 0 "ERRNO(1)" -- "${nobody[@]}" "$sg" dump -- "$helper" seccomp
    # sysgate run makes its supervised program non-dumpable: nobody cannot read the program it
    # installs, and says so rather than listing 0 instructions; root can.
    expect "nobody, unreadable program" 1 "cannot read the program of filter 1 from thread" -- "${nobody[@]}" "$sg" dump -- "$sg" run -- true
    expect "nobody, unreadable: header" 1 "its program not read: installed" -- "${nobody[@]}" "$sg" dump -- "$sg" run -- true
    expect "root reads it"    0 "instructions: installed" -- "$sg" dump -- "$sg" run -- true
  else
    stop_paused
    echo "skip: setpriv or user nobody missing; dump as nobody is not tested"
  fi
  start_paused
  expect "no filter"        1 "has no seccomp filter" -- "$sg" dump "$pid"
  stop_paused
else
  echo "skip: reading a process's filters needs root and no filter on the test itself (Seccomp: $seccomp_self)"
fi
gone=999999999  # above any pid_max (at most 2^22): never a process dump could attach to
expect "no such process"    1 "no process or thread $gone" -- "$sg" dump "$gone"

finish
