#!/usr/bin/env bash
# End-to-end tests of a policy's fs, net and scope rules under `sysgate run` (Landlock): a
# program that wants out of them (reading /etc/shadow, writing outside its directory, binding
# another port, connecting out, signalling its parent) is denied; what they grant works; rules
# the kernel cannot enforce, or a program they do not let run, stop the run before it starts.
# Run as root by make check and as nobody by make check-user: Landlock needs no privilege.
# Usage: landlock_test.sh SYSGATE_BINARY
set -uo pipefail
sg=$1
source "$(dirname "$0")/lib.sh"
need landlock:4 || skip_all "$why"
make_scratch
mkdir -p "$tmp/data" "$tmp/out" "$tmp/other"
echo secret > "$tmp/other/secret"
echo data > "$tmp/data/file"
py_dir=$(dirname "$(readlink -f "$py")")

# The programs the tests run live in /usr (bin and lib) on Debian: read and exec there, and the
# loader's /lib64 link resolves into it.
cat > "$tmp/web.sgp" <<POL
default allow
fs read exec /usr, /lib64, /etc/ld.so.cache
fs read $tmp/data
fs write $tmp/out
fs read write /dev/null
net bind 0
net connect none
POL

expect "granted read"        0 "data"   -- "$sg" run -p "$tmp/web.sgp" -- cat "$tmp/data/file"
expect "denied read"         1 "Permission denied" -- "$sg" run -p "$tmp/web.sgp" -- cat "$tmp/other/secret"
expect "denied /etc/shadow"  1 "Permission denied" -- "$sg" run -p "$tmp/web.sgp" -- cat /etc/shadow
expect "granted write"       0 "written" -- "$sg" run -p "$tmp/web.sgp" -- sh -c "echo x > '$tmp/out/log' && echo written"
expect "denied write"        2 "Permission denied" -- "$sg" run -p "$tmp/web.sgp" -- sh -c "echo x > '$tmp/data/new'"
expect "denied write beside" 1 "Permission denied" -- "$sg" run -p "$tmp/web.sgp" -- cp "$tmp/data/file" "$tmp/other/copy"
[[ ! -e $tmp/other/copy && ! -e $tmp/data/new ]] && pass=$((pass + 1)) || { echo "FAIL: a denied write left a file"; fail=$((fail + 1)); }
expect "ephemeral bind"      0 "bound"  -- "$sg" run -p "$tmp/web.sgp" -- "$py" -c '
import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print("bound")'
expect "denied bind"         0 "errno 13" -- "$sg" run -p "$tmp/web.sgp" -- "$py" -c '
import socket
try: socket.socket().bind(("127.0.0.1", 18765)); print("bound")
except OSError as e: print("errno", e.errno)'
expect "denied connect"      0 "errno 13" -- "$sg" run -p "$tmp/web.sgp" -- "$py" -c '
import socket
try: socket.create_connection(("127.0.0.1", 9), timeout=2); print("connected")
except OSError as e: print("errno", e.errno)'

# The runner checks that the program may run before it starts anything.
cat > "$tmp/noexec.sgp" <<POL
default allow
fs read /usr
POL
expect "program not granted" 125 "the policy's fs rules do not let 'true' run: " -- "$sg" run -p "$tmp/noexec.sgp" -- true
expect "needs fs exec"       125 'needs `fs exec` on it or on a directory above it' -- "$sg" run -p "$tmp/noexec.sgp" -- true

# A rule's path that does not exist is the policy's error, located; nothing runs.
printf 'default allow\nfs read exec /usr\nfs read %s/missing\n' "$tmp" > "$tmp/missing.sgp"
expect "missing path"        125 "missing.sgp:3:9: fs path $tmp/missing: No such file or directory" -- "$sg" run -p "$tmp/missing.sgp" -- sh -c 'echo ran'
expect_without "missing path: not run" 125 "ran" -- "$sg" run -p "$tmp/missing.sgp" -- sh -c 'echo ran'

# --exec takes the same rules.
expect "exec: denied read"   1 "Permission denied" -- "$sg" run --exec -p "$tmp/web.sgp" -- cat "$tmp/other/secret"
expect "exec: granted read"  0 "data"   -- "$sg" run --exec -p "$tmp/web.sgp" -- cat "$tmp/data/file"
# With the kernel doing every verdict (no supervisor) too.
expect "no-report: denied"   1 "Permission denied" -- "$sg" run --no-report -p "$tmp/web.sgp" -- cat "$tmp/other/secret"

# The program cannot undo the rules: a nested sysgate run that grants more is still inside
# the outer domain (Landlock only ever adds restrictions).
cat > "$tmp/wide.sgp" <<POL
default allow
fs all /
POL
cat > "$tmp/outer.sgp" <<POL
default allow
fs read exec /usr, /lib64, /etc/ld.so.cache, $(dirname "$(readlink -f "$sg")")
fs read $tmp/wide.sgp
POL
expect "nested cannot widen" 1 "Permission denied" -- "$sg" run --no-report -p "$tmp/outer.sgp" -- "$sg" run --no-report -p "$tmp/wide.sgp" -- cat "$tmp/other/secret"
expect_line "nested: inner runs"  0 "bin" -- "$sg" run --no-report -p "$tmp/outer.sgp" -- "$sg" run --no-report -p "$tmp/wide.sgp" -- ls /usr

# scope signals: the program cannot signal outside its domain (its runner, our shell).
if need landlock:6; then
  cat > "$tmp/scope.sgp" <<POL
default allow
scope signals
POL
  expect "scoped signal"     1 "Operation not permitted" -- "$sg" run -p "$tmp/scope.sgp" -- sh -c "kill -0 $$"
  expect "own signal"        0 "alive" -- "$sg" run -p "$tmp/scope.sgp" -- sh -c 'kill -0 $$ && echo alive'
else
  skip_part "scope: $why"
fi

# check answers for a path or a port, naming the rule.
expect "check: granted"      0 "allowed  [read on $tmp/data/file: rule $tmp/web.sgp:3:9 (fs read $tmp/data)]" -- "$sg" check "$tmp/web.sgp" --path "$tmp/data/file"
expect "check: denied"       0 "denied  [write-file truncate on $tmp/data/file: write-file truncate not granted; rule $tmp/web.sgp:3:9" -- "$sg" check "$tmp/web.sgp" --path "$tmp/data/file" --access write-file,truncate
expect "check: no rule"      0 "denied  [read on /etc/shadow: no fs rule grants it]" -- "$sg" check "$tmp/web.sgp" --path /etc/shadow
expect "check: port"         0 "denied  [connect to TCP port 443: no net connect rule names it]" -- "$sg" check "$tmp/web.sgp" --connect 443
expect "check: bind 0"       0 "allowed  [bind to TCP port 0: rule $tmp/web.sgp:6:10]" -- "$sg" check "$tmp/web.sgp" --bind 0
# A rule through a symlink covers its target, as the kernel resolves it (/lib64 -> usr/lib64).
ln -s "$tmp/data" "$tmp/data-link"
printf 'default allow\nfs read %s/data-link\n' "$tmp" > "$tmp/link.sgp"
expect "check: through a symlink" 0 "allowed  [read on $tmp/data/file: rule $tmp/link.sgp:2:9" -- "$sg" check "$tmp/link.sgp" --path "$tmp/data/file"
expect "check: bad right"    2 "--access: unknown fs access right 'raed'" -- "$sg" check "$tmp/web.sgp" --path /etc --access raed

# diff names what changed; convert to another format says what it leaves out.
sed 's/^net connect none$/net connect 443/; s#^fs write .*#fs read write '"$tmp"'/out#' "$tmp/web.sgp" > "$tmp/web2.sgp"
expect "diff: fs"            1 "fs $tmp/out" -- "$sg" diff "$tmp/web.sgp" "$tmp/web2.sgp"
expect "diff: net"           1 "net connect                none  ->  443" -- "$sg" diff "$tmp/web.sgp" "$tmp/web2.sgp"
expect "diff: same"          0 "0 changes" -- "$sg" diff "$tmp/web.sgp" "$tmp/web.sgp"
expect "convert: dropped"    0 "oci cannot say which files and ports the program may reach" -- "$sg" convert "$tmp/web.sgp" --to oci
expect "convert: strict"     1 "refused (--strict-access)" -- "$sg" convert "$tmp/web.sgp" --to oci --strict-access
expect "convert: systemd"    0 "systemd cannot say which files and ports the program may reach" -- "$sg" convert "$tmp/web.sgp" --to systemd
expect "convert: sysgate"    0 "net connect none" -- "$sg" convert "$tmp/web.sgp" --to sysgate
# --audit applies none of the rules, and reports what the fs and net rules would deny.
expect "audit: says so"      0 "--audit applies none of the policy's fs, net and scope rules" -- "$sg" run --audit -p "$tmp/web.sgp" -- cat "$tmp/other/secret"
expect "audit: runs anyway"  0 "secret" -- "$sg" run --audit -q -p "$tmp/web.sgp" -- cat "$tmp/other/secret"
expect "audit: fs denial"    0 "would be denied by the fs rules: no rule grants read-file on $tmp/other/secret" -- "$sg" run --audit -p "$tmp/web.sgp" -- cat "$tmp/other/secret"
expect "audit: write denial" 0 "no rule grants make-reg on $tmp/data" -- "$sg" run --audit -p "$tmp/web.sgp" -- sh -c "echo x > '$tmp/data/new'"
rm -f "$tmp/data/new"
expect "audit: bind denial"  0 "would be denied by the net rules: no rule lets it bind TCP port 18765" -- "$sg" run --audit -p "$tmp/web.sgp" -- "$py" -c '
import socket; socket.socket().bind(("127.0.0.1", 18765))'
expect "audit: connect"      0 "no rule lets it connect TCP port 9" -- "$sg" run --audit -p "$tmp/web.sgp" -- "$py" -c '
import socket
try: socket.create_connection(("127.0.0.1", 9), timeout=2)
except OSError: pass'
expect "audit: json"         0 '"denial":"no rule grants read-file on '"$tmp"'/other/secret"' -- "$sg" run --audit --json -p "$tmp/web.sgp" -- cat "$tmp/other/secret"
expect "audit: summary row"  0 "denied, <fs rules>" -- "$sg" run --audit -p "$tmp/web.sgp" -- cat "$tmp/other/secret"
expect_without "audit: granted is quiet" 0 "would be denied" -- "$sg" run --audit -p "$tmp/web.sgp" -- sh -c "read -r x < '$tmp/data/file'; echo \$x"
# Device ioctls need ioctl-dev, but for those Landlock always lets through (FIGETBSZ, ...).
ioctl_py='import fcntl, os, sys
fd = os.open("/dev/null", os.O_RDWR)
try: fcntl.ioctl(fd, int(sys.argv[1], 0), bytes(64))
except OSError: pass'
expect "audit: device ioctl" 0 "no rule grants ioctl-dev on /dev/null" -- "$sg" run --audit -p "$tmp/web.sgp" -- "$py" -c "$ioctl_py" 0x5401
# With --exec the supervisor has closed its stdin and stdout: a file the program opens is still
# told from the ones it started with (it once hid every fd-based denial there).
expect "audit --exec: device ioctl" 0 "no rule grants ioctl-dev on /dev/null" -- "$sg" run --exec --audit -p "$tmp/web.sgp" -- sh -c "\"$py\" -c '$ioctl_py' 0x5401; sleep 0.3"
# The files the program starts with (its stdin is one) are told from those it opens with
# pidfd_getfd and kcmp; where they are refused, every ioctl is checked, and run says so.
if need file-compare; then
  expect_without "audit: inherited fds" 0 "ioctl" -- "$sg" run --audit -p "$tmp/web.sgp" -- sh -c 'test -t 0; test -t 2; true'
  expect_without "audit --exec: inherited fds" 0 "ioctl" -- "$sg" run --exec --audit -p "$tmp/web.sgp" -- sh -c 'test -t 0; test -t 2; sleep 0.3'
  # (python asks TCGETS of its stdin: with inherited files not told apart, that is reported.)
  expect_without "audit: FIGETBSZ passes" 0 "ioctl-dev" -- "$sg" run --audit -p "$tmp/web.sgp" -- "$py" -c "$ioctl_py" 2
  expect_without "audit: FICLONE passes" 0 "ioctl-dev" -- "$sg" run --audit -p "$tmp/web.sgp" -- "$py" -c "$ioctl_py" 0x40049409
  expect_without "audit: no note"  0 "cannot be told" -- "$sg" run --audit -p "$tmp/web.sgp" -- true
else
  skip_part "inherited files are not told apart: $why"
  expect "audit: said why" 0 "cannot be told from those it opens here" -- "$sg" run --audit -p "$tmp/web.sgp" -- true
fi

# --report-access: what the fs and net rules deny is enforced by the kernel and reported.
cat > "$tmp/report.sgp" <<POL
default allow
errno(EPERM) mkdir
kill-process symlink, symlinkat
fs read exec /usr, /lib64, /etc/ld.so.cache
fs read write $tmp/data
net bind 0
net connect none
POL
expect "report: denied"      1 "sysgate: denied openat(AT_FDCWD, \"$tmp/other/secret\", O_RDONLY, 000) by the fs rules: no rule grants read-file on $tmp/other/secret" -- "$sg" run --report-access -p "$tmp/report.sgp" -- cat "$tmp/other/secret"
expect "report: enforced"    1 "Permission denied" -- "$sg" run --report-access -p "$tmp/report.sgp" -- cat "$tmp/other/secret"
# --log asks the kernel to go on logging the program's denials after the exec (ABI 7): the
# rules hold the same, with and without --exec.
expect "log: enforced"       1 "Permission denied" -- "$sg" run --log -p "$tmp/report.sgp" -- cat "$tmp/other/secret"
expect "log --exec: enforced" 1 "Permission denied" -- "$sg" run --exec --log -p "$tmp/report.sgp" -- cat "$tmp/other/secret"
# And run reads those records as the program runs, and reports each denial from them; where
# they cannot be read (audit disabled, no CAP_AUDIT_READ: nobody), it says so instead.
if ! need landlock:7; then
  expect "log: ABI said"       1 "records no denials (ABI 7 does)" -- "$sg" run --log -p "$tmp/report.sgp" -- cat "$tmp/other/secret"
  skip_part "the kernel's records of denials, reported as they come: $why"
elif need audit-records; then
  expect "log: the kernel's record" 1 "sysgate: denied openat by the fs rules: no rule grants read-file on $tmp/other/secret  [" -- "$sg" run --log -p "$tmp/report.sgp" -- cat "$tmp/other/secret"
  expect "log: said whence"    1 ", <fs rules>, the kernel's record]" -- "$sg" run --log -p "$tmp/report.sgp" -- cat "$tmp/other/secret"
  expect "log: JSON"           1 '"source":"kernel"' -- "$sg" run --log --json -p "$tmp/report.sgp" -- cat "$tmp/other/secret"
  # The audit socket, which reads every record on the machine, is never the program's: no fd
  # it can ask to keep is a socket (the socket takes one of the low numbers).
  for fd in 3 4 5 6 7 8 9; do
    out=$("$sg" run --log --keep-fd "$fd" -p "$tmp/report.sgp" -- readlink "/proc/self/fd/$fd" 2>&1)
    if [[ $out == *socket:* ]]; then
      echo "FAIL: --keep-fd $fd handed the program a socket: $out"; fail=$((fail + 1))
    else
      pass=$((pass + 1))
    fi
  done
  # With --report-access too, the supervisor's report and the kernel's record are one denial.
  out=$("$sg" run --log --report-access -p "$tmp/report.sgp" -- cat "$tmp/other/secret" 2>&1)
  if [[ $(grep -c "sysgate: denied openat.*other/secret" <<<"$out") == 1 && $out != *"more than once"* ]]; then
    pass=$((pass + 1))
  else
    echo "FAIL: log + report-access: one denial reported once, counted once"; echo "$out"; fail=$((fail + 1))
  fi
else
  expect "log: unread, said"   1 "sysgate: note: --log: " -- "$sg" run --log -p "$tmp/report.sgp" -- cat "$tmp/other/secret"
  skip_part "the kernel's records of denials, reported as they come: $why"
fi
expect "log --exec: said"    1 "are not read here (sysgate explain reads them)" -- "$sg" run --exec --log -p "$tmp/report.sgp" -- cat "$tmp/other/secret"
expect_without "log: quiet"  1 "sysgate:" -- "$sg" run --log --quiet -p "$tmp/report.sgp" -- cat "$tmp/other/secret"
# A path that is not UTF-8, in a JSON report (the denial names it): quoted and escaped as the
# call is, not lost, and the summary after three of them does not stop the supervisor.
printf 'x' > "$tmp/other/$(printf '\xff')"
bad_path_py='import sys
for _ in range(3):
    try: open(sys.argv[1].encode("utf-8", "surrogateescape") + b"/\xff")
    except OSError: pass'
expect "report: not UTF-8"   0 '"denial":"no rule grants read-file on \"'"$tmp"'/other/\\xff\""' -- "$sg" run --report-access --json -p "$tmp/report.sgp" -- "$py" -c "$bad_path_py" "$tmp/other"
expect_without "report: not UTF-8, kept" 0 "was lost" -- "$sg" run --report-access --json -p "$tmp/report.sgp" -- "$py" -c "$bad_path_py" "$tmp/other"
expect "report: net"         0 "by the net rules: no rule lets it bind TCP port 18765" -- "$sg" run --report-access -p "$tmp/report.sgp" -- "$py" -c '
import socket
try: socket.socket().bind(("127.0.0.1", 18765))
except OSError as e: print("errno", e.errno)'
expect_without "report: granted" 0 "denied" -- "$sg" run --report-access -p "$tmp/report.sgp" -- sh -c "read -r x < '$tmp/data/file'; echo \$x > '$tmp/data/copy'"
# The policy's own verdicts on those calls are untouched: its errno and its kill still answer.
expect "report: errno rule"  1 "blocked mkdir(" -- "$sg" run --report-access -p "$tmp/report.sgp" -- mkdir "$tmp/data/d"
[[ ! -e $tmp/data/d ]] && pass=$((pass + 1)) || { echo "FAIL: report: a denied mkdir made the directory"; fail=$((fail + 1)); }
expect "report: kill rule"   159 "" -- "$sg" run --report-access -p "$tmp/report.sgp" -- ln -s x "$tmp/data/link"
expect "report: json"        1 '"event":"denied"' -- "$sg" run --report-access --json -p "$tmp/report.sgp" -- cat "$tmp/other/secret"
expect "report: not audit"   2 "drop --report-access" -- "$sg" run --report-access --audit -p "$tmp/report.sgp" -- true
expect "report: no rules"    0 "no fs or net rules are enforced here" -- "$sg" run --report-access --profile default -- true
# Calls the kernel fails before Landlock looks are not denials: EEXIST (also on a dangling
# symlink, which O_EXCL does not follow), ENOTDIR (also a trailing slash), EISDIR (also O_CREAT).
mkdir -p "$tmp/other/sub" && ln -sf "$tmp/other/newfile" "$tmp/data/dangling"
expect_without "report: other errors" 0 "sysgate: denied openat(AT_FDCWD, \"$tmp/" -- "$sg" run --report-access -p "$tmp/report.sgp" -- "$py" -c "
import os
for path, flags in (('$tmp/other/secret', os.O_CREAT | os.O_EXCL | os.O_WRONLY), ('$tmp/other/secret', os.O_DIRECTORY),
                    ('$tmp/other', os.O_WRONLY), ('$tmp/other/sub', os.O_CREAT), ('$tmp/other/secret/', 0),
                    ('$tmp/data/dangling', os.O_CREAT | os.O_EXCL | os.O_WRONLY)):
    try: os.open(path, flags)
    except OSError as e: print(e.errno)"
# Many denials (each port its own kind, more than the kinds a tally keeps) do not crowd out a
# blocked call's report.
expect "report: not crowded" 1 "sysgate: blocked mkdir(" -- "$sg" run --report-access -p "$tmp/report.sgp" -- "$py" -c "
import os, socket
for op, ports in (('connect', range(1, 65536)), ('bind', range(20000, 20100))):
    for port in ports:
        s = socket.socket()
        try: getattr(s, op)(('127.0.0.1', port))
        except OSError: pass
        s.close()
os.mkdir('$tmp/data/d')"

# Where Landlock's calls are refused (an outer filter here, a container's profile elsewhere),
# a policy with fs rules does not run, and says why; with best-effort it runs, saying what it
# could not enforce.
printf 'default allow\nerrno(EPERM) landlock_create_ruleset\n' > "$tmp/no-landlock.sgp"
printf 'default allow\nfs read exec /\n' > "$tmp/fs.sgp"
printf 'default allow\nfs best-effort\nfs read exec /\n' > "$tmp/fs-best.sgp"
expect "refused: fail closed" 125 "its calls are refused here" -- "$sg" run --no-report -p "$tmp/no-landlock.sgp" -- "$sg" run -p "$tmp/fs.sgp" -- sh -c 'echo ran'
expect_without "refused: not run" 125 "ran" -- "$sg" run --no-report -p "$tmp/no-landlock.sgp" -- "$sg" run -p "$tmp/fs.sgp" -- sh -c 'echo ran'
expect "refused: best effort" 0 "fs best-effort: not enforced: Landlock itself" -- "$sg" run --no-report -p "$tmp/no-landlock.sgp" -- "$sg" run -p "$tmp/fs-best.sgp" -- sh -c 'echo ran'
# What best-effort did not enforce is not reported as denied.
printf 'default allow\nfs best-effort\nfs read exec /usr, /lib64, /etc/ld.so.cache\n' > "$tmp/best-report.sgp"
expect_without "best effort: no false denials" 0 "sysgate: denied" -- "$sg" run --no-report -p "$tmp/no-landlock.sgp" -- "$sg" run --report-access -p "$tmp/best-report.sgp" -- cat "$tmp/other/secret"

# A '#' in a bare path would start a comment and leave a rule on another path: refused.
expect "hash in path"        1 "cannot be part of an unquoted path" -- "$sg" validate <(printf 'default allow\nfs read /srv/a#1\n')
expect "proc self warned"    0 "is opened by the process that applies the policy" -- "$sg" validate <(printf 'default allow\nfs read /proc/self\n')
expect "check: dot-dot"      2 "without '.' or '..'" -- "$sg" check "$tmp/web.sgp" --path /usr/../etc/shadow
expect "audit: summary"      0 "the policy would not have stopped anything" -- "$sg" run --audit -p "$tmp/web.sgp" -- true
printf 'default allow\nscope signals\n' > "$tmp/scope.sgp"
expect "audit: scope"        0 "(its scope rules were not checked)" -- "$sg" run --audit -p "$tmp/scope.sgp" -- true
expect "compile: says"       0 "the BPF program is the syscall filter alone" -- "$sg" compile "$tmp/web.sgp" -o /dev/null
# The ruleset's fd is never one the program is given: not in place of a --keep-fd that was
# not open, nor of a closed stderr.
expect "keep-fd not open"    125 "cannot keep fd 3" -- sh -c 'exec 3<&-; exec "$@"' sh "$sg" run --keep-fd 3 -p "$tmp/web.sgp" -- true
printf 'default allow\nfs read exec /usr, /lib64, /etc/ld.so.cache, /proc\n' > "$tmp/proc.sgp"
expect "no ruleset fd"       0 "extra:[]" -- "$sg" run -p "$tmp/proc.sgp" -- sh -c 'o=; for i in $(seq 3 64); do [ -e /proc/self/fd/$i ] && o="$o $i"; done; echo "extra:[$o]"'
# Port ranges cost one rule per port, however many overlap.
{ echo "default allow"; for i in $(seq 300); do echo "net bind connect 0..65535"; done; } > "$tmp/ports.sgp"
expect "many port ranges"    0 "ran" -- timeout 20 "$sg" run -p "$tmp/ports.sgp" -- sh -c 'echo ran'
# learn --merge keeps the merged policy's fs, net and scope rules.
expect "learn merge keeps"   0 "" -- "$sg" learn -q --merge "$tmp/web.sgp" -o "$tmp/learned.sgp" -- true
expect_line "learn merge: fs"  0 "fs read exec /lib64" -- cat "$tmp/learned.sgp"
expect_line "learn merge: fs 2" 0 "fs write $tmp/out" -- cat "$tmp/learned.sgp"
expect "learn merge: net"    0 "net connect none" -- cat "$tmp/learned.sgp"
expect "learn merge: valid"  0 "ok" -- "$sg" validate "$tmp/learned.sgp"

# validate and fmt understand the statements; print reads back.
expect "validate"            0 "web.sgp: ok (0 rules; 6 fs paths, 1 net port rule)" -- "$sg" validate "$tmp/web.sgp"
expect "validate: bad right" 1 "unknown fs access right 'raed'; did you mean 'read'?" -- "$sg" validate <(printf 'default allow\nfs raed /usr\n')
finish
