#!/usr/bin/env bash
# sysgate agent as a real runtime's seccomp agent: crun starts busybox containers whose OCI
# config sends mknod/mknodat/mkdir to SCMP_ACT_NOTIFY with listenerPath = the agent's socket.
# The agent emulates mknod of /dev/null's numbers only (the container lacks CAP_MKNOD, so
# without the agent it fails), denies the rest, and keeps serving as containers come and go.
# Usage: agent_test.sh SYSGATE_BINARY
set -uo pipefail
sg=$1
tmp=$(mktemp -d)
chmod 755 "$tmp"
source "$(dirname "$0")/../e2e/lib.sh"
skip() { echo "skip: $*"; finish; exit $?; }
agent_pid=""
cleanup() { [[ -n $agent_pid ]] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

busybox=$(command -v busybox || true)
[[ -n $busybox ]] && ldd "$busybox" >/dev/null 2>&1 && busybox=""
command -v crun >/dev/null && [[ -n $busybox ]] || skip "crun or busybox-static is not installed (make deps)"
[[ $(id -u) -eq 0 ]] || skip "crun needs root here"
unshare -m true 2>/dev/null || skip "no private mount namespace (unshare -m) for crun's cgroup2 mount"

run_crun() {  # BUNDLE ID
  unshare -m sh -c 'mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null || true
    exec crun --root "$0/state" --cgroup-manager=disabled run -b "$1" "$2"' "$tmp" "$1" "$2" </dev/null 2>&1
}
bundle() {  # DIR METADATA SCRIPT [no-listener]
  mkdir -p "$1/rootfs/bin" "$1/rootfs/tmp"
  cp "$busybox" "$1/rootfs/bin/busybox"
  ln -sf busybox "$1/rootfs/bin/sh"
  (cd "$1" && crun spec >/dev/null)
  /usr/bin/python3 - "$1/config.json" "$2" "$3" "$tmp/agent.sock" "${4:-}" <<'PY'
import json, sys
path, metadata, script, sock, plain = sys.argv[1:6]
c = json.load(open(path))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/busybox", "sh", "-c", script]
c["root"]["readonly"] = False
c["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"]})
seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "syscalls": []}
if not plain:
    seccomp["listenerPath"] = sock
    seccomp["listenerMetadata"] = metadata
    seccomp["syscalls"] = [{"names": ["mknod", "mknodat", "mkdir", "mkdirat", "sethostname"],
                            "action": "SCMP_ACT_NOTIFY"}]
c["linux"]["seccomp"] = seccomp
assert "CAP_MKNOD" not in c["process"]["capabilities"]["bounding"]
json.dump(c, open(path, "w"), indent=1)
PY
}

cat > "$tmp/agent.json" <<'JSON'
{"profiles": {
  "default": {
    "default": {"action": "deny", "errno": "EPERM"},
    "rules": [
      {"syscalls": ["mknod", "mknodat"], "action": "emulate-mknod",
       "devices": [{"type": "c", "major": 1, "minor": 3}]},
      {"syscalls": ["mkdir", "mkdirat"], "action": "continue"},
      {"syscalls": ["sethostname"], "action": "return", "value": 0}
    ]},
  "locked": {"default": {"action": "deny", "errno": "EACCES"}}
}}
JSON
echo '{"profiles": {"default": {"rules": [{"syscalls": ["mknod"], "action": "frob"}]}}}' > "$tmp/bad.json"
expect "bad config refused" 1 "bad.json: \$.profiles.default.rules[0].action: unknown action 'frob'" -- \
  "$sg" agent --socket "$tmp/x.sock" --config "$tmp/bad.json"
expect "bad config: no socket" 1 "" -- test -e "$tmp/x.sock"

"$sg" agent --socket "$tmp/agent.sock" --config "$tmp/agent.json" 2>"$tmp/agent.log" &
agent_pid=$!
for _ in $(seq 50); do [[ -S $tmp/agent.sock ]] && break; sleep 0.1; done

script='/bin/busybox mknod /tmp/null c 1 3 && echo hi > /tmp/null && echo null-ok
/bin/busybox ls -l /tmp/null
/bin/busybox mknod /tmp/zero c 1 5; echo zero=$?
/bin/busybox mkdir /tmp/d && echo mkdir-ok
/bin/busybox hostname other; echo hostname=$?'
bundle "$tmp/b1" "" "$script"
out=$(run_crun "$tmp/b1" "sg-agent-$$-1")
# crw-r--r--: the container's umask (022) applies, as it would to its own mknod.
for want in null-ok "crw-r--r--" "1,   3" "zero=1" "Operation not permitted" mkdir-ok "hostname=0"; do
  expect "container 1: $want" 0 "$want" -- echo "$out"
done
# Another container after the first has gone, with another profile (its listenerMetadata).
bundle "$tmp/b2" "locked" '/bin/busybox mkdir /tmp/d; echo mkdir=$?; /bin/busybox mknod /tmp/null c 1 3; echo mknod=$?'
out=$(run_crun "$tmp/b2" "sg-agent-$$-2")
expect "container 2: locked mkdir" 0 "mkdir=1" -- echo "$out"
expect "container 2: locked mknod" 0 "mknod=1" -- echo "$out"
expect "container 2: EACCES" 0 "Permission denied" -- echo "$out"
# Two at once.
bundle "$tmp/b3" "" '/bin/busybox sleep 0.5; /bin/busybox mknod /tmp/n c 1 3 && echo c3-ok'
bundle "$tmp/b4" "" '/bin/busybox sleep 0.5; /bin/busybox mknod /tmp/n c 1 3 && echo c4-ok'
run_crun "$tmp/b3" "sg-agent-$$-3" > "$tmp/c3.out" &
c3=$!
out4=$(run_crun "$tmp/b4" "sg-agent-$$-4")
wait "$c3"
expect "concurrent container 3" 0 "c3-ok" -- cat "$tmp/c3.out"
expect "concurrent container 4" 0 "c4-ok" -- echo "$out4"
# Without the agent the container cannot make the node: the emulation did it.
bundle "$tmp/b5" "" '/bin/busybox mknod /tmp/null c 1 3; echo plain=$?' plain
expect "no agent: no CAP_MKNOD" 0 "plain=1" -- run_crun "$tmp/b5" "sg-agent-$$-5"

kill "$agent_pid"; wait "$agent_pid"
rc=$?
agent_pid=""
log=$(cat "$tmp/agent.log")
expect "agent exits cleanly" 0 "" -- test "$rc" -eq 0
expect "agent: connected" 0 "sg-agent-$$-1: connected" -- echo "$log"
expect "agent: emulated" 0 'mknodat(AT_FDCWD, "/tmp/null", 020666, 259) = 0 (emulated)' -- echo "$log"
expect "agent: emulated result" 0 "= 0 (emulated)" -- echo "$log"
expect "agent: denied" 0 "= -1 EPERM" -- echo "$log"
expect "agent: profile" 0 "profile locked" -- echo "$log"
expect "agent: gone" 0 "sg-agent-$$-2: gone" -- echo "$log"
expect "agent: four containers" 0 "4" -- sh -c "grep -c ': connected' '$tmp/agent.log'"
expect "socket removed" 1 "" -- test -e "$tmp/agent.sock"
finish
