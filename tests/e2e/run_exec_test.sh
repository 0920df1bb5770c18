#!/usr/bin/env bash
# End-to-end tests of `sysgate run --exec`: sysgate becomes the program (same pid, its own exit
# status, no process in between); blocked calls are answered and reported by a supervisor
# process that is not the program's child and outlives it.
# Usage: run_exec_test.sh SYSGATE_BINARY
set -uo pipefail
# The script runs in a session of its own, and the supervisors it starts stay in that session:
# that tells them from those of other tests running meanwhile. (Their environment cannot mark
# them: a supervisor is not dumpable, so an ordinary user cannot read its /proc/PID/environ.)
[[ $(ps -o sid= -p $$) -eq $$ ]] || exec setsid -w "$0" "$@"
sg=$1
source "$(dirname "$0")/lib.sh"
make_scratch

# ours COMM: the pids of live processes named COMM in this session (zombies waiting for init
# do not count).
ours() {
  local p
  for p in $(pgrep -s $$ -x "$1"); do
    [[ $(ps -o stat= -p "$p") == Z* ]] && continue
    echo "$p"
  done
  return 0  # a process gone meanwhile is not a failure
}
supervisors() { ours sysgate-sup | wc -l; }

# ---- the program is sysgate's process ----
expect "exit code"          7   "" -- "$sg" run --exec -- sh -c 'exit 7'
expect "signal: its own"    143 "" -- "$sg" run --exec -- sh -c 'kill -TERM $$'
expect "same pid"           0   "same" -- sh -c 'p=$$; exec "$1" run --exec -- sh -c "[ \$\$ = $p ] && echo same"' sh "$sg"
expect "filter on"          0   "Seccomp:	2" -- "$sg" run --exec -- grep -E '^Seccomp:' /proc/self/status
expect "no_new_privs"       0   "NoNewPrivs:	1" -- "$sg" run --exec -- grep NoNewPrivs /proc/self/status
# The supervisor is started through an intermediate that exits: the program has no child it
# did not make.
expect "no extra child"     0   "children:[]" -- "$sg" run --exec -- "$py" -c '
import os, time
time.sleep(0.2)
print("children:[%s]" % open("/proc/self/task/%d/children" % os.getpid()).read().strip())'
expect "no listener in target" 0 "" -- "$sg" run --exec -- sh -c '! ls -l /proc/self/fd | grep -q "seccomp notify"'
# A signal to the pid the shell knows reaches the program itself.
expect "kill reaches it"    0   "143 sleep" -- sh -c '"$1" run --exec -- sleep 5 & p=$!
  for i in $(seq 50); do [ "$(ps -o comm= -p $p)" = sleep ] && break; sleep 0.1; done
  c=$(ps -o comm= -p $p); kill -TERM $p; wait $p; echo "$? $c"' sh "$sg"
expect "pipeline"           0   "hi" -- timeout 10 sh -c '"$1" run --exec -- echo hi | cat' sh "$sg"
# Started with stdin, stdout or stderr closed: the program finds them closed, the supervisor's
# own fds took none of their places (it lets go of 0 and 1 after the exec), and it reports.
# (unshare -U's unshare(CLONE_NEWUSER) is the blocked call that shows the supervisor at work:
# where the environment's own filter answers it first, in a container, the supervisor never
# sees it, and those checks are skipped, saying so. expect_reaching, lib.sh.)
expect_reaching unshare,0x10000000 "stdin closed" 1 "sysgate: blocked unshare(CLONE_NEWUSER)" -- sh -c '"$1" run --exec -- sh -c "[ ! -e /proc/self/fd/0 ] && unshare -U true" <&-' sh "$sg"
expect_reaching unshare,0x10000000 "stdout closed" 1 "sysgate: blocked unshare(CLONE_NEWUSER)" -- sh -c '"$1" run --exec -- sh -c "[ ! -e /proc/self/fd/1 ] && unshare -U true" >&-' sh "$sg"
expect "stderr closed"      0   "closed" -- sh -c '"$1" run --exec -- sh -c "[ ! -e /proc/self/fd/2 ] && echo closed" 2>&-' sh "$sg"
# ... and does not spin meanwhile: CPU ticks the helper spends while the program sleeps (the
# difference between two readings, so that start-up work, slow under the sanitizers, is not
# counted).
helper_ticks() {
  local p t=0
  for p in $(ours sysgate); do
    read -r -a st < <(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null) || continue
    t=$((t + st[11] + st[12]))
  done
  echo "$t"
}
"$sg" run --exec -- sleep 3 <&- &
sleep 1
before=$(helper_ticks)
helpers=$(ours sysgate | wc -l)
sleep 1
ticks=$(($(helper_ticks) - before))
wait
expect "helper found"       0   "" -- test "$helpers" -ge 1   # else the next check measures nothing
expect "helper idle ($ticks ticks in 1 s)" 0 "" -- test "$ticks" -lt 10
expect "not found"          127 "cannot run 'no-such-program'" -- "$sg" run --exec -- no-such-program
printf '#!/bin/sh\necho hi\n' > "$tmp/noexec.sh"
expect "not executable"     126 "Permission denied" -- "$sg" run --exec -- "$tmp/noexec.sh"

# ---- blocked calls: answered and reported by the supervisor ----
if need reaches:unshare,0x10000000; then
  expect "blocked, reported"  1   "sysgate: blocked unshare(CLONE_NEWUSER) = -1 EPERM (Operation not permitted)" -- "$sg" run --exec -- unshare -U true
  expect "json report"        1   '"event":"blocked"' -- "$sg" run --exec --json -- unshare -U true
  out=$("$sg" run --exec -q -- unshare -U true 2>&1)
  expect "quiet"              1   "" -- grep -q "sysgate: blocked" <<<"$out"
else
  not_checked "the reports of a blocked unshare -U"
fi
# A descendant left running is still answered after the program exits (silently: the
# supervisor lets go of the program's stderr then), until no process uses the filter.
printf 'default allow\nerrno(EACCES) mkdir, mkdirat\n' > "$tmp/nomkdir.sgp"
expect "descendant answered" 0  "" -- "$sg" run --exec -p "$tmp/nomkdir.sgp" -- sh -c "(sleep 0.3; mkdir $tmp/late 2>$tmp/late.err) </dev/null >/dev/null 2>&1 &"
sleep 0.8
expect "descendant refused" 0   "Permission denied" -- cat "$tmp/late.err"
expect "supervisor gone"    0   "0" -- supervisors
# Whoever reads the program's output to its end (a shell's $(...), subprocess.run) is not kept
# waiting by the supervisor for a daemon the program left behind (one that let go of that
# output itself, and made a blocked call so that the supervisor process exists).
if need reaches:unshare,0x10000000; then
  start=$(date +%s%N)
  out=$(timeout 20 "$sg" run --exec -- sh -c 'unshare -U true; sleep 8 </dev/null >/dev/null 2>&1 &' 2>&1)
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  expect "capture: reported"  0   "blocked unshare" -- echo "$out"
  expect "capture: not held ($ms ms)" 0 "" -- test "$ms" -lt 6000
  expect "capture, python"    0   "done blocked unshare" -- timeout 20 "$py" -c '
import subprocess, sys
r = subprocess.run([sys.argv[1], "run", "--exec", "--", "sh", "-c", "unshare -U true; sleep 8 </dev/null >/dev/null 2>&1 &"], capture_output=True, timeout=6)
print("done", r.stderr.decode().split("sysgate: ")[1][:16])' "$sg"
else
  not_checked "capture (no supervisor is started: its blocked call never reaches it)"
fi
printf 'default allow\nkill-process mincore\nerrno(EACCES) getuid\n' > "$tmp/kill.sgp"
# A kill verdict is the kernel's: SIGSYS, as without the supervisor (docs/run.md "Safety").
expect "kill verdict"       159 "" -- "$sg" run --exec -p "$tmp/kill.sgp" -- "$py" -c "$(sys '27, 0, 0, 0')"
expect "errno verdict"      0   "errno 13" -- "$sg" run --exec -p "$tmp/kill.sgp" -- "$py" -c "$(sys '102')"
# sysgate's own execve is let through although the policy refuses execve; the program's are not.
printf 'default allow\nerrno(EPERM) execve\n' > "$tmp/noexec.sgp"
expect "exec gate"          0   "" -- "$sg" run --exec -p "$tmp/noexec.sgp" -- touch "$tmp/gate"
expect "gate ran program"   0   "" -- test -e "$tmp/gate"
expect "later exec denied"  126 'sysgate: blocked execve("/bin/true", ["/bin/true"], 0x' -- "$sg" run --exec -p "$tmp/noexec.sgp" -- sh -c '/bin/true'

# The runner's own exec is let through, and nothing else (THREATS row 34): a policy that allows
# execve leaves no exemption over for the program's first denied exec.
printf 'default allow\nerrno(EPERM) execveat\n' > "$tmp/noexecveat.sgp"
expect "--exec exemption: execveat denied"   0 "errno 1" -- "$sg" run --exec -p "$tmp/noexecveat.sgp" -- "$py" -c "$memfd_execveat"
printf 'default allow\nerrno(EPERM) execve if envp == 0\n' > "$tmp/nullenv.sgp"
expect "--exec exemption: NULL envp denied"  0 "errno 1" -- "$sg" run --exec -p "$tmp/nullenv.sgp" -- "$py" -c "$execve_null_envp"
printf 'default allow\nkill-process execveat\n' > "$tmp/killexecveat.sgp"
expect "--exec exemption: execveat killed"   159 "" -- "$sg" run --exec -p "$tmp/killexecveat.sgp" -- "$py" -c "$memfd_execveat"
# A policy that kills execve still starts its program (the gate lets the runner's exec through),
# and kills the program's own exec.
printf 'default allow\nkill-process execve, execveat\n' > "$tmp/killexec.sgp"
expect "--exec exemption: kill policy starts" 0 "started" -- "$sg" run --exec -p "$tmp/killexec.sgp" -- echo started
expect "--exec exemption: then kills exec"   159 "" -- "$sg" run --exec -p "$tmp/killexec.sgp" -- "$py" -c "$execve_null_envp"
if need nobody; then
  expect "--exec exemption: execveat denied (nobody)" 0 "errno 1" -- setpriv --reuid=nobody --regid=nogroup --clear-groups "$sg" run --exec -p "$tmp/noexecveat.sgp" -- "$py" -c "$memfd_execveat"
else
  skip_part "the --exec exemption is not tested for nobody: $why"
fi

# ---- without the supervisor: the kernel's verdicts, nothing reported ----
expect "no-report: EPERM"   1   "unshare failed: Operation not permitted" -- "$sg" run --exec --no-report -- unshare -U true
out=$("$sg" run --exec --no-report -- unshare -U true 2>&1)
expect "no-report: silent"  1   "" -- grep -q "sysgate: blocked" <<<"$out"
expect "no-report: kill"    159 "" -- "$sg" run --exec --no-report -p "$tmp/kill.sgp" -- "$py" -c "$(sys '27, 0, 0, 0')"
rm -f "$tmp/marker"
expect "no-report: execve"  125 "must allow it without the supervisor" -- "$sg" run --exec --no-report -p "$tmp/noexec.sgp" -- touch "$tmp/marker"
expect "marker absent"      1   "" -- test -e "$tmp/marker"

# ---- audit: the supervisor prints the summary when the last process is gone ----
printf 'default allow\nerrno(EPERM) mkdir, mkdirat\n' > "$tmp/audit.sgp"
expect "audit: call runs"   0   "would be stopped" -- "$sg" run --exec --audit -p "$tmp/audit.sgp" -- mkdir "$tmp/aud"
expect "audit: it ran"      0   "" -- test -d "$tmp/aud"
expect "audit: summary"     0   "1 call would have been stopped:" -- "$sg" run --exec --audit -p "$tmp/audit.sgp" -- mkdir "$tmp/aud2"
expect "audit: nothing"     0   "would not have stopped anything" -- "$sg" run --exec --audit -p "$tmp/audit.sgp" -- true
"$sg" run --exec -q --audit --audit-log "$tmp/audit.jsonl" -p "$tmp/audit.sgp" -- mkdir "$tmp/aud3" >/dev/null 2>&1
expect "audit log written"  0   '"syscall":"mkdir"' -- cat "$tmp/audit.jsonl"

# ---- what the program inherits ----
exec 7>"$tmp/inherited"
expect_line "fds closed"         0   "0 1 2 3" -- "$sg" run --exec -- sh -c 'cd /proc/self/fd && echo $(ls | sort -n)'
expect "keep-fd"            0   "7" -- "$sg" run --exec --keep-fd 7 -- sh -c 'ls /proc/self/fd'
exec 7>&-
rm -f "$tmp/marker"
expect "keep-fd not open"   125 "cannot keep fd 7 for 'touch': it is not open" -- "$sg" run --exec --keep-fd 7 -- touch "$tmp/marker"
expect "marker absent: keep-fd" 1 "" -- test -e "$tmp/marker"
expect "env set"            0   "FOO=bar" -- "$sg" run --exec --env FOO=bar -- sh -c 'env | grep FOO'
expect "drop caps"          0   "CapEff:	0000000000000000" -- "$sg" run --exec --drop-caps -- grep CapEff /proc/self/status
expect "same session"       0   "same" -- sh -c 'exec "$1" run --exec -- sh -c "[ \$(ps -o sid= \$\$) = $(ps -o sid= $$) ] && echo same"' sh "$sg"

# The terminal (CVE-2017-5226). sysgate gives up its controlling terminal, so TIOCSTI on it
# fails, and stays a job of the shell's session: Ctrl-C on the terminal reaches the program.
# Both as the job's process-group leader (what an interactive shell starts) and as a member of
# it (sysgate started by a script). Capabilities dropped (root may TIOCSTI any terminal) and
# ioctl allowed, so that only the terminal decides.
printf 'default allow\n' > "$tmp/allow.sgp"
cat > "$tmp/term_probe.py" <<'PY'
import os, pty, signal, sys
how, sg, py, policy, *extra = sys.argv[1:]
probe = ("import fcntl, os, termios\n"
         "try:\n fcntl.ioctl(0, termios.TIOCSTI, b'x'); print('tiocsti ok')\n"
         "except OSError as e: print('tiocsti errno', e.errno)\n"
         "try:\n os.open('/dev/tty', os.O_RDWR); print('ctty yes')\n"
         "except OSError as e: print('ctty errno', e.errno)\n"
         "import time\n"
         "try: print('ready', flush=True); time.sleep(5); print('no signal')\n"
         "except KeyboardInterrupt: print('interrupted')\n")
pid, master = pty.fork()
if pid == 0:  # a session leader with the pty as its controlling terminal, like a login shell
    child = os.fork()
    if child == 0:  # a job: its own process group, in the foreground
        os.setpgid(0, 0)
        signal.signal(signal.SIGTTOU, signal.SIG_IGN)  # a background group taking the terminal
        os.tcsetpgrp(0, os.getpgrp())
        signal.signal(signal.SIGTTOU, signal.SIG_DFL)
        argv = [sg, "run", "--exec", "--drop-caps", "-p", policy, *extra, "--", py, "-c", probe]
        if how == "member":  # a shell leads the group and starts sysgate (no exec: "; :")
            argv = ["/bin/sh", "-c", '"$0" "$@"; :', *argv]
        os.execv(argv[0], argv)
    os.waitpid(child, 0)
    os._exit(0)
out = b""
sent = False
while True:
    try:
        data = os.read(master, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
    if b"ready" in out and not sent:  # Ctrl-C on the terminal: SIGINT to its foreground group
        os.write(master, b"\x03")
        sent = True
os.waitpid(pid, 0)
print(out.decode(errors="replace"))
PY
for how in leader member; do
  out=$("$py" "$tmp/term_probe.py" $how "$sg" "$py" "$tmp/allow.sgp" 2>&1)
  expect "tty $how: TIOCSTI fails"     0 "tiocsti errno 1" -- echo "$out"
  expect "tty $how: no ctty"           0 "ctty errno 6" -- echo "$out"
  expect "tty $how: Ctrl-C reaches it" 0 "interrupted" -- echo "$out"
done
if [[ $(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null || echo 1) == 1 ]]; then
  out=$("$py" "$tmp/term_probe.py" leader "$sg" "$py" "$tmp/allow.sgp" --no-new-session 2>&1)
  expect "tty: kept if asked" 0 "tiocsti ok" -- echo "$out"
else
  skip_part "dev.tty.legacy_tiocsti is 0 (TIOCSTI off for everyone); the control run is not made"
fi

# ---- as an unprivileged user ----
if need nobody; then
  nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
  expect "nobody: filter"   0   "Seccomp:	2" -- "${nobody[@]}" "$sg" run --exec -- grep -E '^Seccomp:' /proc/self/status
  expect_reaching unshare,0x10000000 "nobody: reported" 1 "sysgate: blocked unshare(CLONE_NEWUSER)" -- "${nobody[@]}" "$sg" run --exec -- unshare -U true
  printf 'default allow\nerrno(EACCES) openat if (flags & O_ACCMODE) != O_RDONLY\n' > "$tmp/ro.sgp"
  expect "nobody: decoded"  2   "sysgate: blocked openat(AT_FDCWD, \"$tmp/ro\"" -- "${nobody[@]}" "$sg" run --exec -p "$tmp/ro.sgp" -- sh -c "echo x > $tmp/ro"
else
  skip_part "the unprivileged run is not tested: $why"
fi
# Once the daemons above (sleep 8) are gone, so are their supervisors.
for _ in $(seq 150); do [[ $(supervisors) == 0 ]] && break; sleep 0.1; done
expect "no supervisor left" 0   "0" -- supervisors

finish
