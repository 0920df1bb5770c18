#!/usr/bin/env bash
# End-to-end tests of `sysgate learn`: learn a policy from a real program, then replay the
# program under it with a kill default; it must end the same way, with the same output, and
# nothing blocked. Also: --args conditions hold, --merge unions runs, what tracers miss.
# Usage: learn_test.sh SYSGATE_BINARY
set -uo pipefail
sg=$1
source "$(dirname "$0")/lib.sh"
make_scratch

# replay NAME [--args] -- CMD...: learn CMD (in a fresh work dir), replay it in another fresh
# work dir, compare exit status and output.
replay() {
  local name=$1; shift
  local args=()
  [[ $1 == --args ]] && { args=(--args); shift; }
  shift  # --
  local policy="$tmp/$name.sgp" w1="$tmp/$name.1" w2="$tmp/$name.2"
  mkdir -p "$w1" "$w2"
  local out1 rc1 out2 rc2 err2
  out1=$(cd "$w1" && "$sg" learn -q "${args[@]}" -o "$policy" -- "$@" 2>/dev/null)
  rc1=$?
  out2=$(cd "$w2" && "$sg" run -p "$policy" -- "$@" 2>"$tmp/$name.err")
  rc2=$?
  err2=$(grep -E "sysgate: (blocked|.*killed)" "$tmp/$name.err")
  if [[ $rc1 -ne $rc2 || $out1 != "$out2" || -n $err2 ]]; then
    echo "FAIL: replay $name: learn exit $rc1, replay exit $rc2"
    [[ $out1 != "$out2" ]] && diff <(echo "$out1") <(echo "$out2") | head -10 | sed 's/^/    /'
    echo "$err2" | head -5 | sed 's/^/    /'
    fail=$((fail + 1))
  else
    pass=$((pass + 1))
  fi
}

# ---- replay: real programs run the same under what was learned ----
replay pipeline -- sh -c 'ls /usr/share | sort -r | head -5 | wc -c'
replay coreutils -- sh -c 'cp /etc/passwd p && chmod 600 p && stat -c %a p && wc -l < p && rm p && ls'
replay coreutils-args --args -- sh -c 'cp /etc/passwd p && chmod 600 p && stat -c %a p && wc -l < p && rm p && ls'
mkdir -p "$tmp/src" && cp -r /usr/share/doc/tar "$tmp/src/"
replay tar-gzip --args -- sh -c "tar -C '$tmp' -czf a.tgz src && mkdir x && tar -xzf a.tgz -C x && diff -r '$tmp/src' x/src && gzip -dc a.tgz | wc -c"
# A thread starts with clone3 (glibc passes a struct clone_args of 88 bytes, which no filter can
# read). Where the environment's filter fails clone3 first (a container's profile: ENOSYS, so
# that glibc falls back to clone), learning never sees it, and the replay's clone3 meets the
# learned policy's kill, which outranks the environment's errno: not replayed there.
if need reaches:clone3,0,88; then
  replay python-threads --args -- "$py" -c '
import json, threading, hashlib
out = []
ts = [threading.Thread(target=lambda i=i: out.append(hashlib.sha256(str(i).encode()).hexdigest()[:8])) for i in range(8)]
[t.start() for t in ts]; [t.join() for t in ts]
print(json.dumps(sorted(out)))'
else
  not_checked "replay python-threads"
fi
replay sort-parallel -- sh -c 'seq 200000 | sort -R --random-source=/etc/passwd --parallel=2 -S 1M | sort -n | tail -1'
if need program:git; then
  replay git --args -- sh -c 'export HOME=$PWD GIT_CONFIG_NOSYSTEM=1; git init -q r && cd r && echo hi > f && git add f && git -c user.name=t -c user.email=t@t commit -qm one && git log --format=%s && git status --short | wc -l'
else
  skip_part "$why"
fi
replay exit-status -- sh -c 'ls /nonexistent; exit 3'

# ---- --args makes the policy tight: what was not seen is killed ----
"$sg" learn -q --args -o "$tmp/ro.sgp" -- "$py" -c 'open("/etc/hostname").read()' >/dev/null 2>&1
expect "args: openat read-only" 0 "(flags & O_ACCMODE) == O_RDONLY" -- cat "$tmp/ro.sgp"
expect "args: read-only replays" 0 "" -- "$sg" run -p "$tmp/ro.sgp" -- "$py" -c 'open("/etc/hostname").read()'
# The kernel kills what the learned policy does not allow; --audit names the call.
expect "args: writing is killed" 159 "killed by the filter" -- "$sg" run -p "$tmp/ro.sgp" -- "$py" -c "open('$tmp/w', 'w')"
expect "args: audit names it" 0 "openat(AT_FDCWD, \"$tmp/w\", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0666) would be stopped: kill-process" -- "$sg" run --audit -p "$tmp/ro.sgp" -- "$py" -c "open('$tmp/w', 'w')"
"$sg" learn -q --args -o "$tmp/sock.sgp" -- "$py" -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM)' >/dev/null 2>&1
expect "args: socket pair recorded" 0 "family == AF_INET && type == SOCK_DGRAM | SOCK_CLOEXEC" -- cat "$tmp/sock.sgp"
expect "args: same socket replays" 0 "" -- "$sg" run -p "$tmp/sock.sgp" -- "$py" -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM)'
expect "args: other family killed" 159 "killed by the filter" -- "$sg" run -p "$tmp/sock.sgp" -- "$py" -c 'import socket; socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)'
expect "args: other family named" 0 "socket(AF_INET6" -- "$sg" run --audit -p "$tmp/sock.sgp" -- "$py" -c 'import socket; socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)'
expect "args: other type killed" 159 "killed by the filter" -- "$sg" run -p "$tmp/sock.sgp" -- "$py" -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM)'
expect "args: other type named" 0 "SOCK_STREAM" -- "$sg" run --audit -p "$tmp/sock.sgp" -- "$py" -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM)'
"$sg" learn -q -o "$tmp/noargs.sgp" -- "$py" -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_DGRAM)' >/dev/null 2>&1
expect "no --args: no conditions" 1 "" -- grep -E "^allow socket if" "$tmp/noargs.sgp"

# ---- what tracers miss is always there (THREATS rows 31, 32) ----
"$sg" learn -q -o "$tmp/date.sgp" -- date >/dev/null 2>&1
expect "vdso: raw clock_gettime allowed" 0 "allow  [clock_gettime" -- \
  "$sg" check "$tmp/date.sgp" clock_gettime
# A raw clock_gettime (the vDSO bypassed) under the policy learned from date: python's own
# start-up syscalls are learned from a plain python run, merged with date's.
"$sg" learn -q --merge "$tmp/date.sgp" -o "$tmp/date-py.sgp" -- "$py" -c 'import ctypes' >/dev/null 2>&1
expect "vdso: raw syscall runs" 0 "errno 0" -- "$sg" run -p "$tmp/date-py.sgp" -- "$py" -c '
import ctypes; l = ctypes.CDLL(None, use_errno=True); b = ctypes.create_string_buffer(16)
r = l.syscall(228, 0, b); print("errno", ctypes.get_errno() if r == -1 else 0)'
for s in rt_sigreturn restart_syscall exit exit_group gettimeofday time getcpu; do
  expect "always: $s" 0 "allow  [" -- "$sg" check "$tmp/date.sgp" "$s"
done
# SIGSTOP/SIGCONT during nanosleep: the kernel restarts it with restart_syscall.
"$sg" learn -q -o "$tmp/sleep.sgp" -- sleep 0.1 >/dev/null 2>&1
"$sg" run -q -p "$tmp/sleep.sgp" -- sleep 2 &
runner=$!
child=""
for _ in $(seq 50); do  # a slow start (a sanitized build) takes longer than a fixed wait
  child=$(pgrep -P "$runner" sleep) && break
  sleep 0.1
done
sleep 0.2  # into its nanosleep
expect "stop/cont: sleep found" 0 "" -- test -n "$child"
kill -STOP "$child"; sleep 0.2
expect "stop/cont: stopped" 0 "T" -- ps -o stat= -p "$child"
kill -CONT "$child"
wait "$runner"
expect "stop/cont during nanosleep" 0 "" -- test "$?" -eq 0

# ---- --merge unions runs and sums counts ----
"$sg" learn -q -o "$tmp/m1.sgp" -- sh -c 'mkdir d1' >/dev/null 2>&1
"$sg" learn -q -o "$tmp/m2.sgp" --merge "$tmp/m1.sgp" -- sh -c 'rmdir d1' >/dev/null 2>&1
expect "merge: first run's mkdir" 0 "allow mkdir" -- cat "$tmp/m2.sgp"
expect "merge: second run's rmdir" 0 "allow rmdir" -- cat "$tmp/m2.sgp"
expect "merge: the header says so" 0 "from: sh -c rmdir d1; merged with $tmp/m1.sgp" -- cat "$tmp/m2.sgp"
expect "merge: from a pipe" 0 "allow mkdir" -- "$sg" learn -q --merge <(cat "$tmp/m1.sgp") -- true
printf 'allow openat if mode == 3\n' > "$tmp/hand.sgp"
expect "merge: hand-written condition refused" 1 "hand.sgp:1:1: the condition" -- \
  "$sg" learn -q --merge "$tmp/hand.sgp" -o /dev/null -- true

# ---- output formats, counts, errors ----
expect "oci output has execve" 0 '"execve"' -- "$sg" learn -q -f oci -- true
expect "counts file" 0 "" -- "$sg" learn -q -o /dev/null --counts "$tmp/counts" -- ls /
expect "counts are name count" 0 "" -- grep -qE '^(openat|close|read) [0-9]+$' "$tmp/counts"
expect "freq from learn" 0 "expected" -- "$sg" stats "$tmp/date.sgp" --freq "$tmp/counts"
expect "no program" 2 "no program given" -- "$sg" learn
expect "bad default" 2 "not an action" -- "$sg" learn --default frobnicate -- true
expect "program exit status kept" 3 "ended with status 3" -- "$sg" learn -o /dev/null -- sh -c 'exit 3'
expect "summary" 0 "distinct" -- "$sg" learn -o /dev/null -- true
expect "env reaches the program" 0 "" -- "$sg" learn -q -o /dev/null --env SG_X=42 -- sh -c 'test "$SG_X" = 42'

# Processes the program leaves running: recorded only with --follow, until they exit or Ctrl-C.
daemon='(sleep 0.3; uname > /dev/null; exec true) & exit 3'
expect "no follow: exit status" 3 "" -- "$sg" learn -q -o "$tmp/nofollow.sgp" -- sh -c "$daemon"
expect "no follow: daemon not recorded" 1 "" -- grep -q '^allow uname' "$tmp/nofollow.sgp"
expect "follow: exit status" 3 "" -- "$sg" learn -q --follow -o "$tmp/follow.sgp" -- sh -c "$daemon"
expect "follow: daemon recorded" 0 "" -- grep -q '^allow uname' "$tmp/follow.sgp"
"$sg" learn -q --follow -o "$tmp/stopped.sgp" -- sh -c "sleep 20 & echo \$! > '$tmp/sleeper'; uname > /dev/null; exit 0" &
learner=$!
# Ctrl-C once the program has made its calls (slow starts under the sanitizers and load).
for _ in $(seq 200); do [[ -s $tmp/sleeper ]] && break; sleep 0.1; done
sleep 0.5
start=$(date +%s)
kill -INT "$learner"
wait "$learner"
rc=$?
expect "follow: Ctrl-C ends it" 0 "" -- test $(($(date +%s) - start)) -lt 5
expect "follow: status after Ctrl-C" 0 "" -- test "$rc" -eq 0
expect "follow: policy written" 0 "" -- grep -q '^allow uname' "$tmp/stopped.sgp"
p=$(cat "$tmp/sleeper")  # only if it is still our sleep: a pid of a process gone is reused
[[ $(tr '\0' ' ' < "/proc/$p/cmdline" 2>/dev/null) == "sleep 20 " ]] && kill "$p"
# On a terminal: a live progress line naming each new syscall.
if need program:script; then
  expect "progress line on a tty" 0 "distinct, new: openat" -- \
    script -qec "'$sg' learn -o /dev/null -- ls /" /dev/null
else
  skip_part "no terminal for the progress line: $why"
fi

# Learning from a log: strace's output and strace -c's table of a real run, then the same run
# under what was learned (a kill default): the same output, nothing blocked.
work='ls / > /dev/null; cat /etc/hostname | wc -c'
if need program:strace && strace -f -o "$tmp/probe.strace" true 2>"$tmp/strace.err"; then
  strace -f -o "$tmp/sh.strace" sh -c "$work" > "$tmp/strace.out"
  strace -f -c -o "$tmp/sh.summary" sh -c "$work" > /dev/null
  # -U: the columns chosen, in another order (calls first, errors blank for most).
  strace -f -c -U calls,errors,name,time-percent -o "$tmp/sh.columns" sh -c "$work" > /dev/null
  for log in sh.strace sh.summary sh.columns; do
    expect "from log: $log learned" 0 "rules written to $tmp/$log.sgp" -- "$sg" learn --from-log "$tmp/$log" -o "$tmp/$log.sgp"
    expect "from log: $log header" 0 "# Learned by \`sysgate learn\` from: the log $tmp/$log" -- cat "$tmp/$log.sgp"
    expect_line "from log: $log replayed" 0 "$(cat "$tmp/strace.out")" -- "$sg" run -q -p "$tmp/$log.sgp" -- sh -c "$work"
    expect_without "from log: $log nothing blocked" 0 "blocked" -- "$sg" run -p "$tmp/$log.sgp" -- sh -c "$work"
  done
  # Without the log's calls the policy kills: the log was read, not a policy of everything.
  expect "from log: a call it lacks" 159 "" -- "$sg" run -q -p "$tmp/sh.strace.sgp" -- sh -c "$work; python3 -c 'import os; os.getcwd()'"
else
  skip_part "strace cannot trace here, without sysgate: $(head -c 200 "$tmp/strace.err" 2>/dev/null)${why:-}"
fi
echo hello > "$tmp/nolog.txt"
expect "from log: nothing in it" 1 "nolog.txt: no syscall in it" -- "$sg" learn --from-log "$tmp/nolog.txt"
expect "from log: not with a program" 2 "give one or the other" -- "$sg" learn --from-log "$tmp/nolog.txt" -- true
expect "from log: no --args" 2 "a log has no argument values" -- "$sg" learn --from-log "$tmp/nolog.txt" --args
printf '1 frobnicate(1) = 0\n1 getpid() = 1\n' > "$tmp/odd.strace"
printf '5 getpid() = 5\n' > "$tmp/ff.5"; printf '6 getppid() = 1\n' > "$tmp/ff.6"
expect "from log: several files" 0 "2 distinct" -- "$sg" learn --from-log "$tmp/ff.5" "$tmp/ff.6" -o /dev/null
expect "from log: unknown name said" 0 "odd.strace:1: warning: 'frobnicate' is not a syscall" -- "$sg" learn --from-log "$tmp/odd.strace" -o /dev/null

# Processes left running are said (without --follow their calls are not recorded), and a
# program that leaves none says nothing.
expect "left running: said" 0 "left processes running" -- "$sg" learn -o /dev/null -- sh -c 'sleep 1 & exit 0'
expect_without "none left: quiet" 0 "left processes" -- "$sg" learn -o /dev/null -- true
# --args cannot be written as a systemd unit: said before the program runs.
expect "systemd --args: refused" 2 "systemd filters by syscall only" -- "$sg" learn --args -f systemd -o "$tmp/u.conf" -- touch "$tmp/ran"
expect "systemd --args: not run" 0 "" -- test ! -e "$tmp/ran"
# An export that fails after the run (systemd 252 takes no log default) keeps the recording.
expect "export fails: said" 1 "the recording is kept as sysgate's policy in $tmp/u2.conf.sgp" -- "$sg" learn -f systemd --default log -o "$tmp/u2.conf" -- true
expect "export fails: kept" 0 "allow " -- cat "$tmp/u2.conf.sgp"
expect "export fails: it reads" 0 "ok" -- "$sg" validate "$tmp/u2.conf.sgp"

# A program that never ran: run's statuses, and no policy written.
expect "not found: 127" 127 "cannot run '$tmp/nonexistent'" -- "$sg" learn -o "$tmp/never.sgp" -- "$tmp/nonexistent"
expect "not found: no policy" 0 "" -- test ! -e "$tmp/never.sgp"
printf 'echo hi\n' > "$tmp/notexec.sh"
expect "not executable: 126" 126 "cannot run" -- "$sg" learn -o "$tmp/never.sgp" -- "$tmp/notexec.sh"

finish
