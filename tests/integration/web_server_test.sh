#!/usr/bin/env bash
# examples/web-server: the server serves HTTP/1.1 correctly once it has locked itself down;
# the test-only endpoints standing in for an exploited bug (run a command, read or write a file
# outside its root, bind another port, connect out) are stopped and reported while it keeps
# serving: by the syscall rules (trap -> EPERM, reported by sysgate's SIGSYS handler), or by the
# fs and net rules (EACCES, reported by the server with the rules' reason); they end it with
# SIGSYS when it is told to (--on-violation kill) or when the policy kills; without the filter
# the same attempts succeed; and without a usable policy it does not serve at all.
# Usage: web_server_test.sh VULNERABLE_SERVER SYSGATE SOURCE_DIR
set -uo pipefail
server=$1 sg=$2 src=$3
source "$(dirname "$0")/../e2e/lib.sh"
policy=$src/examples/web-server/server.sgp
need program:curl || skip_all "$why"
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
"$src/examples/nginx/make_site.sh" "$tmp/site"

# start NAME ARGS...: starts the server, sets $url and $spid
start() {
  local name=$1
  shift
  "$server" --root "$tmp/site" --port 0 "$@" > "$tmp/$name.out" 2> "$tmp/$name.err" &
  spid=$!
  pids+=("$spid")
  for _ in $(seq 100); do grep -q listening "$tmp/$name.out" 2>/dev/null && break; sleep 0.05; done
  url=http://127.0.0.1:$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/$name.out")
}
# raw REQUEST: sends bytes as they are (python), prints the whole answer
raw() {
  "$py" - "${url#http://}" "$1" <<'PY'
import socket, sys
host, port = sys.argv[1].split(":")
s = socket.create_connection((host, int(port)), timeout=5)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
s.shutdown(socket.SHUT_WR)
data = b""
while True:
    b = s.recv(65536)
    if not b:
        break
    data += b
sys.stdout.write(data.decode("latin-1"))
PY
}
# listener PORTFILE OUTFILE: accepts one connection on loopback, saves what it receives
listener() {
  "$py" - "$1" "$2" <<'PY' &
import socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(1)
open(sys.argv[1] + ".tmp", "w").write(str(s.getsockname()[1]))
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.settimeout(20)
try:
    c, _ = s.accept()
    open(sys.argv[2], "wb").write(c.recv(1000))
except socket.timeout:
    pass
PY
  pids+=($!)
  for _ in $(seq 100); do [[ -s $1 ]] && break; sleep 0.05; done
}

# A port nothing listens on, for the bind attacks (free for the unfiltered server at the end).
freeport=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# --- the policy, as sysgate sees it (the fds are given when the server loads it) ---
defs=(-D ROOT_FD=3 -D LISTEN_FD=4)
expect "policy needs its fds"   1 "unknown constant 'ROOT_FD'" -- "$sg" validate "$policy"
expect "policy valid"           0 "ok" -- "$sg" validate "${defs[@]}" "$policy"
expect "reads below the root"   0 "allow" -- "$sg" check "${defs[@]}" "$policy" openat 3 0 'O_RDONLY|O_CLOEXEC|O_NOFOLLOW'
for call in "openat AT_FDCWD 0 O_RDONLY" "openat 3 0 O_WRONLY" "openat 3 0 O_RDONLY|O_CREAT" \
            "accept4 5" "socket AF_INET SOCK_STREAM" "connect" "execve" "clone" "clone3" "ptrace" \
            "unshare" "mount" "mmap 0 4096 PROT_READ|PROT_EXEC"; do
  # shellcheck disable=SC2086
  expect "stops $call" 0 "trap  [" -- "$sg" check "${defs[@]}" "$policy" $call
done

# --- locked down: HTTP ---
# Built with sanitizers (make asan), the server's policy is not what ASan's runtime needs: the
# HTTP checks then run against it unfiltered, and the lockdown checks are left to make check.
sanitized=${SYSGATE_TEST_SANITIZED:-0}
# server.sgp's fs, net and scope rules need Landlock ABI 6 (scopes): without it the server
# refuses to serve under them, so it is locked down by its syscall rules alone here.
lockdown=()
if ! need landlock:6; then
  lockdown=(--no-fs-rules)
  skip_part "the example's fs, net and scope rules: $why"
fi
if [[ $sanitized == 1 ]]; then
  echo "note: sanitized build: HTTP checks without the filter; attacks and lockdown skipped"
  start locked --no-filter
else
  start locked "${lockdown[@]}"
  expect "announces lockdown" 0 "(locked down" -- cat "$tmp/locked.out"
fi
expect "index"                0 "served under a seccomp filter" -- curl -sf "$url/"
expect "html type"            0 "Content-Type: text/html; charset=utf-8" -- curl -sfI "$url/index.html"
expect "css type"             0 "Content-Type: text/css" -- curl -sfI "$url/style.css"
expect "octet-stream"         0 "Content-Type: application/octet-stream" -- curl -sfI "$url/big.bin"
expect "HEAD length"          0 "Content-Length: 1048576" -- curl -sfI "$url/big.bin"
expect "HEAD no body"         0 "" -- test "$(raw 'HEAD /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | sed -n '/^\r$/,$p' | wc -c)" -eq 2
expect "1 MiB intact"         0 "" -- cmp <(curl -sf "$url/big.bin") "$tmp/site/big.bin"
expect "nested"               0 "a page in a directory" -- curl -sf "$url/sub/page.html"
expect "directory index"      0 "the index of a directory" -- curl -sf "$url/sub/"
expect "404"                  0 "404" -- curl -s -o /dev/null -w '%{http_code}' "$url/missing"
expect "301 to the directory" 0 "Location: /sub/" -- curl -sI "$url/sub"
expect "dot-dot refused"      0 "HTTP/1.1 400" -- raw 'GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n'
expect "encoded dot-dot"      0 "HTTP/1.1 400" -- raw 'GET /sub/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n'
expect "405 with Allow"       0 "Allow: GET, HEAD" -- raw 'DELETE /index.html HTTP/1.1\r\nHost: x\r\n\r\n'
expect "501 unknown method"   0 "HTTP/1.1 501" -- raw 'BREW /index.html HTTP/1.1\r\nHost: x\r\n\r\n'
expect "505 version"          0 "HTTP/1.1 505" -- raw 'GET / HTTP/2.0\r\nHost: x\r\n\r\n'
expect "400 without Host"     0 "HTTP/1.1 400" -- raw 'GET / HTTP/1.1\r\n\r\n'
expect "400 garbage"          0 "HTTP/1.1 400" -- raw 'hello\r\n\r\n'
expect "414 long target"      0 "HTTP/1.1 414" -- raw "GET /$(head -c 3000 /dev/zero | tr '\0' a) HTTP/1.1\r\nHost: x\r\n\r\n"
expect "431 big head"         0 "HTTP/1.1 431" -- raw "GET / HTTP/1.1\r\nHost: x\r\nX: $(head -c 9000 /dev/zero | tr '\0' a)\r\n\r\n"
etag=$(curl -sfI "$url/style.css" | sed -n 's/^ETag: \(.*\)\r$/\1/p')
expect "304 If-None-Match"    0 "304" -- curl -s -o /dev/null -w '%{http_code}' -H "If-None-Match: $etag" "$url/style.css"
expect "keep-alive"           0 "1 0 0 " -- curl -s -o /dev/null -o /dev/null -o /dev/null -w '%{num_connects} ' "$url/" "$url/style.css" "$url/sub/"
expect "pipelining"           0 "2" -- bash -c "$(declare -f raw); url=$url py=$py; raw 'GET /style.css HTTP/1.1\r\nHost: x\r\n\r\nGET /index.html HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n' | grep -c '^HTTP/1.1 200'"
expect "HTTP/1.0 closes"      0 "Connection: close" -- raw 'GET / HTTP/1.0\r\n\r\n'
expect "concurrent clients"   0 "" -- bash -c "for i in \$(seq 20); do curl -sf -o /dev/null '$url/big.bin' & done; wait"
expect "nothing trapped yet"  1 "" -- grep trapped "$tmp/locked.err"

if [[ $sanitized == 0 ]]; then
# --- locked down: the attacks, stopped and reported; it keeps serving ---
listener "$tmp/port1" "$tmp/got1"
expect "exec stopped"     0 "500" -- curl -s -o /dev/null -w '%{http_code}' "$url/vuln/exec?touch%20$tmp/exec-ran"
expect "exec said why"    0 "fork failed: Operation not permitted" -- curl -s "$url/vuln/exec?true"
# Writing outside the root, binding another port and connecting out are stopped by server.sgp's
# syscall rules before Landlock sees them: openat is allowed only read-only relative to the
# root's fd (this open is AT_FDCWD, O_WRONLY|O_CREAT|O_TRUNC), and socket(2) not at all. The
# SIGSYS handler reports the call ("sysgate: trapped openat"), without its path or port. Past
# the syscall rules, the fs and net rules deny them too, and the server says why: below, with a
# copy of the policy that lets those calls through.
expect "write stopped"    0 "open for writing failed: Operation not permitted" -- curl -s "$url/vuln/write?$tmp/written"
expect "bind stopped"     0 "socket failed: Operation not permitted" -- curl -s "$url/vuln/bind?$freeport"
expect "connect stopped"  0 "socket failed: Operation not permitted" -- curl -s "$url/vuln/connect?$(cat "$tmp/port1")"
# openat(ROOT_FD, "/etc/passwd") passes the syscall rule (an absolute path ignores the fd):
# the fs rules (Landlock, `fs read ROOT`) deny it, and the server reports why in sysgate run's
# words (sysgate::FsDenial).
if ((${#lockdown[@]} == 0)); then
  expect "read beside: denied" 0 "open for reading failed: Permission denied" -- curl -s "$url/vuln/read?/etc/passwd"
  expect_line "read beside: reported" 0 'example_web_server: denied openat(ROOT_FD, "/etc/passwd", O_RDONLY|O_CLOEXEC) by the fs rules: no rule grants read-file on /etc/passwd' -- cat "$tmp/locked.err"
fi
expect "read below: served"  0 "served under a seccomp filter" -- curl -s "$url/vuln/read?index.html"
expect "no command ran"   1 "" -- test -e "$tmp/exec-ran"
expect "no file written"  1 "" -- test -e "$tmp/written"
expect "reported: exec"   0 "sysgate: trapped clone" -- cat "$tmp/locked.err"
expect "reported: write"  0 "sysgate: trapped openat" -- cat "$tmp/locked.err"
expect "reported: socket" 0 "sysgate: trapped socket" -- cat "$tmp/locked.err"
expect "still serving"    0 "served under a seccomp filter" -- curl -sf "$url/"
kill -TERM "$spid"
wait "$spid"
expect "stops on SIGTERM" 0 "" -- test $? -eq 0
expect "nothing arrived"  1 "" -- test -s "$tmp/got1"

# --- past the syscall rules: a copy of the policy that lets any openat, socket, bind and
# connect through (as a looser policy would) leaves the fs and net rules alone in the way. They
# deny writing outside the root, binding another port and connecting out (EACCES), and the
# server reports each: the call, its path or port, and the rules' reason. It keeps serving. ---
if ((${#lockdown[@]} == 0)); then
  sed -e 's/^allow openat if .*/allow openat/' -e 's/^allow epoll_wait, epoll_ctl$/&\nallow socket, bind, connect/' \
    "$policy" > "$tmp/open.sgp"
  expect "looser copy: openat" 0 "allow openat" -- grep -x "allow openat" "$tmp/open.sgp"
  listener "$tmp/port3" "$tmp/got3"
  start landlock --policy "$tmp/open.sgp"
  expect "landlock: write denied"   0 "open for writing failed: Permission denied" -- curl -s "$url/vuln/write?$tmp/written"
  expect_line "landlock: write reported" 0 "example_web_server: denied openat(AT_FDCWD, \"$tmp/written\", O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC, 0644) by the fs rules: no rule grants make-reg on $tmp" -- cat "$tmp/landlock.err"
  expect "landlock: bind denied"    0 "bind failed: Permission denied" -- curl -s "$url/vuln/bind?$freeport"
  expect "landlock: bind reported"  0 "denied bind(" -- grep -F "sin_port=htons($freeport), sin_addr=inet_addr(\"127.0.0.1\")}, 16) by the net rules: no rule lets it bind TCP port $freeport" "$tmp/landlock.err"
  port3=$(cat "$tmp/port3")
  expect "landlock: connect denied" 0 "connect failed: Permission denied" -- curl -s "$url/vuln/connect?$port3"
  expect "landlock: connect reported" 0 "denied connect(" -- grep -F "sin_port=htons($port3), sin_addr=inet_addr(\"127.0.0.1\")}, 16) by the net rules: no rule lets it connect TCP port $port3" "$tmp/landlock.err"
  expect "landlock: read denied"    0 "open for reading failed: Permission denied" -- curl -s "$url/vuln/read?/etc/passwd"
  expect "landlock: read reported"  0 "by the fs rules: no rule grants read-file on /etc/passwd" -- cat "$tmp/landlock.err"
  # A client's path cannot add a report line of its own: it is quoted, a newline escaped.
  expect "landlock: odd path denied" 0 "Permission denied" -- curl -s "$url/vuln/write?$tmp/x%0Asysgate:%20forged"
  expect "landlock: odd path quoted" 0 "denied openat(AT_FDCWD, \"$tmp/x\\nsysgate: forged\"" -- cat "$tmp/landlock.err"
  expect "landlock: no forged line" 1 "" -- grep -x "sysgate: forged.*" "$tmp/landlock.err"
  expect "landlock: nothing trapped" 1 "" -- grep trapped "$tmp/landlock.err"
  expect "landlock: no file"        1 "" -- test -e "$tmp/written"
  expect "landlock: still serving"  0 "served under a seccomp filter" -- curl -sf "$url/"
  kill -TERM "$spid"
  wait "$spid"
  expect "landlock: nothing arrived" 1 "" -- test -s "$tmp/got3"
fi

# The syscall rules alone let that read through: what the fs rules add.
start syscalls-only --no-fs-rules
expect "no fs rules: said"     0 "(locked down, no fs rules)" -- cat "$tmp/syscalls-only.out"
expect "no fs rules: the hole" 0 "read /etc/passwd: root:" -- curl -s "$url/vuln/read?/etc/passwd"
kill -TERM "$spid"
wait "$spid"

# --- out of descriptors: no busy loop on the still-readable listening socket, and serving
# resumes once connections close ---
bash -c "ulimit -n 24; exec '$server' --root '$tmp/site' --port 0" > "$tmp/emfile.out" 2> "$tmp/emfile.err" &
spid=$!
pids+=("$spid")
for _ in $(seq 100); do grep -q listening "$tmp/emfile.out" 2>/dev/null && break; sleep 0.05; done
url=http://127.0.0.1:$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\).*/\1/p' "$tmp/emfile.out")
ticks=$("$py" - "${url##*:}" "$spid" <<'PY'
import glob, socket, sys, time
port, pid = int(sys.argv[1]), sys.argv[2]
def ticks():  # CPU time of all its threads, in clock ticks
    t = 0
    for st in glob.glob(f"/proc/{pid}/task/*/stat"):
        f = open(st).read().rsplit(")", 1)[1].split()
        t += int(f[11]) + int(f[12])
    return t
held = [socket.create_connection(("127.0.0.1", port)) for _ in range(40)]  # > 24 fds
time.sleep(0.3)
t0 = ticks(); time.sleep(1.0)
print(ticks() - t0)
PY
)
expect "EMFILE: no busy loop ($ticks ticks)" 0 "" -- test "$ticks" -lt 20
[[ $ticks -lt 20 ]] || head -5 "$tmp/emfile.err"
expect "EMFILE: serves again" 0 "served under a seccomp filter" -- curl -sf "$url/"
kill -TERM "$spid"

# --- --on-violation kill: reported, then the server dies by SIGSYS ---
start killing --on-violation kill
curl -s -o /dev/null "$url/vuln/write?$tmp/written2"
wait "$spid"
rc=$?
expect "kill: SIGSYS"     0 "" -- test "$rc" -eq $((128 + 31))
expect "kill: reported"   0 "sysgate: trapped openat" -- cat "$tmp/killing.err"
expect "kill: no file"    1 "" -- test -e "$tmp/written2"

# --- a policy whose default is kill-process: the kernel ends it with SIGSYS ---
sed 's/^default trap$/default kill-process/' "$policy" > "$tmp/kill.sgp"
start killpolicy --policy "$tmp/kill.sgp"
expect "kill policy: serves" 0 "served under a seccomp filter" -- curl -sf "$url/"
curl -s -o /dev/null "$url/vuln/exec?true"
wait "$spid"
rc=$?
expect "kill policy: SIGSYS" 0 "" -- test "$rc" -eq $((128 + 31))

fi  # not sanitized
kill -TERM "$spid" 2>/dev/null  # the sanitized run's unfiltered server

# --- without the filter the same attempts succeed (so the tests above can fail) ---
start free --no-filter
listener "$tmp/port2" "$tmp/got2"
expect "free: announces"  0 "(no filter)" -- cat "$tmp/free.out"
expect "free: exec runs"  0 "exit status 0" -- curl -s "$url/vuln/exec?touch%20$tmp/exec-ran"
expect "free: command ran" 0 "" -- test -e "$tmp/exec-ran"
expect "free: write"      0 "wrote" -- curl -s "$url/vuln/write?$tmp/written"
expect "free: file"       0 "written by the web server" -- cat "$tmp/written"
expect "free: connect"    0 "connected to port" -- curl -s "$url/vuln/connect?$(cat "$tmp/port2")"
expect "free: bind"       0 "bound port $freeport" -- curl -s "$url/vuln/bind?$freeport"
for _ in $(seq 50); do [[ -s $tmp/got2 ]] && break; sleep 0.05; done
expect "free: arrived"    0 "hello from the web server" -- cat "$tmp/got2"
kill -TERM "$spid"

# --- fail closed: no usable policy, no serving ---
expect "no policy file"   1 "not serving" -- "$server" --root "$tmp/site" --port 0 --policy "$tmp/none.sgp"
printf 'allow read\nallow openat if dfd == ROOT_FD\nallow bogus\n' > "$tmp/bad.sgp"
expect "bad policy"       1 "bad.sgp:3:7" -- "$server" --root "$tmp/site" --port 0 --policy "$tmp/bad.sgp"
finish
