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

skip() { echo "skip: $*"; }

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

# ---- bubblewrap: raw BPF on a file descriptor ----
if ! command -v bwrap >/dev/null || [[ -z $busybox ]]; then
  skip "bubblewrap or busybox-static is not installed (make deps)"
else
  expect "compile for bwrap" 0 "verified" -- "$sg" compile --arch x86_64 "$tmp/policy.sgp" -o "$tmp/policy.bpf"
  bw=(bwrap --ro-bind / / --dev /dev --proc /proc --tmpfs /tmp --ro-bind "$busybox" /bin/busybox)
  out=$("${bw[@]}" --seccomp 9 -- /bin/busybox sh -c "$script" 9<"$tmp/policy.bpf" 2>&1)
  check_output "bwrap as root" "$out"
  expect "bwrap kill status" 159 "" -- "${bw[@]}" --seccomp 9 -- /bin/busybox sync 9<"$tmp/policy.bpf"
  if [[ $(id -u) -eq 0 ]] && command -v setpriv >/dev/null; then
    # Unprivileged: bwrap without setuid needs a user namespace.
    chmod 755 "$tmp"
    out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "${bw[@]}" --unshare-user \
          --seccomp 9 -- /bin/busybox sh -c "$script" 9<"$tmp/policy.bpf" 2>&1)
    if [[ $out == *"setting up uid map"* || $out == *"No permissions to create"* ]]; then
      skip "unprivileged bubblewrap: user namespaces are not available here"
    else
      check_output "bwrap unprivileged" "$out"
    fi
  fi
fi

# ---- crun: an OCI bundle whose linux.seccomp sysgate wrote ----
why=$(crun_unavailable)
if [[ -n $why ]]; then
  skip "$why"
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
