#!/usr/bin/env bash
# End-to-end tests of `sysgate explain`: records the kernel writes in the test (programs run
# under `sysgate run --log`, a kill verdict, sysgate run's supervisor) read back from the
# kernel log and explained against the policies that made them and others; every shape of log
# line; Landlock's records (ABI 7) in an audit.log, with their event's SYSCALL record; errors
# located at file:line:col; names from the program never reach the terminal raw; limits.
# Usage: explain_test.sh SYSGATE_BINARY
set -uo pipefail
sg=$1
source "$(dirname "$0")/lib.sh"
make_scratch

printf 'default allow\nerrno(EPERM) unshare\n' > "$tmp/deny.sgp"
printf 'default allow\nkill-process getpriority\n' > "$tmp/kill.sgp"
printf 'default allow\nkill-process unshare\n' > "$tmp/other.sgp"

# kernel_record FILE -- CMD...: runs CMD (which writes its pid to $tmp/pid), then puts the
# kernel's seccomp record of that pid into FILE. The kernel rate-limits these lines when tests
# run together: up to four tries, two seconds apart.
kernel_record() {
  local file=$1 try last
  shift 2
  for try in 1 2 3 4; do
    last=$(dmesg | tail -1)  # only what comes after it: a pid may have been used before
    "$@" >/dev/null 2>&1
    sleep 0.2
    dmesg | awk -v last="$last" 'new; $0 == last { new = 1 }' | grep -F "pid=$(cat "$tmp/pid") " |
      grep -F "type=1326" > "$file" && return 0
    sleep 2
  done
  echo "FAIL: no kernel record for: $*"
  fail=$((fail + 1))
  return 1
}

if need seccomp-log program:dmesg; then
  pid_then='echo $$ > '"$tmp/pid"'; exec'
  # errno(EPERM), logged because of --log (the kernel's own verdict: --no-report).
  if kernel_record "$tmp/errno.log" -- "$sg" run --no-report --log -p "$tmp/deny.sgp" -- \
      sh -c "$pid_then unshare -U true"; then
    pid=$(cat "$tmp/pid")
    expect "errno record" 0 "pid $pid (\"unshare\", " -- "$sg" explain "$tmp/errno.log"
    # The kernel logs the action without its data: which errno comes from the policy.
    expect "errno decoded" 0 ": unshare on x86_64: errno" -- "$sg" explain "$tmp/errno.log"
    expect_without "no errno number" 0 "errno(" -- "$sg" explain "$tmp/errno.log"
    expect "its rule" 0 "  decided by rule $tmp/deny.sgp:2:1: errno(EPERM)" -- "$sg" explain -p "$tmp/deny.sgp" "$tmp/errno.log"
    expect "from stdin" 0 "decided by rule" -- sh -c "\"$sg\" explain -p \"$tmp/deny.sgp\" < \"$tmp/errno.log\""
    expect "not this policy" 0 "not this policy's answer: it gives kill-process by rule $tmp/other.sgp:2:1 here" \
      -- "$sg" explain -p "$tmp/other.sgp" "$tmp/errno.log"
    expect "counted" 0 "sysgate: 1 seccomp record, 0 made by this policy" -- "$sg" explain -p "$tmp/other.sgp" "$tmp/errno.log"
    expect "json" 0 "json ok" -- "$py" -c '
import json, subprocess, sys
out = subprocess.run([sys.argv[1], "explain", "--json", "-p", sys.argv[2], sys.argv[3]], capture_output=True, text=True).stdout
j = json.loads(out.splitlines()[0])
assert j["syscall"] == "unshare" and j["arch"] == "x86_64" and j["action"] == "errno", j
assert j["pid"] == int(sys.argv[4]) and j["comm"] == "unshare" and j["match"] == "decided", j
assert j["candidates"][0]["by"].endswith("deny.sgp:2:1") and j["candidates"][0]["matches"], j
assert j["time"].endswith("Z") and j["code"] == "0x00050000", j
assert j["candidates"][0]["action"] == "errno(EPERM)", j
print("json ok")' "$sg" "$tmp/deny.sgp" "$tmp/errno.log" "$pid"
  fi
  # kill-process: logged without --log, with the signal.
  if kernel_record "$tmp/kill.log" -- "$sg" run --no-report -p "$tmp/kill.sgp" -- \
      "$py" -c "import os; open('$tmp/pid', 'w').write(str(os.getpid())); os.getpriority(os.PRIO_PROCESS, 0)"; then
    expect "kill record" 0 "getpriority on x86_64: kill-process (signal SIGSYS)" -- "$sg" explain "$tmp/kill.log"
    expect "kill rule" 0 "  decided by rule $tmp/kill.sgp:2:1: kill-process" -- "$sg" explain -p "$tmp/kill.sgp" "$tmp/kill.log"
  fi
  # Under sysgate run's supervisor the kernel logs the notification; the policy's errno rule
  # is what the supervisor answered.
  if kernel_record "$tmp/notif.log" -- "$sg" run --log -q -p "$tmp/deny.sgp" -- sh -c "$pid_then unshare -U true"; then
    expect "notification" 0 "unshare on x86_64: notify" -- "$sg" explain "$tmp/notif.log"
    expect "routed" 0 "decided by rule $tmp/deny.sgp:2:1: errno(EPERM); sysgate run's supervisor answered the notification" \
      -- "$sg" explain -p "$tmp/deny.sgp" "$tmp/notif.log"
  fi
  # The built-in profile sysgate run uses by default.
  expect "a profile" 0 "decided by" -- "$sg" explain --profile default "$tmp/errno.log"
else
  not_checked "records the kernel writes"
fi

# Every shape of line, without the kernel.
cat > "$tmp/shapes.log" <<'LOG'
[ 1234.567890] audit: type=1326 audit(1733414400.123:45): auid=4294967295 uid=1000 gid=1001 ses=4294967295 subj=unconfined pid=4242 comm="unshare" exe="/usr/bin/unshare" sig=0 arch=c000003e syscall=272 compat=0 ip=0x7f0000001234 code=0x50000
some other line
node=web1 type=SECCOMP msg=audit(1733414400.999:7): auid=1000 uid=1000 gid=1000 ses=3 pid=99 comm="nginx" exe="/usr/sbin/nginx" sig=0 arch=c000003e syscall=1073741825 compat=0 ip=0x1 code=0x7ffc0000
Dec 05 16:00:00 web1 audit[7]: SECCOMP auid=0 uid=0 gid=0 ses=1 pid=7 comm="sh" exe="/bin/sh" sig=31 arch=40000003 syscall=11 compat=1 ip=0x1 code=0x80000000
LOG
expect_line "dmesg" 0 "$tmp/shapes.log:1: 2024-12-05T16:00:00.123Z pid 4242 (\"unshare\", \"/usr/bin/unshare\", uid 1000): unshare on x86_64: errno" \
  -- "$sg" explain "$tmp/shapes.log"
expect_line "audit.log, x32" 0 "$tmp/shapes.log:3: 2024-12-05T16:00:00.999Z pid 99 (\"nginx\", \"/usr/sbin/nginx\", uid 1000): write on x32: log" \
  -- "$sg" explain "$tmp/shapes.log"
expect_line "journal, i386" 0 "$tmp/shapes.log:4: pid 7 (\"sh\", \"/bin/sh\", uid 0): execve on i386: kill-process (signal SIGSYS)" \
  -- "$sg" explain "$tmp/shapes.log"
expect "count" 0 "sysgate: 3 seccomp records" -- "$sg" explain "$tmp/shapes.log"
expect "foreign arch" 0 "kill-process by the foreign action (an ABI the policy does not target)" -- "$sg" explain -p "$tmp/deny.sgp" "$tmp/shapes.log"

# Bad input: located errors, exit 1; what is not a log.
printf 'ok line\ntype=1326 arch=c000003e syscall=1\n' > "$tmp/bad.log"
expect "no code" 1 "$tmp/bad.log:2:1: a seccomp record without code=" -- "$sg" explain "$tmp/bad.log"
# ausearch -i's interpretation (as auparse 3.0.9 writes it): names read back; its "kill" is
# either kill, so a kill-process rule made it.
printf 'type=SECCOMP msg=audit(12/05/2026 16:00:00.123:45) : auid=unset uid=root gid=root ses=unset pid=4242 comm=python3 exe=/usr/bin/my app sig=SIGSYS arch=x86_64 syscall=unshare compat=0 ip=0x7f code=kill\n' > "$tmp/i.log"
expect_line "ausearch -i" 0 "$tmp/i.log:1: pid 4242 (\"python3\", \"/usr/bin/my app\"): unshare on x86_64: kill (signal SIGSYS)" \
  -- "$sg" explain "$tmp/i.log"
printf 'default allow\nkill-process unshare\n' > "$tmp/kp.sgp"
expect "ausearch -i, policy" 0 "decided by rule $tmp/kp.sgp:2:1: kill-process" -- "$sg" explain -p "$tmp/kp.sgp" "$tmp/i.log"
expect "ausearch -i, learn" 0 "allow unshare" -- "$sg" learn --from-log "$tmp/i.log"
printf 'type=SECCOMP msg=audit(12/05/2026 16:00:00.123:45) : arch=x86_64 syscall=nosuch code=errno\n' > "$tmp/i2.log"
expect "ausearch -i, bad name" 1 "$tmp/i2.log:1:66: syscall=nosuch is not a system call of x86_64" -- "$sg" explain "$tmp/i2.log"
expect "no records" 1 "no seccomp or Landlock audit records" -- "$sg" explain /etc/hostname
expect "a directory" 1 "$tmp: is a directory, not a file" -- "$sg" explain "$tmp"
expect "a device" 1 "/dev/zero: is a device, not a file" -- "$sg" explain /dev/zero
expect "missing" 1 "cannot open" -- "$sg" explain "$tmp/none.log"
expect "bad policy" 1 "unknown syscall" -- sh -c "printf 'allow nosuchcall\n' > $tmp/x.sgp; \"$sg\" explain -p $tmp/x.sgp $tmp/shapes.log"
expect "both" 2 "not both" -- "$sg" explain -p "$tmp/deny.sgp" --profile default "$tmp/shapes.log"
expect "unknown profile" 2 "no built-in profile 'nope'" -- "$sg" explain --profile nope "$tmp/shapes.log"
expect "full stdout" 1 "cannot write to standard output" -- sh -c "\"$sg\" explain $tmp/shapes.log > /dev/full"
# A long line is skipped with a warning; the records around it are still explained.
{ head -1 "$tmp/shapes.log"; head -c 100000 /dev/zero | tr '\0' x; echo; sed -n 3p "$tmp/shapes.log"; } > "$tmp/long.log"
expect "long line" 0 "$tmp/long.log:2: warning: the line is longer than 64 KiB" -- "$sg" explain "$tmp/long.log"
expect "after it" 0 "sysgate: 2 seccomp records" -- "$sg" explain "$tmp/long.log"
# The program names its process: an escape sequence in comm (hex-encoded by the kernel) is
# shown escaped, never sent to the terminal.
printf 'type=1326 pid=1 comm=1B5B33316D6576696C exe="/x" arch=c000003e syscall=1 code=0x50001\n' > "$tmp/esc.log"
expect "escaped comm" 0 'pid 1 ("\x1b[31mevil", "/x")' -- "$sg" explain "$tmp/esc.log"
expect_without "no raw escape" 0 $'\e' -- "$sg" explain "$tmp/esc.log"
# An exe whose path holds a newline and a forged record (the kernel hex-encodes it): one line.
forged=$(printf '/tmp/x\n<stdin>:2: pid 1 ("sshd"): getpriority on x86_64: kill-process' | od -An -tx1 | tr -d ' \n')
printf 'type=1326 pid=5 comm="x" exe=%s arch=c000003e syscall=1 code=0x50000\n' "$forged" > "$tmp/forged.log"
expect "newline in exe" 0 '"/tmp/x\n<stdin>:2: pid 1 (\"sshd\"): getpriority on x86_64: kill-process"' -- "$sg" explain "$tmp/forged.log"
expect "one line" 0 "1 lines" -- sh -c "\"$sg\" explain $tmp/forged.log 2>/dev/null | wc -l | sed 's/$/ lines/'"
# Nor can a program's own syslog line pass for a record.
printf 'Dec 05 16:00:00 web1 mallory[999]: hello type=1326 audit(1.2:3): pid=1 comm="systemd" arch=c000003e syscall=1 code=0x80000000\n' > "$tmp/syslog.log"
expect "forged syslog line" 1 "no seccomp or Landlock audit records" -- "$sg" explain "$tmp/syslog.log"
printf 'type=1326 pid=1 comm=FF exe="/x" arch=c000003e syscall=1 code=0x50001\n' > "$tmp/utf.log"
expect "not UTF-8 in JSON" 0 "json ok" -- "$py" -c '
import json, subprocess, sys
j = json.loads(subprocess.run([sys.argv[1], "explain", "--json", sys.argv[2]], capture_output=True).stdout)
assert j["comm"] == "\ufffd", j
print("json ok")' "$sg" "$tmp/utf.log"
# Landlock's records (Linux 6.15, ABI 7) as audit.log has them: two events of one domain, each
# with its SYSCALL record (after the access record: the denial is explained when its event
# ends), the domain's creator, then its end; a program's forged line among them.
cat > "$tmp/landlock.log" <<'LOG'
type=LANDLOCK_ACCESS msg=audit(1765000000.221:33): domain=1b2c3d4e5 blockers=fs.write_file path="/etc/passwd" dev="vda2" ino=143821
type=LANDLOCK_DOMAIN msg=audit(1765000000.221:33): domain=1b2c3d4e5 status=allocated mode=enforcing pid=289 uid=0 exe="/usr/bin/sysgate" comm="sysgate"
type=SYSCALL msg=audit(1765000000.221:33): arch=c000003e syscall=257 success=no exit=-13 a0=ffffff9c a1=55d0 a2=241 a3=1b6 items=1 ppid=272 pid=290 auid=0 uid=0 gid=0 euid=0 tty=pts0 ses=1 comm="sh" exe="/usr/bin/dash" key=(null)
type=PROCTITLE msg=audit(1765000000.221:33): proctitle=7368
Dec 06 07:46:40 web1 mallory[999]: hello type=1423 audit(1.2:3): domain=1 blockers=fs.read_file path="/etc/shadow" dev="x" ino=1
type=EOE msg=audit(1765000000.221:33):
type=LANDLOCK_ACCESS msg=audit(1765000000.230:34): domain=1b2c3d4e5 blockers=net.connect_tcp daddr=10.0.0.1 dest=5432
type=SYSCALL msg=audit(1765000000.230:34): arch=c000003e syscall=42 success=no exit=-13 ppid=272 pid=291 uid=0 comm="psql" exe="/usr/bin/psql"
type=LANDLOCK_DOMAIN msg=audit(1765000000.261:35): domain=1b2c3d4e5 status=deallocated denials=2
LOG
printf 'default allow\nfs read /etc\nfs read write /tmp\nnet connect 443\n' > "$tmp/ll.sgp"
expect_line "landlock fs" 0 "$tmp/landlock.log:1: 2025-12-06T05:46:40.221Z pid 290 (\"sh\", \"/usr/bin/dash\", uid 0): openat on x86_64: denied by Landlock: write-file on /etc/passwd [domain 1b2c3d4e5, made by pid 289 (\"sysgate\", \"/usr/bin/sysgate\", uid 0)]" \
  -- "$sg" explain "$tmp/landlock.log"
expect_line "landlock net" 0 "$tmp/landlock.log:7: 2025-12-06T05:46:40.230Z pid 291 (\"psql\", \"/usr/bin/psql\", uid 0): connect on x86_64: denied by Landlock: connect to TCP port 5432 at 10.0.0.1 [domain 1b2c3d4e5, made by pid 289 (\"sysgate\", \"/usr/bin/sysgate\", uid 0)]" \
  -- "$sg" explain "$tmp/landlock.log"
expect "landlock count" 0 "sysgate: 0 seccomp records; 2 Landlock denials" -- "$sg" explain "$tmp/landlock.log"
expect "landlock fs rule" 0 "  decided by the fs rules: rule $tmp/ll.sgp:2:9 (fs read /etc) grants read there, not write-file" \
  -- "$sg" explain -p "$tmp/ll.sgp" "$tmp/landlock.log"
expect "landlock net rule" 0 "  decided by the net rules: no rule lets it connect TCP port 5432" \
  -- "$sg" explain -p "$tmp/ll.sgp" "$tmp/landlock.log"
expect "landlock by policy" 0 "2 Landlock denials, 2 made by this policy" -- "$sg" explain -p "$tmp/ll.sgp" "$tmp/landlock.log"
expect "landlock, no fs rules" 0 "not this policy's denial: the policy has no fs, net or scope rules, so another Landlock domain made it" \
  -- "$sg" explain -p "$tmp/deny.sgp" "$tmp/landlock.log"
printf 'default allow\nfs read write /etc\nnet connect 5432\n' > "$tmp/ll-grants.sgp"
expect "landlock, granted here" 0 "not this policy's denial: rule $tmp/ll-grants.sgp:2:15 (fs read write /etc) grants write-file on /etc/passwd, so another Landlock domain made it (or the policy has changed)" \
  -- "$sg" explain -p "$tmp/ll-grants.sgp" "$tmp/landlock.log"
expect_without "landlock, no forged record" 0 "/etc/shadow" -- "$sg" explain "$tmp/landlock.log"
expect "landlock json" 0 "json ok" -- "$py" -c '
import json, subprocess, sys
out = subprocess.run([sys.argv[1], "explain", "--json", "-p", sys.argv[2], sys.argv[3]], capture_output=True, text=True).stdout
rows = [json.loads(l) for l in out.splitlines()]
assert len(rows) == 2, rows
j = rows[0]
assert j["record"] == "landlock" and j["line"] == 1 and j["serial"] == 33, j
assert j["pid"] == 290 and j["comm"] == "sh" and j["syscall"] == "openat" and j["arch"] == "x86_64", j
assert j["domain"] == "1b2c3d4e5" and j["domain_creator"]["pid"] == 289, j
assert j["blockers"] == ["fs.write_file"] and j["access"] == ["write-file"], j
assert j["path"] == "/etc/passwd" and j["ino"] == 143821 and j["match"] == "decided", j
assert j["rules"][0]["by"].endswith("ll.sgp:2:9") and j["rules"][0]["grants"] == "read", j
assert rows[1]["port"] == 5432 and rows[1]["addr"] == "10.0.0.1" and rows[1]["rules"] == [], rows[1]
print("json ok")' "$sg" "$tmp/ll.sgp" "$tmp/landlock.log"
# The kernel lines (dmesg, /dev/kmsg) and journald's rendering; a hex-encoded path with a
# newline is shown escaped, on one line.
hexpath=$(printf '/tmp/a b\nx' | od -An -tx1 | tr -d ' \n')
cat > "$tmp/landlock-kmsg.log" <<LOG
[ 8123.000001] audit: type=1423 audit(1765000000.100:40): domain=2a blockers=fs.read_file,fs.read_dir path="/srv" dev="vda1" ino=2
6,2210,8123000001,-;audit: type=1423 audit(1765000000.200:41): domain=2a blockers=fs.write_file path=$hexpath dev="tmpfs" ino=9
Dec 06 07:46:40 web1 audit: LANDLOCK_ACCESS domain=2a blockers=scope.signal opid=1 ocomm="systemd"
LOG
expect_line "landlock dmesg" 0 "$tmp/landlock-kmsg.log:1: 2025-12-06T05:46:40.100Z a process: denied by Landlock: read-file read-dir on /srv [domain 2a]" \
  -- "$sg" explain "$tmp/landlock-kmsg.log"
expect "landlock hex path" 0 'denied by Landlock: write-file on "/tmp/a b\nx" [domain 2a]' -- "$sg" explain "$tmp/landlock-kmsg.log"
expect "landlock journal" 0 "a process: denied by Landlock: signals to pid 1 (\"systemd\") [domain 2a]" -- "$sg" explain "$tmp/landlock-kmsg.log"
expect "landlock one line each" 0 "3 lines" -- sh -c "\"$sg\" explain $tmp/landlock-kmsg.log 2>/dev/null | wc -l | sed 's/$/ lines/'"
# A whole event as this machine's kernel (Linux 6.18, audit enabled for the moment of
# LandlockAudit.TheKernelsRecordOfADenialIsExplained) wrote it to dmesg: the access, the domain,
# the SYSCALL and PROCTITLE records, one event.
cat > "$tmp/landlock-real.log" <<'LOG'
[53105.922800] audit: type=1423 audit(1796579439.399:7615): domain=1d54f3184 blockers=fs.read_file path="/tmp/sysgate-landlock-audit-EOsXVx/closed/secret" dev="vda" ino=10953748
[53105.922809] audit: type=1424 audit(1796579439.399:7615): domain=1d54f3184 status=allocated mode=enforcing pid=3338 uid=0 exe="/work/wt-landlock-audit/build/tests/kernel_test" comm="kernel_test"
[53105.922810] audit: type=1300 audit(1796579439.399:7615): arch=c000003e syscall=257 success=no exit=-13 a0=ffffff9c a1=55b44c0b7b10 a2=80000 a3=0 items=0 ppid=3336 pid=3338 auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=4294967295 comm="kernel_test" exe="/work/wt-landlock-audit/build/tests/kernel_test" key=(null)
[53105.922822] audit: type=1327 audit(1796579439.399:7615): proctitle=6275696C642F74657374732F6B65726E656C5F74657374002D2D67746573745F66696C7465723D4C616E646C6F636B41756469742E2A
LOG
printf 'default allow\nfs read /tmp/sysgate-landlock-audit-EOsXVx/open\n' > "$tmp/ll-real.sgp"
expect "landlock real event" 0 'pid 3338 ("kernel_test", "/work/wt-landlock-audit/build/tests/kernel_test", uid 0): openat on x86_64: denied by Landlock: read-file on /tmp/sysgate-landlock-audit-EOsXVx/closed/secret [domain 1d54f3184, made by pid 3338' \
  -- "$sg" explain "$tmp/landlock-real.log"
expect "landlock real: the rules" 0 "decided by the fs rules: no rule grants read-file on /tmp/sysgate-landlock-audit-EOsXVx/closed/secret" \
  -- "$sg" explain -p "$tmp/ll-real.sgp" "$tmp/landlock-real.log"
expect "landlock real: counted" 0 "1 Landlock denial, 1 made by this policy" -- "$sg" explain -p "$tmp/ll-real.sgp" "$tmp/landlock-real.log"
printf 'type=1423 audit(1.2:3): domain=zz blockers=fs.read_file\n' > "$tmp/ll-bad.log"
expect "landlock error" 1 "$tmp/ll-bad.log:1:25: domain=zz is not a hexadecimal domain id" -- "$sg" explain "$tmp/ll-bad.log"

# CRLF logs, auditd's ENRICHED format.
printf 'type=SECCOMP msg=audit(1.2:3): pid=1 comm="a" arch=c000003e syscall=1 code=0x50000\x1dAUID="alice" SYSCALL=write\r\n' > "$tmp/enriched.log"
expect "enriched, CRLF" 0 "write on x86_64: errno" -- "$sg" explain "$tmp/enriched.log"
# A stream is explained as it comes, not at its end.
expect "streamed" 124 "write on x32" -- sh -c "{ sed -n 3p $tmp/shapes.log; sleep 4; } | timeout 2 \"$sg\" explain"

finish
