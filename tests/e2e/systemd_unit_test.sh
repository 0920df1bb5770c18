#!/usr/bin/env bash
# `sysgate convert --to systemd`, checked against a real systemd: a unit's SystemCallFilter= lines
# mean what sysgate reads them to mean. The same probes (raw syscalls, each printing its errno)
# run under `sysgate run` with the policy the unit reads back as, and, in a container booted
# with systemd-nspawn, as a service with the unit's lines (systemd-run -p): the answers must be
# the same. Docker's profile is converted with --widen (systemd cannot test arguments) and must
# allow what Docker's allows. The container boots the host's own /usr (--volatile=yes) and is
# halted at the end; what nspawn leaves in the cgroup tree and /run is removed.
# Usage: systemd_unit_test.sh SYSGATE_BINARY
set -uo pipefail
sg=$1
source "$(dirname "$0")/lib.sh"
need root || skip_all "$why"
[[ $(uname -m) == x86_64 ]] || skip_all "the probes' syscall numbers are x86_64's"
nspawn=$(command -v systemd-nspawn) || skip_all "systemd-nspawn is not installed (Debian: systemd-container)"
[[ -x /lib/systemd/systemd ]] || skip_all "systemd is not installed"
make_scratch
# What nspawn makes that outlives it: cgroups beside the caller's, and /run/systemd/nspawn.
cgroup_dirs() {
  local line path
  while IFS=: read -r _ ctl path; do
    for h in /sys/fs/cgroup/unified /sys/fs/cgroup/systemd /sys/fs/cgroup; do
      [[ $ctl == name=systemd && $h != /sys/fs/cgroup/systemd ]] && continue
      [[ -z $ctl && $h == /sys/fs/cgroup/systemd ]] && continue
      [[ -f $h$path/cgroup.procs ]] || continue
      for d in payload supervisor; do echo "${h}${path%/}/$d"; done
      break
    done
  done < /proc/self/cgroup
}
left_before=()
for d in $(cgroup_dirs); do [[ -e $d ]] && left_before+=("$d"); done
had_nspawn_run=no had_nspawn_root=no
[[ -e /run/systemd/nspawn ]] && had_nspawn_run=yes
[[ -e /run/systemd/nspawn-root ]] && had_nspawn_root=yes
machine=sysgate-test-$$
leader=
cleanup() {
  if [[ -n $leader ]]; then
    kill -TERM "$leader" 2> /dev/null
    for _ in $(seq 1 100); do kill -0 "$leader" 2> /dev/null || break; sleep 0.1; done
    kill -KILL "$leader" 2> /dev/null
  fi
  for d in $(cgroup_dirs); do
    [[ " ${left_before[*]} " == *" $d "* ]] && continue
    [[ -d $d ]] && find "$d" -depth -type d -exec rmdir {} + 2> /dev/null
  done
  [[ $had_nspawn_run == no ]] && rm -rf /run/systemd/nspawn
  [[ $had_nspawn_root == no ]] && rmdir /run/systemd/nspawn-root 2> /dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT

W=$tmp/w
mkdir -p "$W"
# NAME NR ARGS: the calls whose verdicts differ between the policies below (x86_64 numbers).
# Each fails harmlessly where it is allowed (NULL pointers, bad flags). Not the calls nspawn's
# own filter denies inside the container (add_key, keyctl, ...), where the two would differ.
cat > "$W/probe.py" << 'PROBE'
import ctypes
l = ctypes.CDLL(None, use_errno=True)
l.syscall.restype = ctypes.c_long
calls = [("getpid", 39), ("mount", 165, 0, 0, 0, 0, 0), ("umount2", 166, 0, 0),
         ("socket_vsock", 41, 40, 1, 0), ("socket_inet", 41, 2, 1, 0), ("clone3", 435, 0, 0),
         ("io_uring_setup", 425, 0, 0), ("personality_query", 135, 0xffffffff),
         ("personality_odd", 135, 0x0400000), ("kexec_load", 246, 0, 0, 0, 0xdead0000),
         ("sysinfo", 99, 0), ("mknodat", 259, -100, 0, 0, 0)]
for name, nr, *args in calls:
    ctypes.set_errno(0)
    r = l.syscall(*map(ctypes.c_long, (nr, *args)))
    print(name, ctypes.get_errno() if r == -1 else 0)
PROBE

# Boot: the host's /usr on an empty root, the tree bound in. SYSTEMD_SECCOMP=0 turns off
# nspawn's own filter (which fails the calls its libseccomp does not know with ENOSYS, and
# keyctl), so that the units' filters are alone, as a host's services have them.
SYSTEMD_SECCOMP=0 "$nspawn" -D / --volatile=yes --register=no --keep-unit -M "$machine" -q -b --console=read-only \
  --bind="$W" --bind-ro="$(dirname "$sg")" systemd.firstboot=off systemd.unit=basic.target > "$tmp/boot.log" 2>&1 < /dev/null &
leader=$!
init=
for _ in $(seq 1 600); do  # up to 60 s: the boot shares the machine with the other tests
  kill -0 "$leader" 2> /dev/null || break
  init=$(pgrep -P "$leader" | head -1)
  [[ -n $init ]] && nsenter -t "$init" -a systemctl is-system-running 2> /dev/null | grep -qE '^(running|degraded)$' && break
  init=
  sleep 0.1
done
if [[ -z $init ]]; then
  # A container or chroot that cannot make the namespaces nspawn needs.
  skip_all "systemd did not boot in systemd-nspawn here: $(tail -3 "$tmp/boot.log" | tr '\n' ' ')"
fi

# check NAME POLICY [CONVERT OPTIONS]: converted to a unit; the probes under the policy the unit
# reads back as (sysgate run) and under the unit (systemd) must answer the same.
check() {
  local name=$1 policy=$2
  shift 2
  if ! "$sg" convert --to systemd -q "$@" "$policy" -o "$tmp/$name.service" 2> "$tmp/$name.err"; then
    echo "FAIL: $name: convert failed:"; sed 's/^/    /' "$tmp/$name.err"; fail=$((fail + 1)); return
  fi
  "$sg" convert -q "$tmp/$name.service" --to sysgate -o "$tmp/$name.means.sgp" 2> /dev/null
  local props=() line
  while IFS= read -r line; do
    [[ -z $line || $line == '#'* ]] && continue
    props+=(-p "$line")
  done < "$tmp/$name.service"
  local sysgate systemd
  sysgate=$("$sg" run -q -p "$tmp/$name.means.sgp" -- "$py" "$W/probe.py" 2>&1)
  systemd=$(nsenter -t "$init" -a systemd-run --wait --pipe --quiet "${props[@]}" "$py" "$W/probe.py" 2>&1)
  if [[ $sysgate == "$systemd" && $(wc -l <<< "$sysgate") -ge 12 ]]; then
    pass=$((pass + 1))
  else
    echo "FAIL: $name: the probes differ (sysgate run | systemd):"
    diff <(echo "$sysgate") <(echo "$systemd") | sed 's/^/    /'
    fail=$((fail + 1))
  fi
  echo "$systemd" > "$tmp/$name.out"
}
# expect_probe NAME LINE: under the unit of case NAME, the probes had LINE.
expect_probe() {
  if grep -qxF -- "$2" "$tmp/$1.out"; then pass=$((pass + 1)); else echo "FAIL: $1: no line '$2' in:"; sed 's/^/    /' "$tmp/$1.out"; fail=$((fail + 1)); fi
}
# expect_not NAME LINE: ... did not have LINE.
expect_not() {
  if grep -qxF -- "$2" "$tmp/$1.out"; then echo "FAIL: $1: line '$2'"; fail=$((fail + 1)); else pass=$((pass + 1)); fi
}

# A deny list with an errno per call (systemd's ~name:ERRNO).
cat > "$tmp/deny.sgp" << 'POL'
default allow
errno(EACCES) umount2
errno(EPERM) mount, kexec_load
errno(ENOSYS) clone3
errno(EXDEV) sysinfo
POL
check deny "$tmp/deny.sgp"
expect_probe deny "umount2 13"
expect_probe deny "mount 1"
expect_probe deny "clone3 38"
expect_probe deny "sysinfo 18"
expect_probe deny "getpid 0"

# An allow list: every other call fails with SystemCallErrorNumber=, and @default is allowed
# whatever the list says (the unit reads back with it).
cat > "$tmp/allow.sgp" << 'POL'
default errno(EACCES)
allow @system-service
POL
check allow "$tmp/allow.sgp"
expect_probe allow "mount 13"
expect_probe allow "kexec_load 13"
expect_probe allow "getpid 0"

# A name Debian 12's libseccomp does not know: convert says systemd ignores it, and systemd
# does (mseal runs; the journal has systemd's own line about it).
printf 'default allow\nerrno(EPERM) mseal, mount\n' > "$tmp/unknown.sgp"
expect "libseccomp: said" 0 "mseal is not denied" -- "$sg" convert --to systemd "$tmp/unknown.sgp"
mseal_py='import ctypes; libc = ctypes.CDLL(None, use_errno=True); r = libc.syscall(462, 0, 0, 0); print(r, ctypes.get_errno() if r else 0)'
expect_line "libseccomp: mseal runs here" 0 "0 0" -- "$py" -c "$mseal_py"
expect_line "libseccomp: a deny list does not deny it" 0 "0 0" -- nsenter -t "$init" -a systemd-run --wait --pipe --quiet \
  -p "SystemCallFilter=~mseal:EPERM mount:EPERM" "$py" -c "$mseal_py"
expect "libseccomp: said for an allow list" 0 "mseal is not allowed" -- sh -c "printf 'default errno(EACCES)\nallow read, mseal\n' | \"$sg\" convert --to systemd -"
expect_line "libseccomp: an allow list does not allow it" 0 "-1 13" -- nsenter -t "$init" -a systemd-run --wait --pipe --quiet \
  -p "SystemCallFilter=@system-service mseal" -p SystemCallErrorNumber=EACCES "$py" -c "$mseal_py"
nsenter -t "$init" -a journalctl --sync 2> /dev/null
expect "libseccomp: systemd says so" 0 "Failed to parse system call, ignoring: mseal" -- \
  nsenter -t "$init" -a journalctl --no-pager -o cat

# run --log-to journal, inside the container where journald runs: an entry per report, with the
# report's fields; the program's own output is untouched.
cp "$tmp/deny.sgp" "$W/deny.sgp"
expect "journal: runs" 0 "getpid 0" -- nsenter -t "$init" -a "$sg" run --log-to journal -p "$W/deny.sgp" -- "$py" "$W/probe.py"
nsenter -t "$init" -a journalctl --sync 2> /dev/null
journal=$(nsenter -t "$init" -a journalctl -t sysgate -o export --no-pager 2>&1)
for want in "SYSGATE_EVENT=blocked" "SYSGATE_SYSCALL=umount2" "SYSGATE_RESULT=-1 EACCES (Permission denied)" \
            "PRIORITY=4" "SYSGATE_EVENT=exit" "SYSGATE_EXIT_STATUS=0"; do
  grep -qxF -- "$want" <<< "$journal" && pass=$((pass + 1)) || { echo "FAIL: journal: no field $want in:"; head -40 <<< "$journal" | sed 's/^/    /'; fail=$((fail + 1)); }
done
grep -q "^MESSAGE=sysgate: blocked umount2(NULL, 0) = -1 EACCES (Permission denied)  \[rule $W/deny.sgp:2:1\]" <<< "$journal" &&
  pass=$((pass + 1)) || { echo "FAIL: journal: no MESSAGE for umount2"; grep MESSAGE <<< "$journal" | sed 's/^/    /'; fail=$((fail + 1)); }

# The journal's socket is the supervisor's, never the program's; with --exec the supervisor that
# outlives the program sends the reports.
expect_line "journal: not the program's" 0 "0 1 2 3" -- nsenter -t "$init" -a "$sg" run --log-to journal -- sh -c 'cd /proc/self/fd && echo $(ls | sort -n)'
nsenter -t "$init" -a "$sg" run --exec --log-to journal --deny sethostname -- "$py" -c 'import socket; socket.sethostname("x")' > /dev/null 2>&1
for _ in $(seq 1 50); do
  nsenter -t "$init" -a journalctl --sync 2> /dev/null
  nsenter -t "$init" -a journalctl -t sysgate -o export --no-pager 2> /dev/null | grep -qxF "SYSGATE_SYSCALL=sethostname" && break
  sleep 0.1
done
expect "journal: --exec" 0 "SYSGATE_SYSCALL=sethostname" -- nsenter -t "$init" -a journalctl -t sysgate -o export --no-pager

# A program that names a file to forge journal fields: the denial quotes the path, its
# newlines escaped, in one field; no entry gets the fields the name spells.
forged=$'x\nSYSGATE_EVENT=forged\nPRIORITY=0'
mkdir -p "$W/ok"
printf 'x' > "$W/$forged"
printf 'default allow\nfs read exec /usr, /lib64, /proc\nfs read write %s/ok\n' "$W" > "$W/fs.sgp"
nsenter -t "$init" -a "$sg" run --log-to journal --report-access -p "$W/fs.sgp" -- "$py" -c '
import sys
try: open(sys.argv[1])
except OSError: pass' "$W/$forged" > /dev/null 2>&1
nsenter -t "$init" -a journalctl --sync 2> /dev/null
denials=$(nsenter -t "$init" -a journalctl -t sysgate SYSGATE_EVENT=denied -o json --no-pager 2>&1)
expect "journal: a newline stays in its field" 0 "no rule grants read-file on \\\"$W/x\\\\nSYSGATE_EVENT=forged\\\\nPRIORITY=0\\\"" -- echo "$denials"
expect_without "journal: no forged field" 0 '"forged"' -- nsenter -t "$init" -a journalctl -t sysgate -o json --no-pager

# Docker's profile, widened: argument rules and its ENOSYS for clone3 become allowed calls; the
# rest is Docker's. Compared with Docker's own verdicts under sysgate run.
docker=$(cd "$(dirname "$0")/../.." && pwd)/../shared/data/profiles/moby-profiles-default.json
if [[ -f $docker ]]; then
  check docker_widened "$docker" --widen
  docker_own=$("$sg" run -q -p "$docker" -- "$py" "$W/probe.py" 2>&1)
  grep -qxF "socket_vsock 1" <<< "$docker_own" && pass=$((pass + 1)) || { echo "FAIL: Docker's profile allows AF_VSOCK"; fail=$((fail + 1)); }
  grep -qxF "clone3 38" <<< "$docker_own" && pass=$((pass + 1)) || { echo "FAIL: Docker's profile: clone3 not ENOSYS"; fail=$((fail + 1)); }
  expect_not docker_widened "socket_vsock 1"  # widened: allowed whatever the family
  expect_not docker_widened "clone3 38"       # widened: allowed rather than EPERM
  expect_probe docker_widened "mount 1"
  expect_probe docker_widened "kexec_load 1"
  expect_probe docker_widened "io_uring_setup 1"
  expect_probe docker_widened "socket_inet 0"
  # Nothing Docker's profile allows is denied by the unit.
  while read -r call errno; do
    [[ $errno == 1 ]] && continue
    grep -qxF "$call 1" "$tmp/docker_widened.out" && { echo "FAIL: widened unit denies $call, which Docker's profile allows"; fail=$((fail + 1)); }
  done <<< "$docker_own"
  pass=$((pass + 1))
else
  skip_part "no reference data at $docker (Docker's profile)"
fi

finish
