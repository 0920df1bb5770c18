#!/usr/bin/env bash
# Real consumers of what sysgate writes: crun runs a busybox container whose OCI config's
# linux.seccomp was written by `sysgate convert`, and bubblewrap runs busybox under the raw BPF
# of `sysgate compile` (--seccomp FD), as root and as an unprivileged user. In each: an allowed
# command runs, a denied syscall fails with the policy's errno (an argument rule decides which
# call), a kill rule kills with SIGSYS (exit 159).
# Usage: consumers_test.sh SYSGATE_BINARY
set -uo pipefail
sg=$1
tmp=$(mktemp -d)
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/crun_lib.sh"

cat > "$tmp/policy.sgp" <<'POLICY'
default allow
errno(EACCES) chmod if mode == 0o700
errno(EACCES) fchmodat if mode == 0o700
errno(EACCES) fchmodat2 if mode == 0o700
errno(EPERM) kill if sig == SIGUSR1
kill-process sync
POLICY
# What each consumer runs: chmod with another mode and kill with another signal still work.
script='echo hello
/bin/busybox touch /tmp/f && /bin/busybox chmod 755 /tmp/f && echo chmod755=ok
/bin/busybox chmod 700 /tmp/f; echo chmod700=$?
trap "echo got-USR2" USR2; /bin/busybox kill -USR2 $$
/bin/busybox kill -USR1 $$; echo kill-usr1=$?
/bin/busybox sync; echo sync=$?'

check_output() {  # NAME OUTPUT
  local name=$1 out=$2
  for want in hello chmod755=ok "chmod700=1" "Permission denied" got-USR2 "kill-usr1=1" \
              "Operation not permitted" "sync=159"; do
    if [[ $out != *"$want"* ]]; then
      echo "FAIL: $name: output lacks '$want':"
      echo "$out" | sed 's/^/    /'
      fail=$((fail + 1))
      return
    fi
  done
  pass=$((pass + 1))
}

# bwrap_works BWRAP_ARGS...: true when bubblewrap runs busybox here without sysgate's filter;
# otherwise false, with bubblewrap's reason in $why.
bwrap_works() {
  local out
  out=$("$@" -- /bin/busybox true 2>&1) && return 0
  why="bubblewrap cannot run here, without sysgate: $(head -1 <<<"$out")"
  return 1
}

# ---- bubblewrap: raw BPF on a file descriptor ----
expect "compile for bwrap" 0 "verified" -- "$sg" compile --arch x86_64 "$tmp/policy.sgp" -o "$tmp/policy.bpf"
bw=(bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --ro-bind "$busybox" /bin/busybox)
if ! need program:bwrap; then
  skip_part "$why"
elif [[ -z $busybox ]]; then
  skip_part "busybox-static is not installed (make deps)"
elif ! bwrap_works "${bw[@]}"; then
  skip_part "$why"
else
  out=$("${bw[@]}" --seccomp 9 -- /bin/busybox sh -c "$script" 9<"$tmp/policy.bpf" 2>&1)
  check_output "bwrap as $(id -un)" "$out"
  expect "bwrap kill status" 159 "" -- "${bw[@]}" --seccomp 9 -- /bin/busybox sync 9<"$tmp/policy.bpf"
fi
# Unprivileged, from root: bwrap without setuid needs a user namespace.
nobody_bw=(setpriv --reuid=65534 --regid=65534 --clear-groups "${bw[@]}" --unshare-user)
if [[ -z $busybox ]] || ! need program:bwrap; then
  :  # said above
elif ! need nobody; then
  skip_part "unprivileged bubblewrap from root is not tested: $why"
elif ! need userns; then
  skip_part "unprivileged bubblewrap is not tested: $why"
else
  chmod 755 "$tmp"
  if ! bwrap_works "${nobody_bw[@]}"; then
    skip_part "unprivileged $why"
  else
    out=$("${nobody_bw[@]}" --seccomp 9 -- /bin/busybox sh -c "$script" 9<"$tmp/policy.bpf" 2>&1)
    check_output "bwrap unprivileged" "$out"
  fi
fi

# ---- crun: an OCI bundle whose linux.seccomp sysgate wrote ----
if ! crun_works; then
  skip_part "$why"
else
  expect "convert for crun" 0 "verified" -- "$sg" convert --arch x86_64 "$tmp/policy.sgp" -o "$tmp/seccomp.json"
  crun_bundle "$tmp/b1" "$tmp/seccomp.json" "$(sh_args "$script")"
  out=$(run_crun "$tmp/b1" "sysgate-test-$$-1")
  check_output "crun" "$out"
  crun_bundle "$tmp/b2" "$tmp/seccomp.json" '["/bin/busybox", "sync"]'
  expect "crun kill status" 159 "" -- run_crun "$tmp/b2" "sysgate-test-$$-2"
  # sysgate's built-in default profile (Docker's, stricter), written as OCI for crun.
  "$sg" run --profile default --print > "$tmp/default.sgp"
  expect "convert default"  0 "verified" -- "$sg" convert --arch x86_64 "$tmp/default.sgp" -o "$tmp/default.json"
  crun_bundle "$tmp/b3" "$tmp/default.json" '["/bin/busybox", "sh", "-c", "echo hello-default; /bin/busybox unshare -U true; echo unshare=$?"]'
  expect "crun default profile" 0 "unshare=1" -- run_crun "$tmp/b3" "sysgate-test-$$-3"
  expect "crun default allows" 0 "hello-default" -- run_crun "$tmp/b3" "sysgate-test-$$-4"
fi

rm -rf "$tmp"
finish
