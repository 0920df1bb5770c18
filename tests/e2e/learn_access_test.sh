#!/usr/bin/env bash
# End-to-end tests of `sysgate learn --fs --net`: learn the files and ports of real programs
# (tar, python3, git), then replay each in the same, emptied, directory under the learned
# policy, whose fs and net rules Landlock enforces: it must end the same way with the same
# output and nothing denied. The learned rules then deny what the run did not touch.
# Run as root by make check and as nobody by make check-user.
# Usage: learn_access_test.sh SYSGATE_BINARY
set -uo pipefail
sg=$1
source "$(dirname "$0")/lib.sh"
need landlock:4 || skip_all "$why"
make_scratch

# replay NAME [--setup SHELL-CODE] -- CMD...: learn CMD with --fs --net in $tmp/NAME.d (after
# SHELL-CODE made what it needs there), empty that directory (and set it up again), and run CMD
# there again under what was learned.
replay() {
  local name=$1 setup=:
  shift
  [[ $1 == --setup ]] && { setup=$2; shift 2; }
  shift  # --
  local policy="$tmp/$name.sgp" w="$tmp/$name.d" out1 rc1 out2 rc2 err2
  rm -rf "$w" && mkdir -p "$w" && (cd "$w" && eval "$setup")
  out1=$(cd "$w" && "$sg" learn -q --fs --net -o "$policy" -- "$@" 2>/dev/null)
  rc1=$?
  rm -rf "$w" && mkdir -p "$w" && (cd "$w" && eval "$setup")
  out2=$(cd "$w" && "$sg" run -p "$policy" -- "$@" 2>"$tmp/$name.err")
  rc2=$?
  err2=$(grep -E "sysgate: (blocked|.*killed|error)|Permission denied|Operation not permitted" "$tmp/$name.err")
  if [[ $rc1 -ne $rc2 || $out1 != "$out2" || -n $err2 ]] || ! grep -q '^fs ' "$policy"; then
    echo "FAIL: replay $name: learn exit $rc1, replay exit $rc2"
    [[ $out1 != "$out2" ]] && diff <(echo "$out1") <(echo "$out2") | head -10 | sed 's/^/    /'
    echo "$err2" | head -5 | sed 's/^/    /'
    grep -E '^(fs|net) ' "$policy" | head -20 | sed 's/^/    policy: /'
    fail=$((fail + 1))
  else
    pass=$((pass + 1))
  fi
}

# ---- tar: reads a tree, writes an archive, gzip beside it, extracts into a new directory ----
mkdir -p "$tmp/src" && cp -r /usr/share/doc/tar "$tmp/src/"
replay tar -- sh -c "tar -C '$tmp' -czf a.tgz src && mkdir x && tar -xzf a.tgz -C x && diff -r '$tmp/src' x/src && gzip -dc a.tgz | wc -c"
expect "tar: the tree it read"      0 "fs read-file $tmp/src/tar " -- cat "$tmp/tar.sgp"
expect      "tar: programs and libs" 0 "fs read exec /usr" -- cat "$tmp/tar.sgp"
expect      "tar: made in its dir"   0 "$tmp/tar.d " -- grep -E '^fs .*(make-reg|create|write)' "$tmp/tar.sgp"

# ---- python3: a data directory, a file and a temporary directory written, a TCP server on a
# fixed loopback port and a client of it; then, under what it learned, attacks ----
mkdir -p "$tmp/data" "$tmp/other"
for f in a b c d e; do echo "$f$f$f" > "$tmp/data/$f"; done
echo secret > "$tmp/other/secret"
port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat > "$tmp/app.py" <<PY
import os, socket, sys, tempfile
mode, arg = sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else ""
if mode == "run":
    names = sorted(os.listdir("$tmp/data"))
    total = sum(len(open(os.path.join("$tmp/data", n)).read()) for n in names)
    with open("out.txt", "w") as f:
        f.write(str(total))
    d = tempfile.mkdtemp(dir=".")
    open(os.path.join(d, "t"), "w").write("x")
    os.rename(os.path.join(d, "t"), os.path.join(d, "u"))
    os.unlink(os.path.join(d, "u"))
    os.rmdir(d)
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("127.0.0.1", $port))
    srv.listen()
    cli = socket.create_connection(("127.0.0.1", $port))
    conn, _ = srv.accept()
    cli.sendall(b"ping")
    conn.sendall(conn.recv(4).upper())
    print(cli.recv(4).decode(), total, len(names))
    sys.exit(0)
try:
    if mode == "read": open(arg).read()
    if mode == "write": open(arg, "w").write("x")
    if mode == "bind": socket.socket().bind(("127.0.0.1", int(arg)))
    if mode == "connect": socket.create_connection(("127.0.0.1", int(arg)), timeout=2)
    print("done")
except OSError as e:
    print("errno", e.errno)
PY
replay python -- "$py" "$tmp/app.py" run
pol=$tmp/python.sgp
expect_line "python: its port"       0 "net bind $port" -- sed -E 's/ +#.*//' "$pol"
expect_line "python: connects there" 0 "net connect $port" -- sed -E 's/ +#.*//' "$pol"
expect      "python: data read"      0 "$tmp/data" -- grep '^fs ' "$pol"
run_app() { (cd "$tmp/python.d" && "$sg" run -q -p "$pol" -- "$py" "$tmp/app.py" "$@"); }
expect "python: reads its data"      0 "done"     -- run_app read "$tmp/data/a"
expect "python: no other file"       0 "errno 13" -- run_app read "$tmp/other/secret"
expect "python: no /etc/shadow"      0 "errno 13" -- run_app read /etc/shadow
expect "python: no write beside"     0 "errno 13" -- run_app write "$tmp/other/new"
expect "python: no write in data"    0 "errno 13" -- run_app write "$tmp/data/new"
[[ ! -e $tmp/other/new && ! -e $tmp/data/new ]] && pass=$((pass + 1)) || { echo "FAIL: a denied write left a file"; fail=$((fail + 1)); }
expect "python: no other port"       0 "errno 13" -- run_app bind $((port + 1))
expect "python: no connecting out"   0 "errno 13" -- run_app connect 9
# Without the rules the same connect is refused by no one listening, not by Landlock.
expect "python: unruled connect"     0 "errno 111" -- "$py" "$tmp/app.py" connect 9

# ---- --merge: a second run's paths join the first's, with the counts ----
(cd "$tmp/python.d" && "$sg" learn -q --fs --net --merge "$pol" -o "$tmp/merged.sgp" -- "$py" "$tmp/app.py" read "$tmp/other/secret") >/dev/null 2>&1
expect "merge: the new path"         0 "$tmp/other/secret" -- grep '^fs ' "$tmp/merged.sgp"
expect "merge: the old rules"        0 "net bind $port" -- cat "$tmp/merged.sgp"
expect "merge: replays"              0 "done" -- bash -c "cd '$tmp/python.d' && '$sg' run -q -p '$tmp/merged.sgp' -- '$py' '$tmp/app.py' read '$tmp/other/secret'"
expect "merge: without --fs, said"   0 "the merged policies have fs rules, which are kept" -- \
  bash -c "cd '$tmp/python.d' && '$sg' learn --merge '$pol' -o '$tmp/m2.sgp' -- true"

# ---- git: a repository made, objects written, lock files renamed into place ----
if need program:git; then
  replay git -- sh -c 'export HOME=$PWD GIT_CONFIG_NOSYSTEM=1; git init -q r && cd r && echo hi > f && git add f && git -c user.name=t -c user.email=t@t commit -qm one && git log --format=%s && git status --short | wc -l'
  expect "git: granted where it made the repository" 0 "$tmp/git.d" -- grep -E '^fs .*(create|make-dir)' "$tmp/git.sgp"
else
  skip_part "$why"
fi

# ---- what the kernel checks that a path alone does not say ----
# A file written in one directory and renamed into another: the kernel refuses the move (EXDEV)
# where the new place would give the file rights the old one did not.
replay rename-into-place --setup 'mkdir tmp out; for i in 1 2 3 4; do echo $i > out/$i; done' -- "$py" -c '
import os
open("tmp/f", "w").write("x"); os.rename("tmp/f", "out/f")
print(sorted(os.listdir("out")), open("out/f").read())'
# A file replaced by a rename is another file: a rule on its name would not follow it.
replay replace --setup 'echo old > cfg' -- "$py" -c '
import os
a = open("cfg").read(); open("cfg.tmp", "w").write("new"); os.replace("cfg.tmp", "cfg"); print(a, open("cfg").read())'
# Reopening an fd through /dev/fd reaches the file itself, whose rights count.
replay dev-fd -- sh -c 'exec 3>out.log; echo hi >/dev/fd/3; cat out.log'
# A terminal pair: TIOCGPTPEER opens /dev/pts/N with no path in any call.
replay pty -- "$py" -c 'import pty, os; m, s = pty.openpty(); os.write(s, b"hi\n"); print(os.read(m, 10))'
# O_CREAT through a symlink to what is not there yet makes its target.
replay dangling-link --setup 'mkdir tgt; ln -s tgt/x link' -- sh -c 'echo hi > link; cat tgt/x'
# ftruncate of a file that was unlinked after it was opened.
replay unlinked --setup 'mkdir sub' -- "$py" -c '
import os
fd = os.open("sub/x", os.O_CREAT | os.O_RDWR); os.unlink("sub/x"); os.ftruncate(fd, 1); print("truncated")'
# mv tries a no-replace rename first: a failed call grants nothing.
replay mv --setup 'mkdir a b; echo 1 > a/f' -- sh -c 'mv a/f b/ && cat b/f'
expect_without "mv: nothing for the failed try" 0 "remove-dir" -- cat "$tmp/mv.sgp"
# A name no rule can hold (a newline) is granted by its directory.
replay newline --setup 'mkdir "d$(printf "\nx")" && echo hi > "d$(printf "\nx")/f"' -- sh -c 'cat d*/f'
# An exec that fails (a directory) grants nothing.
(cd "$tmp" && "$sg" learn -q --fs -o "$tmp/exec-dir.sgp" -- sh -c '/etc 2>/dev/null; true') >/dev/null 2>&1
expect_without "exec of a directory: no rule" 0 " /etc " -- sed -nE '/^fs /s/ +#.*/ /p' "$tmp/exec-dir.sgp"

# Where openat2 is refused (an old kernel, a container's filter), the interpreters of what runs
# are still found: a script's learned rules still let it run.
printf 'default allow\nerrno(ENOSYS) openat2\n' > "$tmp/no-openat2.sgp"
mkdir -p "$tmp/script.d" && printf '#!/bin/sh\necho hi\n' > "$tmp/script.d/s.sh" && chmod +x "$tmp/script.d/s.sh"
(cd "$tmp/script.d" && "$sg" run --no-report -p "$tmp/no-openat2.sgp" -- "$sg" learn -q --fs -o "$tmp/script.sgp" -- ./s.sh) >/dev/null 2>&1
expect "no openat2: the script runs" 0 "hi" -- bash -c "cd '$tmp/script.d' && '$sg' run -q -p '$tmp/script.sgp' -- ./s.sh"
# O_CREAT|O_EXCL on a dangling symlink fails (EEXIST): nothing granted where it points.
mkdir -p "$tmp/excl.d" "$tmp/excl-target" && ln -sf "$tmp/excl-target/new" "$tmp/excl.d/link"
(cd "$tmp/excl.d" && "$sg" learn -q --fs -o "$tmp/excl.sgp" -- "$py" -c "
import os
try: os.open('link', os.O_CREAT | os.O_EXCL | os.O_WRONLY)
except OSError as e: print(e.errno)") >/dev/null 2>&1
expect_without "excl: nothing granted there" 0 "$tmp/excl-target" -- grep '^fs ' "$tmp/excl.sgp"
# The files a program starts with were opened before any rule: Landlock checks neither their
# ioctls nor their truncates, so they need no rule (learn once granted ioctl-dev on an
# inherited /dev/null). One the program opens itself onto fd 0 does.
# Telling them apart takes pidfd_getfd and kcmp; where they are refused, learn says so.
if need file-compare; then
  (cd "$tmp" && "$sg" learn -q --fs -o "$tmp/inherited.sgp" -- sh -c 'test -t 0; true') </dev/null >/dev/null 2>&1
  expect_without "inherited stdin: no rule" 0 "/dev/null" -- grep '^fs ' "$tmp/inherited.sgp"
  (cd "$tmp" && "$sg" learn -q --fs -o "$tmp/inherited-dup.sgp" -- sh -c 'exec 7<&0; test -t 7; true') </dev/null >/dev/null 2>&1
  expect_without "inherited, dup'd: no rule" 0 "/dev/null" -- grep '^fs ' "$tmp/inherited-dup.sgp"
  expect_without "inherited: no note" 0 "cannot be told" -- sh -c "cd '$tmp' && '$sg' learn --fs -o '$tmp/note.sgp' -- true"
else
  skip_part "inherited files are not told apart: $why"
  expect "inherited: said why" 0 "cannot be told from those it opens here" -- sh -c "cd '$tmp' && '$sg' learn --fs -o '$tmp/note.sgp' -- true"
fi
(cd "$tmp" && "$sg" learn -q --fs -o "$tmp/reopened.sgp" -- sh -c 'test -t 0 </dev/null; true') </dev/null >/dev/null 2>&1
expect "reopened stdin: its rule" 0 "ioctl-dev /dev/null" -- grep '^fs ' "$tmp/reopened.sgp"

# ---- what learning refuses ----
expect "from-log has no paths" 2 "--fs, --net" -- "$sg" learn --fs --from-log /dev/null
finish
