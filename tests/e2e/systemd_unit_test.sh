#!/usr/bin/env bash
# `sysgate convert --to systemd` of fs rules, checked against a real systemd: the same probes
# (read, write, create, remove, exec, list, device nodes, ...) run under `sysgate run` (Landlock)
# and, in a container booted with systemd-nspawn, as a service with the converted unit's
# lines (systemd-run -p). Every probe must give the same answer both ways. The container boots
# the host's own /usr (--volatile=yes) and is halted at the end; what nspawn leaves in the
# cgroup tree and /run is removed.
# Usage: systemd_unit_test.sh SYSGATE_BINARY
set -uo pipefail
sg=$1
source "$(dirname "$0")/lib.sh"
need root landlock:4 || skip_all "$why"
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

# The tree the probes reach.
W=$tmp/w
mkdir -p "$W"/{bin,ro/bin,rw/sub,hidden,exe}
for f in ro rw hidden; do echo "$f" > "$W/$f/f"; done
for s in ro/s rw/s exe/s ro/bin/s rw/sub/s; do printf '#!/bin/sh\nexit 0\n' > "$W/$s"; chmod +x "$W/$s"; done
cat > "$W/bin/probe.sh" << 'PROBE'
#!/bin/sh
# One line per probe: NAME ok|no. Nothing but the shell and coreutils from /usr.
D=$1
exec 2>&-
t() { name=$1; shift; if ( "$@" ); then echo "$name ok"; else echo "$name no"; fi; }
rd() { read -r x < "$1"; }
ap() { echo x >> "$1"; }
mk() { : > "$1" && rm -f "$1"; }
ls1() { for e in "$1"/*; do [ -e "$e" ] && return 0; done; return 1; }
for f in ro/f rw/f hidden/f; do t "read $f" rd "$D/$f"; done
for f in ro/f rw/f hidden/f; do t "write $f" ap "$D/$f"; done
for d in ro rw rw/sub hidden; do t "create in $d" mk "$D/$d/new"; done
for d in ro rw hidden; do t "list $d" ls1 "$D/$d"; done
for d in ro rw; do t "mkdir in $d" mkdir "$D/$d/newdir"; rmdir "$D/$d/newdir" 2>&-; done
for s in exe/s ro/s rw/s ro/bin/s rw/sub/s; do t "exec $s" "$D/$s"; done
t "mknod in rw" mknod "$D/rw/null" c 1 3; rm -f "$D/rw/null"
t "read /etc/passwd" rd /etc/passwd
t "write /dev/null" ap /dev/null
t "rename rw to rw/sub" mv "$D/rw/f" "$D/rw/sub/f"; mv "$D/rw/sub/f" "$D/rw/f" 2>&-
PROBE
chmod +x "$W/bin/probe.sh"

# Boot: the host's /usr on an empty root, the tree bound in.
"$nspawn" -D / --volatile=yes --register=no --keep-unit -M "$machine" -q -b --console=read-only \
  --bind="$W" systemd.firstboot=off systemd.unit=basic.target > "$tmp/boot.log" 2>&1 < /dev/null &
leader=$!
init=
for _ in $(seq 1 300); do
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

# check NAME RULES: the rules converted, and the probes both ways.
check() {
  local name=$1 rules=$2
  printf 'default allow\n%s\n' "$rules" > "$tmp/$name.sgp"
  if ! "$sg" convert --to systemd -q "$tmp/$name.sgp" > "$tmp/$name.unit" 2> "$tmp/$name.err"; then
    echo "FAIL: $name: convert failed:"; sed 's/^/    /' "$tmp/$name.err"; fail=$((fail + 1)); return
  fi
  local props=() line
  while IFS= read -r line; do
    [[ -z $line || $line == '#'* ]] && continue
    props+=(-p "$line")
  done < "$tmp/$name.unit"
  local landlock systemd
  landlock=$("$sg" run -q -p "$tmp/$name.sgp" -- /bin/sh "$W/bin/probe.sh" "$W" 2>&1)
  systemd=$(nsenter -t "$init" -a systemd-run --wait --pipe --quiet "${props[@]}" /bin/sh "$W/bin/probe.sh" "$W" 2>&1)
  if [[ $landlock == "$systemd" && $(wc -l <<< "$landlock") -ge 20 ]]; then
    pass=$((pass + 1))
  else
    echo "FAIL: $name: the probes differ (sysgate run | systemd):"
    diff <(echo "$landlock") <(echo "$systemd") | sed 's/^/    /'
    echo "  unit:"; grep -v '^#' "$tmp/$name.unit" | sed 's/^/    /'
    fail=$((fail + 1))
  fi
  echo "$landlock" > "$tmp/$name.out"
}
# expect_probe NAME LINE: the probes of case NAME had LINE (the cases are not all "no").
expect_probe() {
  if grep -qxF -- "$2" "$tmp/$1.out"; then pass=$((pass + 1)); else echo "FAIL: $1: no line '$2'"; fail=$((fail + 1)); fi
}

# Only the listed paths, on an empty root: TemporaryFileSystem=/ with the host's /bin and /lib
# links bound, and exec as the rules say beneath paths that are not executable.
check allow_list "fs read exec /usr, $W/bin, $W/exe
fs read $W/ro
fs read exec $W/ro/bin
fs read write $W/rw
fs read write exec $W/rw/sub
fs read write /dev/null"
expect_probe allow_list "read ro/f ok"
expect_probe allow_list "write ro/f no"
expect_probe allow_list "write rw/f ok"
expect_probe allow_list "read hidden/f no"
expect_probe allow_list "exec ro/s no"
expect_probe allow_list "exec ro/bin/s ok"
expect_probe allow_list "exec rw/s no"
expect_probe allow_list "exec rw/sub/s ok"
expect_probe allow_list "mknod in rw no"
expect_probe allow_list "write /dev/null ok"

# Everything readable: ReadOnlyPaths=/ with ReadWritePaths=, and exec only where granted
# (ReadWritePaths= would make $W/rw executable again).
check read_root "fs read /
fs read exec /usr, $W/bin
fs read write $W/rw, /dev/null
fs read write exec $W/rw/sub, $W/exe"
expect_probe read_root "read hidden/f ok"
expect_probe read_root "write hidden/f no"
expect_probe read_root "exec rw/s no"
expect_probe read_root "exec ro/s no"
expect_probe read_root "exec exe/s ok"
expect_probe read_root "exec rw/sub/s ok"
expect_probe read_root "read /etc/passwd ok"

# Everything writable, exec only in /usr and two directories.
check write_root "fs read write /
fs read exec /usr, $W/bin, $W/ro/bin"
expect_probe write_root "write hidden/f ok"
expect_probe write_root "exec exe/s no"
expect_probe write_root "exec ro/bin/s ok"

# Executable everywhere, writable in one place.
check exec_root "fs read exec /
fs read write $W/rw, /dev/null"
expect_probe exec_root "exec ro/s ok"
expect_probe exec_root "write ro/f no"

finish
