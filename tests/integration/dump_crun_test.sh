#!/usr/bin/env bash
# `sysgate dump` on real filters: a busybox container that crun starts with Docker's default
# profile (compiled by crun's libseccomp). The filter read from the running container process
# (dump PID) is the one captured as crun installs it (dump -- crun run ...), byte for byte,
# and it decides as Docker's profile does.
# Usage: dump_crun_test.sh SYSGATE_BINARY [DOCKER_PROFILE_JSON]
set -uo pipefail
sg=$1
profile=${2:-}
source "$(dirname "$0")/../e2e/lib.sh"
make_scratch
source "$(dirname "$0")/crun_lib.sh"

crun_works || skip_all "$why"
[[ $(awk '/^Seccomp:/ {print $2}' /proc/self/status) == 0 ]] ||
  skip_all "the test runs under a seccomp filter (reading filters needs an unfiltered caller)"

# Docker's profile as Docker hands it to the runtime (its includes/excludes resolved for a
# container without capabilities): moby's JSON when given, else sysgate's built-in default.
if [[ -n $profile && -r $profile ]]; then
  "$sg" convert --arch x86_64 "$profile" -o "$tmp/seccomp.json" 2>/dev/null
else
  "$sg" run --profile default --print > "$tmp/default.sgp"
  "$sg" convert --arch x86_64 "$tmp/default.sgp" -o "$tmp/seccomp.json" 2>/dev/null
fi

# ---- dump -- crun run: the filter crun installs in the container, captured at the call ----
crun_bundle "$tmp/once" "$tmp/seccomp.json" '["/bin/busybox", "true"]'
expect "capture crun's filter" 0 "" -- "$sg" dump -f raw -o "$tmp/captured.bpf" \
  -- unshare -m sh -c 'mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null || true
    exec crun --root "$0/state" --cgroup-manager=disabled run -b "$1" "$2"' "$tmp" "$tmp/once" "sysgate-dump-$$-1"
"$sg" dump --limit 0 --json -- unshare -m sh -c 'mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null || true
    exec crun --root "$0/state" --cgroup-manager=disabled run -b "$1" "$2"' "$tmp" "$tmp/once" "sysgate-dump-$$-2" \
  > "$tmp/captured.json" 2>/dev/null
expect "one filter, by seccomp(2)" 0 "1 seccomp True" -- "$py" -c '
import json, sys
f = json.load(open(sys.argv[1]))["filters"]; print(len(f), f[0]["syscall"], f[0]["installed"])' "$tmp/captured.json"

# ---- dump PID: the same filter, read from the running container process ----
crun_bundle "$tmp/long" "$tmp/seccomp.json" '["/bin/busybox", "sleep", "60"]'
id="sysgate-dump-$$-3"
run_crun "$tmp/long" "$id" > /dev/null &
pid=
for _ in $(seq 200); do
  pid=$(crun --root "$tmp/state" state "$id" 2>/dev/null | "$py" -c 'import json,sys; s=json.load(sys.stdin); print(s["pid"] if s.get("status")=="running" else "")' 2>/dev/null)
  [[ -n $pid ]] && break
  sleep 0.05
done
if [[ -z $pid ]]; then
  echo "FAIL: the container did not start"
  fail=$((fail + 1))
else
  expect "dump the container" 0 "filter 1 of 1 (newest, runs first)" -- "$sg" dump "$pid"
  "$sg" dump -f raw -o "$tmp/running.bpf" "$pid"
  expect "same as captured" 0 "" -- cmp "$tmp/captured.bpf" "$tmp/running.bpf"
  expect "Docker's verdicts: mount" 0 "errno(EPERM)" -- "$sg" check --bpf "$tmp/running.bpf" --arch x86_64 mount
  expect "Docker's verdicts: read" 0 "allow" -- "$sg" check --bpf "$tmp/running.bpf" --arch x86_64 read
  expect "Docker's verdicts: clone3" 0 "errno(ENOSYS)" -- "$sg" check --bpf "$tmp/running.bpf" --arch x86_64 clone3
  crun --root "$tmp/state" kill "$id" KILL 2>/dev/null
fi
wait
crun --root "$tmp/state" delete -f "$id" >/dev/null 2>&1
finish
