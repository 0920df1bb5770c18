#!/usr/bin/env bash
# nginx (Debian's package: a master and two workers) under `sysgate run -p
# examples/nginx/nginx.sgp`: it serves files correctly through start-up, a reload (SIGHUP) and a
# graceful stop (SIGQUIT) with no call blocked; and the policy is tight: what a compromised
# nginx process would try is refused on every ABI (sysgate check), when tried for real under
# the same policy (forbidden_calls; without the policy the same attempts run), and when a live
# nginx worker is made to make the calls (gdb): reported, the worker killed, nginx serving on.
# Usage: nginx_test.sh SYSGATE SOURCE_DIR FORBIDDEN_CALLS
set -uo pipefail
sg=$1 src=$2 forbidden=$3
source "$(dirname "$0")/../e2e/lib.sh"
policy=$src/examples/nginx/nginx.sgp
need program:nginx program:curl || skip_all "$why"
tmp=$(mktemp -d)
chmod 755 "$tmp"
sg_pid=""
cleanup() {
  [[ -n $sg_pid ]] && kill -TERM "$sg_pid" 2>/dev/null && wait "$sg_pid" 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

# --- the policy, checked call by call on each ABI (the policy targets x86_64 only) ---
expect "policy valid" 0 "ok" -- "$sg" validate "$policy"
deny=(
  "execve" "execveat" "ptrace" "process_vm_readv" "process_vm_writev"
  "socket AF_PACKET SOCK_RAW" "socket AF_INET SOCK_RAW" "socket AF_INET SOCK_DGRAM"
  "socket AF_INET6 SOCK_STREAM" "socket AF_NETLINK SOCK_RAW" "socket AF_INET SOCK_STREAM|SOCK_CLOEXEC"
  "socket AF_UNIX SOCK_STREAM" "connect"
  "sendmsg 3 0 MSG_FASTOPEN" "sendto"
  "init_module" "finit_module" "delete_module" "bpf" "kexec_load"
  "unshare CLONE_NEWNS" "unshare CLONE_NEWUSER" "setns" "mount" "umount2" "pivot_root"
  "fsopen" "open_tree" "move_mount"
  "clone CLONE_NEWUSER|SIGCHLD" "clone CLONE_NEWNET|SIGCHLD" "clone3"
  "io_uring_setup" "setuid 0" "setgid 0" "chown 0 0 0"
  "mmap 0 4096 PROT_WRITE|PROT_EXEC" "mprotect 0 4096 PROT_EXEC"
  "openat AT_FDCWD 0 O_WRONLY|O_CREAT|O_TRUNC" "openat AT_FDCWD 0 O_RDONLY|O_CREAT"
)
for call in "${deny[@]}"; do
  # shellcheck disable=SC2086  # a call and its arguments
  out=$("$sg" check "$policy" $call 2>&1)
  if [[ $out == allow* || $out != *"x86_64"* ]]; then
    echo "FAIL: check $call on x86_64: $out"; fail=$((fail + 1))
  else
    pass=$((pass + 1))
  fi
done
for arch in i386 x32; do
  for name in execve ptrace socket mount read; do
    expect "check $name on $arch" 0 "kill-process" -- "$sg" check --arch "$arch" "$policy" "$name"
  done
done
# What nginx does need stays allowed (so the checks above are not a deny-everything policy).
expect "allows static reads"   0 "allow" -- "$sg" check "$policy" openat AT_FDCWD 0 'O_RDONLY|O_NONBLOCK'
expect "allows log appends"    0 "allow" -- "$sg" check "$policy" openat AT_FDCWD 0 'O_WRONLY|O_CREAT|O_APPEND'
expect "allows TCP listening"  0 "allow" -- "$sg" check "$policy" socket AF_INET SOCK_STREAM
expect "allows nobody"         0 "allow" -- "$sg" check "$policy" setuid 65534

# --- the same attempts made for real: under the policy, and without it ---
"$sg" run -p "$policy" -- "$forbidden" > "$tmp/attempts.out" 2> "$tmp/attempts.err"
expect "attempts: runner ok" 0 "" -- test -s "$tmp/attempts.out"
ran=$(grep -c ': ran$' "$tmp/attempts.out")
expect "attempts: none ran" 0 "" -- test "$ran" -eq 0
# Kill verdicts are the kernel's (SIGSYS); errno verdicts are answered and reported.
expect "attempts: execve killed" 0 "execve: killed by SIGSYS" -- cat "$tmp/attempts.out"
expect "attempts: raw socket killed" 0 "socket-raw: killed by SIGSYS" -- cat "$tmp/attempts.out"
expect "attempts: unshare killed" 0 "unshare-user: killed by SIGSYS" -- cat "$tmp/attempts.out"
expect "attempts: nscd socket fails" 0 "socket-unix: errno EACCES" -- cat "$tmp/attempts.out"
expect "attempts: errno reported" 0 'blocked socket(AF_LOCAL, SOCK_STREAM, 0) = -1 EACCES' -- cat "$tmp/attempts.err"
expect "attempts: killed, not answered" 1 "" -- grep -q 'blocked execve' "$tmp/attempts.err"
"$forbidden" > "$tmp/free.out" 2>&1
# Unfiltered, each attempt runs where the machine lets it: what it needs is probed the same way.
unfiltered() {  # ATTEMPT NEED...
  local a=$1
  shift
  if (($#)) && ! need "$@"; then
    skip_part "unfiltered $a is not compared: $why"
  else
    expect "unfiltered: $a runs" 0 "$a: ran" -- cat "$tmp/free.out"
  fi
}
unfiltered execve
unfiltered ptrace
unfiltered mmap-wx
unfiltered socket-raw raw-socket
unfiltered socket-packet raw-socket
unfiltered unshare-user userns
unfiltered setuid-root root

# --- nginx under the policy ---
port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
url=http://127.0.0.1:$port
mkdir -p "$tmp/run"
chmod 755 "$tmp/run"
"$src/examples/nginx/make_site.sh" "$tmp/site"
# A directory anyone may write (for nobody's workers): only the fs rules below keep them out.
mkdir -m 1777 "$tmp/site/upload"
"$src/examples/nginx/render.sh" "$port" "$tmp/site" "$tmp/run" > "$tmp/nginx.conf"
"$sg" run --json -p "$policy" -- nginx -c "$tmp/nginx.conf" -p "$tmp/run/" 2> "$tmp/sysgate.err" &
sg_pid=$!
for _ in $(seq 100); do curl -s -o /dev/null "$url/" && break; sleep 0.1; done

serves() {  # LABEL
  expect "$1: index"        0 "served under a seccomp filter" -- curl -sf "$url/"
  expect "$1: nested page"  0 "a page in a directory" -- curl -sf "$url/sub/page.html"
  expect "$1: dir index"    0 "the index of a directory" -- curl -sf "$url/sub/"
  expect "$1: css type"     0 "Content-Type: text/css" -- curl -sfI "$url/style.css"
  expect "$1: 1 MiB intact" 0 "" -- cmp <(curl -sf "$url/big.bin") "$tmp/site/big.bin"
  expect "$1: range"        0 "" -- cmp <(curl -sf -r 1000-1999 "$url/big.bin") \
                                          <(tail -c +1001 "$tmp/site/big.bin" | head -c 1000)
  expect "$1: 404"          0 "404" -- curl -s -o /dev/null -w '%{http_code}' "$url/missing"
  expect "$1: keep-alive"   0 "1 0 " -- curl -s -o /dev/null -o /dev/null -w '%{num_connects} ' "$url/" "$url/style.css"
}
serves "start"
master=$(cat "$tmp/run/nginx.pid" 2>/dev/null)
workers() { pgrep -P "$master" | sort | tr '\n' ' '; }
before=$(workers)
expect "two workers" 0 "" -- test "$(wc -w <<<"$before")" -eq 2

kill -HUP "$sg_pid"  # sysgate run passes it on: nginx re-reads its configuration
after=$before
for _ in $(seq 50); do
  after=$(workers)
  [[ -n $after && $after != "$before" && $(wc -w <<<"$after") -eq 2 ]] && break
  sleep 0.1
done
expect "reload: new workers" 0 "" -- test "$after" != "$before"
expect "reload: logged" 0 "reconfiguring" -- cat "$tmp/run/error.log"
serves "after reload"
if need program:wrk; then
  expect "under load" 0 "Requests/sec" -- wrk -t2 -c16 -d1s "$url/index.html"
else
  skip_part "no load test: $why"
fi

cp "$tmp/sysgate.err" "$tmp/serving.err"   # what serving alone made sysgate report
cp "$tmp/run/error.log" "$tmp/serving.log"

# An exploited worker: gdb makes a live worker call what exploit code would. The kernel kills
# the worker (SIGSYS, which nginx logs); the master starts another and nginx goes on serving.
# gdb_attaches: gdb can attach to a process like a worker, here, without sysgate: one that is
# not its child, run by the user nginx runs its workers as (nobody, when started as root). It
# cannot without CAP_SYS_PTRACE to another user's process (containers) or, under Yama, to any
# but its children. Otherwise false, with $why.
gdb_attaches() {
  need program:gdb || return 1
  local as=() who
  who=$(id -un)
  need root && as=(setpriv --reuid=nobody --regid=nogroup --clear-groups) who=nobody
  "${as[@]}" sleep 60 & local p=$!
  local out
  out=$(timeout 60 gdb -p "$p" -batch -ex "call (long) getpid()" 2>&1)
  kill "$p" 2>/dev/null; wait "$p" 2>/dev/null
  [[ $out == *"= $p"* ]] && return 0
  why="gdb cannot attach to a process of $who's here, without sysgate: $(grep -m1 -iE 'ptrace|permit|denied' <<<"$out")"
  return 1
}
# worker_files: a live worker (gdb) reads /etc/hostname, which file permissions let anyone
# read, and appends to a new file in site/upload, which anyone may write; prints errno after
# each (reset before), and the fd of site/index.html opened for reading.
# Each call is cast to open's own type, int: without libc's debug symbols (a fresh root) gdb
# takes a cast as the return type, and (long) read -1 as 4294967295.
worker_files() {  # NAME
  local w
  w=$(pgrep -P "$master" | head -1)
  timeout 60 gdb -p "$w" -batch \
    -ex 'set var *(int*)__errno_location() = 0' -ex 'call (int) open("/etc/hostname", 0)' \
    -ex 'print *(int*)__errno_location()' \
    -ex 'set var *(int*)__errno_location() = 0' -ex "call (int) open(\"$tmp/site/upload/$1\", 02101, 0644)" \
    -ex 'print *(int*)__errno_location()' \
    -ex "call (int) open(\"$tmp/site/index.html\", 0)" 2>&1 | grep '^\$'
}
if gdb_attaches; then
  # The control: under the syscall policy alone, a worker may do both.
  out=$(worker_files control.txt)
  expect_line "worker reads a readable file" 0 '$2 = 0' -- echo "$out"
  expect_line "worker writes a writable directory" 0 '$4 = 0' -- echo "$out"
  expect "worker's file there" 0 "" -- test -e "$tmp/site/upload/control.txt"
  inject() {  # NAME CALL: makes a worker run CALL (a C expression)
    local w
    w=$(pgrep -P "$master" | head -1)
    timeout 60 gdb -p "$w" -batch -ex "call (long) $2" >/dev/null 2>&1
    for _ in $(seq 50); do ! kill -0 "$w" 2>/dev/null && [[ $(workers | wc -w) -eq 2 ]] && break; sleep 0.1; done
    expect "exploited worker: $1 killed" 1 "" -- kill -0 "$w"
    expect "exploited worker: $1 by SIGSYS" 0 "worker process $w exited on signal 31" -- cat "$tmp/run/error.log"
    expect "exploited worker: $1, still serving" 0 "served under a seccomp filter" -- curl -sf "$url/"
  }
  inject execve 'syscall(59, "/bin/sh", 0, 0)'
  inject socket 'syscall(41, 17, 3, 0)'              # AF_PACKET, SOCK_RAW
  inject ptrace 'syscall(101, 16, 2147483647, 0, 0)' # PTRACE_ATTACH; no real pid, should it ever run
  inject unshare 'syscall(272, 0x10000000)'          # CLONE_NEWUSER
  inject finit_module 'syscall(313, 0, "", 0)'
  expect "two workers again" 0 "" -- test "$(workers | wc -w)" -eq 2
else
  skip_part "the exploited-worker checks need gdb: $why"
fi

kill -QUIT "$sg_pid"  # graceful stop, passed on
wait "$sg_pid"
rc=$?
sg_pid=""
expect "stopped cleanly" 0 "" -- test "$rc" -eq 0
# While serving, the only calls stopped: glibc's look for nscd before it reads /etc/passwd
# (the user nobody).
blocked=$(grep '"event":"blocked"' "$tmp/serving.err")
others=$(grep -v '"call":"socket(AF_LOCAL, ' <<<"$blocked" | grep -c .)
expect "nothing else blocked" 0 "" -- test "$others" -eq 0
# nginx looks its user up (and glibc asks nscd first) only when its master runs as root.
if need root; then
  expect "nscd lookups failed" 0 '"action":"errno(EACCES)"' -- echo "$blocked"
else
  skip_part "no user lookup to see stopped: nginx switches user only when started as root; $why"
fi
expect "summary" 0 '"exit_status":0' -- cat "$tmp/sysgate.err"
expect "no alerts" 1 "" -- grep -E '\[(alert|emerg|crit)\]' "$tmp/serving.log"
expect "pid file removed" 1 "" -- test -e "$tmp/run/nginx.pid"

# --- nginx with its files and ports confined too (fs, net and scope rules: Landlock) ---
if need landlock:6; then  # its policy scopes signals and abstract sockets (ABI 6)
  paths=$tmp/nginx-paths.sgp
  "$src/examples/nginx/render_paths.sh" "$port" "$tmp/site" "$tmp/run" "$tmp/nginx.conf" > "$paths"
  expect "paths: valid" 0 "ok" -- "$sg" validate "$paths"
  # A port the rules do not name: nginx cannot bind it, and says so.
  "$src/examples/nginx/render.sh" "$((port + 1))" "$tmp/site" "$tmp/run" > "$tmp/other-port.conf"
  "$src/examples/nginx/render_paths.sh" "$port" "$tmp/site" "$tmp/run" "$tmp/other-port.conf" > "$tmp/other-port.sgp"
  expect "paths: another port refused" 1 "bind() to 127.0.0.1:$((port + 1)) failed (13: Permission denied)" -- \
    timeout 20 "$sg" run -p "$tmp/other-port.sgp" -- nginx -c "$tmp/other-port.conf" -p "$tmp/run/"
  expect "paths: and reported" 1 "by the net rules: no rule lets it bind TCP port $((port + 1))" -- \
    timeout 20 "$sg" run --report-access -p "$tmp/other-port.sgp" -- nginx -c "$tmp/other-port.conf" -p "$tmp/run/"
  logged=$(wc -l < "$tmp/run/error.log")  # what this run logs comes after
  "$sg" run --json --report-access -p "$paths" -- nginx -c "$tmp/nginx.conf" -p "$tmp/run/" 2> "$tmp/paths.err" &
  sg_pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null "$url/" && break; sleep 0.1; done
  serves "paths"
  master=$(cat "$tmp/run/nginx.pid" 2>/dev/null)
  if need program:wrk; then
    expect "paths: under load" 0 "Requests/sec" -- wrk -t2 -c16 -d1s "$url/index.html"
  else
    skip_part "no load test under the paths policy: $why"
  fi
  # An exploited worker that may still open files (the filter lets it read and append), the
  # same calls as the control above: a file outside the site, which file permissions let it
  # read, and a new file in the site's writable directory are both EACCES now.
  if gdb_attaches; then
    out=$(worker_files evil.html)
    expect_line "paths: reading outside the site fails" 0 '$1 = -1' -- echo "$out"
    expect_line "paths: ... with EACCES" 0 '$2 = 13' -- echo "$out"
    expect_line "paths: writing into the site fails" 0 '$3 = -1' -- echo "$out"
    expect_line "paths: ... with EACCES" 0 '$4 = 13' -- echo "$out"
    expect "paths: the site still readable" 0 "" -- grep -qE '^\$5 = [0-9]+$' <<<"$out"
    expect "paths: nothing written" 1 "" -- test -e "$tmp/site/upload/evil.html"
    expect "paths: read reported"  0 '"denial":"no rule grants read-file on /etc/hostname"' -- cat "$tmp/paths.err"
    expect "paths: write reported" 0 "\"denial\":\"no rule grants make-reg on $tmp/site/upload\"" -- cat "$tmp/paths.err"
    expect "paths: still serving" 0 "served under a seccomp filter" -- curl -sf "$url/"
  else
    skip_part "the exploited-worker checks under the paths policy need gdb: $why"
  fi
  kill -QUIT "$sg_pid"
  wait "$sg_pid"
  rc=$?
  sg_pid=""
  expect "paths: stopped cleanly" 0 "" -- test "$rc" -eq 0
  expect "paths: no alerts" 1 "" -- sh -c "tail -n +$((logged + 1)) '$tmp/run/error.log' | grep -E '\\[(alert|emerg|crit)\\]'"
else
  skip_part "nginx with fs and net rules: $why"
fi
finish
