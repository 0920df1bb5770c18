#!/usr/bin/env bash
# End-to-end tests of `sysgate run`: real programs under real filters.
# Usage: run_test.sh SYSGATE_BINARY
set -uo pipefail
sg=$1
source "$(dirname "$0")/lib.sh"
make_scratch

# ---- exit status mirrors the program ----
expect "exit code"          7   "" -- "$sg" run -- sh -c 'exit 7'
expect "success"            0   "hello" -- "$sg" run -- echo hello
expect "signal 128+n"       143 "" -- "$sg" run -- sh -c 'kill -TERM $$'
expect "not found"          127 "cannot run 'no-such-program'" -- "$sg" run -- no-such-program
printf '#!/bin/sh\necho hi\n' > "$tmp/noexec.sh"
expect "not executable"     126 "Permission denied" -- "$sg" run -- "$tmp/noexec.sh"

# ---- the default profile: common programs run ----
expect "sh pipeline"        0   "3" -- "$sg" run -- sh -c 'printf "a\nb\nc\n" | wc -l'
expect "ls"                 0   "passwd" -- "$sg" run -- ls /etc
expect "cat"                0   "root:" -- "$sg" run -- cat /etc/passwd
mkdir -p "$tmp/t" && echo data > "$tmp/t/f"
expect "tar"                0   "t/f" -- "$sg" run -- tar -C "$tmp" -czvf "$tmp/t.tgz" t
expect "python3 threads"    0   "done" -- "$sg" run -- "$py" -c 'import threading; t = threading.Thread(target=print, args=("x",)); t.start(); t.join(); print("done")'
# ---- ... and dangerous calls are refused with the right errno ----
# (The supervisor answers them: where the environment's own filter answers a call first, in a
# container, the check is skipped, saying so. expect_call, lib.sh.)
expect_reaching unshare,0x10000000 "unshare EPERM" 1 "Operation not permitted" -- "$sg" run -- unshare -U true
expect_call "mount EPERM"       0 "errno 1"  165,0,0,0,0,0
expect_call "io_uring ENOSYS"   0 "errno 38" 425,1,0
expect_call "clone3 ENOSYS"     0 "errno 38" 435,0,0
expect_call "AF_VSOCK refused"  0 "errno 1"  41,40,1,0
expect_call "AF_ALG junk upper" 0 "errno 1"  41,0x100000026,5,0   # AF_ALG | 1 << 32
expect_call "newer syscall"     0 "errno 38" 1000
expect_call "personality"       0 "errno 1"  135,0x0040000
expect_call "ptrace EPERM"      0 "errno 1"  101,0x10,2147483647,0,0
expect_call "strict prctl PR_SET_MM" 0 "errno 1" 157,35,0,0,0,0 --profile strict
expect "strict prctl NNP ok" 0  "errno 0" -- "$sg" run --profile strict -- "$py" -c "$(sys '157, 38, 1, 0, 0, 0')"
expect_call "strict ptrace"     0 "errno 1"  101,0x10,2147483647,0,0 --profile strict

expect_call "clone NEWUSER"     0 "errno 1"  56,0x10000011,0,0,0,0   # CLONE_NEWUSER | SIGCHLD
expect "grandchild filtered" 0  "Seccomp:	2" -- "$sg" run -- sh -c 'sh -c "grep -E ^Seccomp: /proc/self/status"'
# TIOCSTI: the program runs in a new session, so the terminal it inherited is not its
# controlling terminal and it cannot push input into it (CVE-2017-5226).
expect "no TIOCSTI"         0   "TIOCSTI errno 1" -- "$py" -c '
import os, pty, subprocess, sys
master, slave = pty.openpty()
code = "import fcntl, termios; fcntl.ioctl(0, termios.TIOCSTI, b\"x\")"
r = subprocess.run([sys.argv[1], "run", "--", sys.argv[2], "-c", code], stdin=slave, capture_output=True)
print("TIOCSTI errno 1" if b"Operation not permitted" in r.stderr else r.stderr.decode())
' "$sg" "$py"
# ... and as root (CAP_SYS_ADMIN may use TIOCSTI on any terminal) under a policy that allows
# every ioctl: the terminal rule in front of the policy stops it; --no-new-session shares the
# terminal on purpose (the control: the injection is real).
printf 'default allow\n' > "$tmp/allowall.sgp"
tiocsti_any='import fcntl, pty, termios
m, s = pty.openpty()
try:
    fcntl.ioctl(s, termios.TIOCSTI, b"x"); print("injected")
except OSError as e:
    print("TIOCSTI errno", e.errno)'
if need root; then
  expect "root: no TIOCSTI anywhere" 0 "TIOCSTI errno 1" -- "$sg" run -p "$tmp/allowall.sgp" -- "$py" -c "$tiocsti_any"
  expect "root: the rule is named" 0 "rule <sysgate: no terminal injection>" -- "$sg" run -p "$tmp/allowall.sgp" -- "$py" -c "$tiocsti_any"
  # The control, where root may inject without sysgate (not without CAP_SYS_ADMIN: containers).
  if [[ $("$py" -c "$tiocsti_any" 2>&1) == injected ]]; then
    expect "root: --no-new-session shares" 0 "injected" -- "$sg" run --no-new-session -p "$tmp/allowall.sgp" -- "$py" -c "$tiocsti_any"
  else
    skip_part "TIOCSTI fails here without sysgate too (no CAP_SYS_ADMIN?): the --no-new-session control is not made"
  fi
else
  skip_part "root's TIOCSTI is not tested: $why"
fi
# no_new_privs: a setuid binary does not gain privileges under the filter (THREATS row 22).
if need nobody; then
  cp /usr/bin/id "$tmp/suid-id" && chown root:root "$tmp/suid-id" && chmod 4755 "$tmp/suid-id"
  expect "setuid ignored"   0   "65534" -- setpriv --reuid=nobody --regid=nogroup --clear-groups "$sg" run -- "$tmp/suid-id" -u
else
  skip_part "a setuid binary run by nobody is not tested: $why"
fi

# ---- a policy that kills ----
cat > "$tmp/kill.sgp" <<'POLICY'
default allow
kill-process mincore
errno(EACCES) getuid
POLICY
expect "kill is 159"        159 "killed by the filter (SIGSYS)" -- "$sg" run -p "$tmp/kill.sgp" -- "$py" -c "$(sys '27, 0, 0, 0')"
expect "errno rule"         0   "errno 13" -- "$sg" run -p "$tmp/kill.sgp" -- "$py" -c "$(sys '102')"
# KILL_PROCESS takes down every thread, not only the caller (THREATS row 29).
expect "kill all threads"   159 "" -- "$sg" run -p "$tmp/kill.sgp" -- "$py" -c '
import ctypes, os, threading, time
threading.Thread(target=ctypes.CDLL(None).syscall, args=(27, 0, 0, 0)).start()
time.sleep(2)
os._exit(42)'

# ---- reports of blocked calls, and the runner's own exec ----
printf 'default allow\nerrno(EPERM) execve\n' > "$tmp/noexec.sgp"
expect "exec gate"          0   "" -- "$sg" run -p "$tmp/noexec.sgp" -- touch "$tmp/gate"
expect "gate ran program"   0   "" -- test -e "$tmp/gate"
expect "later exec denied"  126 'sysgate: blocked execve("/bin/true", ["/bin/true"], 0x' -- "$sg" run -p "$tmp/noexec.sgp" -- sh -c '/bin/true'
expect "report has rule"    126 "= -1 EPERM (Operation not permitted)  [x86_64 #59, pid " -- "$sg" run -p "$tmp/noexec.sgp" -- sh -c '/bin/true'
expect "report names file"  126 "rule $tmp/noexec.sgp:2:1]" -- "$sg" run -p "$tmp/noexec.sgp" -- sh -c '/bin/true'
printf 'default allow\nerrno(EACCES) openat if (flags & O_ACCMODE) != O_RDONLY\n' > "$tmp/ro.sgp"
expect "openat report"      2   "sysgate: blocked openat(AT_FDCWD, \"$tmp/w\", O_WRONLY|O_CREAT|O_TRUNC, 0666) = -1 EACCES (Permission denied)" -- "$sg" run -p "$tmp/ro.sgp" -- sh -c "echo x > $tmp/w"
expect_call "socket report" 0 "sysgate: blocked socket(AF_VSOCK, SOCK_STREAM, 0) = -1 EPERM (Operation not permitted)  [x86_64 #41" 41,40,1,0
# Kill verdicts are the kernel's (docs/run.md "Safety"): reported from the program's death, and
# honestly: a SIGSYS the program sends itself is not the filter's.
expect "kill report"        159 "sysgate: $py (pid " -- "$sg" run -p "$tmp/kill.sgp" -- "$py" -c "$(sys '27, 0, 0, 0')"
expect "kill json"          159 '"killed_by_filter":true' -- "$sg" run --json -p "$tmp/kill.sgp" -- "$py" -c "$(sys '27, 0, 0, 0')"
out=$("$sg" run -p "$tmp/kill.sgp" -- "$py" -c 'import os, signal; os.kill(os.getpid(), signal.SIGSYS)' 2>&1)
expect "self SIGSYS: said"  0   "was killed by SIGSYS" -- echo "$out"
expect "self SIGSYS: not the filter" 1 "" -- grep -q "by the filter" <<<"$out"
expect "self SIGSYS json"   159 '"killed_by_filter":false' -- "$sg" run --json -p "$tmp/kill.sgp" -- "$py" -c 'import os, signal; os.kill(os.getpid(), signal.SIGSYS)'
expect "kill is not reported as blocked" 1 "" -- grep -q "blocked mincore" < <("$sg" run -p "$tmp/kill.sgp" -- "$py" -c "$(sys '27, 0, 0, 0')" 2>&1)
# unshare -U's unshare(CLONE_NEWUSER): blocked, and reported unless asked not to.
if need reaches:unshare,0x10000000; then
  expect "json report"        1   '"event":"blocked"' -- "$sg" run --json -- unshare -U true
  expect "quiet"              1   "unshare failed" -- "$sg" run -q -- unshare -U true
  out=$("$sg" run -q -- unshare -U true 2>&1)
  expect "quiet has no report" 1  "" -- grep -q "sysgate: blocked" <<<"$out"
else
  not_checked "the reports of a blocked unshare -U"
fi
expect "no listener in target" 0 "" -- "$sg" run -- sh -c '! ls -l /proc/self/fd | grep -q "seccomp notify"'

# The runner's own exec is let through, and nothing else (THREATS row 34): a policy that allows
# execve leaves no exemption over for the program's first denied exec.
printf 'default allow\nerrno(EPERM) execveat\n' > "$tmp/noexecveat.sgp"
expect "exemption: execveat denied"   0 "errno 1" -- "$sg" run -p "$tmp/noexecveat.sgp" -- "$py" -c "$memfd_execveat"
printf 'default allow\nerrno(EPERM) execve if envp == 0\n' > "$tmp/nullenv.sgp"
expect "exemption: NULL envp denied"  0 "errno 1" -- "$sg" run -p "$tmp/nullenv.sgp" -- "$py" -c "$execve_null_envp"
printf 'default allow\nkill-process execveat\n' > "$tmp/killexecveat.sgp"
expect "exemption: execveat killed"   159 "" -- "$sg" run -p "$tmp/killexecveat.sgp" -- "$py" -c "$memfd_execveat"
# A policy that kills execve still starts its program (the gate lets the runner's exec through),
# and kills the program's own exec.
printf 'default allow\nkill-process execve, execveat\n' > "$tmp/killexec.sgp"
expect "exemption: kill policy starts" 0 "started" -- "$sg" run -p "$tmp/killexec.sgp" -- echo started
expect "exemption: then kills exec"   159 "" -- "$sg" run -p "$tmp/killexec.sgp" -- "$py" -c "$execve_null_envp"
if need nobody; then
  expect "exemption: execveat denied (nobody)" 0 "errno 1" -- setpriv --reuid=nobody --regid=nogroup --clear-groups "$sg" run -p "$tmp/noexecveat.sgp" -- "$py" -c "$memfd_execveat"
else
  skip_part "the exemption is not tested for nobody: $why"
fi

# Every action, end to end.
printf 'default allow\nkill-thread mincore\ntrap(5) getppid\ntrace(3) getpgid\nlog getpid\nnotify getpgrp\n' > "$tmp/actions.sgp"
# kill-thread leaves the rest of the process running (half alive: a join would wait forever).
expect "kill-thread"        0   "main thread goes on" -- "$sg" run -p "$tmp/actions.sgp" -- "$py" -c '
import ctypes, os, threading, time
threading.Thread(target=ctypes.CDLL(None).syscall, args=(27, 0, 0, 0), daemon=True).start()
time.sleep(0.5)
print("main thread goes on", flush=True)
os._exit(0)'
expect "trap is SIGSYS"     159 "" -- "$sg" run -p "$tmp/actions.sgp" -- "$py" -c "$(sys '110')"
expect "trace: no tracer"   0   "errno 38" -- "$sg" run -p "$tmp/actions.sgp" -- "$py" -c "$(sys '121, 0')"
expect "log runs the call"  0   "errno 0" -- "$sg" run -p "$tmp/actions.sgp" -- "$py" -c "$(sys '39')"
expect "notify: no handler" 0   "errno 38" -- "$sg" run -p "$tmp/actions.sgp" -- "$py" -c "$(sys '111')"
expect "notify: reported as ENOSYS" 0 "blocked getpgrp() = -1 ENOSYS (Function not implemented), no handler for notify" -- "$sg" run -p "$tmp/actions.sgp" -- "$py" -c "$(sys '111')"

# The runner killed while the program runs: the program dies with it (parent-death signal),
# and a call the supervisor would have decided never runs.
printf 'default allow\nerrno(EPERM) mkdirat, mkdir\n' > "$tmp/nomkdir.sgp"
"$sg" run -q -p "$tmp/nomkdir.sgp" -- sh -c "sleep 1; mkdir $tmp/made; sleep 5; touch $tmp/late" &
runner=$!
sleep 0.5
kill -9 "$runner"
wait "$runner" 2>/dev/null
sleep 2
expect "runner killed: no mkdir" 1 "" -- test -e "$tmp/made"
expect "runner killed: target gone" 1 "" -- test -e "$tmp/late"

# Stopped while its program floods it with blocked calls: the runner passes SIGTERM on, sees the
# exit among the calls, and ends (it once looped on calls that had gone away, never looking at
# the exit).
if need reaches:unshare,0x10000000; then
  "$sg" run -q -- "$py" -c '
import ctypes, threading
l = ctypes.CDLL(None)
def flood():
    while True: l.syscall(272, 0x10000000)
for _ in range(8): threading.Thread(target=flood, daemon=True).start()
threading.Event().wait()' &
  runner=$!
  sleep 1
  start=$(date +%s%N)
  kill -TERM "$runner"
  for _ in $(seq 50); do kill -0 "$runner" 2>/dev/null || break; sleep 0.1; done
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  expect "SIGTERM amid blocked calls: ended ($ms ms)" 1 "" -- kill -0 "$runner"
  kill -KILL "$runner" 2>/dev/null
  wait "$runner" 2>/dev/null
else
  not_checked "SIGTERM amid blocked calls"
fi

# ---- audit: permissive mode reports and never blocks ----
printf 'default allow\nerrno(EPERM) mkdir, mkdirat\nkill-process getppid\ntrap rmdir\n' > "$tmp/audit.sgp"
expect "audit: call runs"     0 "made" -- "$sg" run --audit -p "$tmp/audit.sgp" -- sh -c "mkdir $tmp/aud && test -d $tmp/aud && rmdir $tmp/aud && echo made"
expect "audit: reported"      0 "mkdir(\"$tmp/aud2\", 0777) would be stopped: errno(EPERM)" -- "$sg" run --audit -p "$tmp/audit.sgp" -- mkdir "$tmp/aud2"
expect "audit: rule named"    0 "rule $tmp/audit.sgp:2:1" -- "$sg" run --audit -p "$tmp/audit.sgp" -- mkdir "$tmp/aud3"
expect "audit: kill survives" 0 "errno 0" -- "$sg" run --audit -p "$tmp/audit.sgp" -- "$py" -c "$(sys '110')"
# An x32 call (0x40000000 | getpid) under an x86_64 policy: reported as the kill it would be;
# it runs (this kernel has no x32: ENOSYS).
expect "audit: x32 reported" 0 "would be stopped: kill-process  [x32 #1073741863" -- "$sg" run --audit -p "$tmp/audit.sgp" -- "$py" -c "$(sys '0x40000027')"
expect "audit: x32 runs"     0 "errno 38" -- "$sg" run --audit -p "$tmp/audit.sgp" -- "$py" -c "$(sys '0x40000027')"
expect "audit: summary"       0 "1 call would have been stopped:" -- "$sg" run --audit -p "$tmp/audit.sgp" -- rmdir "$tmp/aud2"
expect "audit: nothing"       0 "would not have stopped anything" -- "$sg" run --audit -p "$tmp/audit.sgp" -- true
"$sg" run -q --audit --audit-log "$tmp/audit.jsonl" -p "$tmp/audit.sgp" -- sh -c "mkdir $tmp/aud4; rmdir $tmp/aud4" >/dev/null 2>&1
expect "audit log: json"      0 '"syscall":"mkdir"' -- cat "$tmp/audit.jsonl"
expect "audit log: lines"     0 "" -- "$py" -c "import json,sys; [json.loads(l) for l in open('$tmp/audit.jsonl')]"
expect "audit log: trap"      0 '"action":"trap"' -- cat "$tmp/audit.jsonl"
expect "audit log: text too"  0 "would be stopped" -- "$sg" run --audit --audit-log "$tmp/audit2.jsonl" -p "$tmp/audit.sgp" -- mkdir "$tmp/aud5"
expect "audit: json on stderr" 0 '"event":"audit"' -- "$sg" run --audit --json -p "$tmp/audit.sgp" -- rmdir "$tmp/aud5"
out=$("$sg" run --audit -p "$tmp/audit.sgp" -- sh -c "for i in 1 2 3 4 5; do mkdir $tmp/r\$i; done" 2>&1)
expect "audit: repeats counted" 0 "(further ones only counted)" -- echo "$out"
expect "audit: three shown"   0 "" -- test "$(grep -c 'mkdir(.*would be stopped' <<<"$out")" -eq 3
expect "audit: all counted"   0 "       5  mkdir" -- echo "$out"
expect "audit: not with --no-report" 2 "cannot be combined" -- "$sg" run --audit --no-report -p "$tmp/audit.sgp" -- true
expect "audit log: unwritable" 125 "cannot write the audit log" -- "$sg" run --audit --audit-log /nonexistent/x -p "$tmp/audit.sgp" -- true
# A log option never turns enforcement off: --audit-log without --audit is refused, and the
# program does not run (it once ran permissively: the mkdir the policy denies succeeded).
expect "audit log alone: refused" 2 "--audit-log is for --audit" -- "$sg" run --audit-log "$tmp/audit3.jsonl" -p "$tmp/audit.sgp" -- mkdir "$tmp/aud6"
expect "audit log alone: not run" 0 "" -- test ! -e "$tmp/aud6"
# An empty policy name (an unset $POLICY) is no policy: it does not mean the default profile.
expect "empty -p refused" 2 "--policy needs a file name" -- "$sg" run -p "" -- mkdir "$tmp/aud7"
expect "empty -p: not run" 0 "" -- test ! -e "$tmp/aud7"

# ---- fail closed: nothing runs when setup cannot complete ----
rm -f "$tmp/marker"
printf 'default allow\nallow opne\n' > "$tmp/broken.sgp"
expect "bad policy"         125 "unknown syscall 'opne'" -- "$sg" run -p "$tmp/broken.sgp" -- touch "$tmp/marker"
expect "marker absent 1"    1   "" -- test -e "$tmp/marker"
expect "no report: execve"  125 "must allow it without the supervisor" -- "$sg" run --no-report -p "$tmp/noexec.sgp" -- touch "$tmp/marker"
expect "marker absent 2"    1   "" -- test -e "$tmp/marker"
"$py" -c '
print("default allow")
print("errno(EPERM) read, write if arg0 in {" + ", ".join(str(i) for i in range(5000)) + "}")' > "$tmp/huge.sgp"
expect "filter too large"   125 "more than the kernel's limit of 4096" -- "$sg" run -p "$tmp/huge.sgp" -- touch "$tmp/marker"
expect "marker absent 5"    1   "" -- test -e "$tmp/marker"
expect "both -p and profile" 125 "not both" -- "$sg" run -p "$tmp/kill.sgp" --profile strict -- touch "$tmp/marker"
expect "marker absent 3"    1   "" -- test -e "$tmp/marker"
expect "unknown profile"    125 "no built-in profile 'nope'" -- "$sg" run --profile nope -- touch "$tmp/marker"
expect "marker absent 4"    1   "" -- test -e "$tmp/marker"

# ---- what the program inherits ----
expect "no_new_privs"       0   "NoNewPrivs:	1" -- "$sg" run -- grep NoNewPrivs /proc/self/status
expect "seccomp mode 2"     0   "Seccomp:	2" -- "$sg" run -- grep -E '^Seccomp:' /proc/self/status
exec 7>"$tmp/inherited"
expect_line "fds closed"         0   "0 1 2 3" -- "$sg" run -- sh -c 'cd /proc/self/fd && echo $(ls | sort -n)'
expect "keep-fd"            0   "7" -- "$sg" run --keep-fd 7 -- sh -c 'ls /proc/self/fd'
exec 7>&-
# A kept fd that is not open would take the number of the runner's own pipe (THREATS row 36):
# refused, and the program never runs. And the program sees none of the runner's fds.
rm -f "$tmp/marker"
expect "keep-fd not open"   125 "cannot keep fd 7 for 'touch': it is not open" -- "$sg" run --keep-fd 7 -- touch "$tmp/marker"
expect "marker absent: keep-fd" 1 "" -- test -e "$tmp/marker"
expect_line "no runner fds"      0   "0 1 2 3" -- "$sg" run --keep-fd 2 -- sh -c 'cd /proc/self/fd && echo $(ls | sort -n)'

expect "new session"        0   "same" -- "$sg" run -- sh -c '[ "$(ps -o sid= $$ | tr -d " ")" = "$$" ] && echo same'
expect "env set"            0   "FOO=bar" -- "$sg" run --env FOO=bar -- sh -c 'env | grep FOO'
expect "env cleared"        0   "0" -- "$sg" run --clear-env --env A=1 -- /usr/bin/env sh -c 'env | grep -c HOME || true'
# ---- as an unprivileged user ----
if need nobody; then
  expect "as nobody"        0   "NoNewPrivs:	1" -- setpriv --reuid=nobody --regid=nogroup --clear-groups "$sg" run -- grep NoNewPrivs /proc/self/status
  expect_reaching unshare,0x10000000 "nobody blocked" 1 "Operation not permitted" -- setpriv --reuid=nobody --regid=nogroup --clear-groups "$sg" run -- unshare -U true
else
  skip_part "the unprivileged run is not tested: $why"
fi
expect "--tsync"            0   "Seccomp:	2" -- "$sg" run --tsync -- grep -E '^Seccomp:' /proc/self/status
expect "--log"              0   "hello" -- "$sg" run --log -- echo hello
expect "--spec-allow"       0   "Seccomp:	2" -- "$sg" run --spec-allow -- grep -E '^Seccomp:' /proc/self/status
# An OCI profile's flags are installed with it (SPEC_ALLOW, and WAIT_KILLABLE_RECV on the
# supervisor's listener), and the blocked call is still reported.
cat > "$tmp/flags.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "flags": ["SECCOMP_FILTER_FLAG_SPEC_ALLOW", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", "SECCOMP_FILTER_FLAG_LOG"],
 "syscalls": [{"names": ["unshare"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}
JSON
expect_reaching unshare,0x10000000 "oci flags" 1 "blocked unshare(CLONE_NEWUSER) = -1 EPERM" -- "$sg" run -p "$tmp/flags.json" -- unshare -U true
expect "--arch x86_64 only" 0   "hello" -- "$sg" run --arch x86_64 -- echo hello
expect "--arch unknown"     125 "unknown arch 'x86_65'; did you mean 'x86_64'?" -- "$sg" run --arch x86_65 -- echo hello
expect "drop caps"          0   "CapEff:	0000000000000000" -- "$sg" run --drop-caps -- grep CapEff /proc/self/status

finish
