#!/usr/bin/env bash
# sysgate agent as a real runtime's seccomp agent: crun starts busybox containers whose OCI
# config sends mknod/mknodat/mkdir/sethostname to SCMP_ACT_NOTIFY with listenerPath = the
# agent's socket. The agent emulates mknod of /dev/null's numbers only (the container lacks
# CAP_MKNOD, so without the agent it fails), denies the rest, and keeps serving as containers
# come and go. Its events are read as JSON lines (--json).
# Usage: agent_test.sh SYSGATE_BINARY
set -uo pipefail
sg=$1
tmp=$(mktemp -d)
chmod 755 "$tmp"
source "$(dirname "$0")/../e2e/lib.sh"
source "$(dirname "$0")/crun_lib.sh"
agent_pid=""
cleanup() { [[ -n $agent_pid ]] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
crun_works || skip_all "$why"

seccomp() {  # FILE METADATA: notify for the calls the agent handles
  "$py" - "$1" "$2" "$tmp/agent.sock" <<'PY'
import json, sys
path, metadata, sock = sys.argv[1:4]
json.dump({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
           "listenerPath": sock, "listenerMetadata": metadata,
           "syscalls": [{"names": ["mknod", "mknodat", "mkdir", "mkdirat", "sethostname"],
                         "action": "SCMP_ACT_NOTIFY"}]}, open(path, "w"))
PY
}
seccomp "$tmp/default.json" ""
seccomp "$tmp/locked.json" "locked"
echo '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": []}' > "$tmp/plain.json"

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

"$sg" agent --json --socket "$tmp/agent.sock" --config "$tmp/agent.json" 2>"$tmp/agent.log" &
agent_pid=$!
for _ in $(seq 50); do [[ -S $tmp/agent.sock ]] && break; sleep 0.1; done
expect "socket: owner only" 0 "" -- test "$(stat -c %a "$tmp/agent.sock")" = 700

script='/bin/busybox mknod /tmp/null c 1 3 && echo hi > /tmp/null && echo null-ok
/bin/busybox ls -l /tmp/null
cd /tmp && /bin/busybox mknod rel c 1 3 && /bin/busybox ls -l /tmp/rel
/bin/busybox mknod /tmp/zero c 1 5; echo zero=$?
/bin/busybox mkdir /tmp/d && echo mkdir-ok
/bin/busybox hostname other; echo hostname=$?'
crun_bundle "$tmp/b1" "$tmp/default.json" "$(sh_args "$script")"
out=$(run_crun "$tmp/b1" "sg-agent-$$-1")
# crw-r--r--: the container's umask (022) applies, as it would to its own mknod. The relative
# path resolves from the caller's working directory in its own mount namespace.
for want in null-ok "crw-r--r--    1 0        0           1,   3" "/tmp/null" "/tmp/rel" "zero=1" \
            "Operation not permitted" mkdir-ok "hostname=0"; do
  expect "container 1: $want" 0 "$want" -- echo "$out"
done
# Another container after the first has gone, with another profile (its listenerMetadata).
crun_bundle "$tmp/b2" "$tmp/locked.json" "$(sh_args '/bin/busybox mkdir /tmp/d; echo mkdir=$?; /bin/busybox mknod /tmp/null c 1 3; echo mknod=$?')"
out=$(run_crun "$tmp/b2" "sg-agent-$$-2")
expect "container 2: locked mkdir" 0 "mkdir=1" -- echo "$out"
expect "container 2: locked mknod" 0 "mknod=1" -- echo "$out"
expect "container 2: EACCES" 0 "Permission denied" -- echo "$out"
# Two at once.
crun_bundle "$tmp/b3" "$tmp/default.json" "$(sh_args '/bin/busybox sleep 0.5; /bin/busybox mknod /tmp/n c 1 3 && echo c3-ok')"
crun_bundle "$tmp/b4" "$tmp/default.json" "$(sh_args '/bin/busybox sleep 0.5; /bin/busybox mknod /tmp/n c 1 3 && echo c4-ok')"
run_crun "$tmp/b3" "sg-agent-$$-3" > "$tmp/c3.out" &
c3=$!
out4=$(run_crun "$tmp/b4" "sg-agent-$$-4")
wait "$c3"
expect "concurrent container 3" 0 "c3-ok" -- cat "$tmp/c3.out"
expect "concurrent container 4" 0 "c4-ok" -- echo "$out4"
# Without the agent the container cannot make the node: the emulation did it.
crun_bundle "$tmp/b5" "$tmp/plain.json" "$(sh_args '/bin/busybox mknod /tmp/null c 1 3; echo plain=$?')"
expect "no agent: no CAP_MKNOD" 0 "plain=1" -- run_crun "$tmp/b5" "sg-agent-$$-5"

kill "$agent_pid"; wait "$agent_pid"
rc=$?
agent_pid=""
expect "agent exits cleanly" 0 "" -- test "$rc" -eq 0
expect "socket removed" 1 "" -- test -e "$tmp/agent.sock"
# The events, as JSON lines: who connected with which profile, what each call got.
"$py" - "$tmp/agent.log" "sg-agent-$$" > "$tmp/events" <<'PY'
import json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
prefix = sys.argv[2]
for e in events:
    c = e["container"].replace(prefix, "c")
    if e["event"] == "call":
        print(c, e["call"], "->", e["outcome"])
    else:
        print(c, e["event"], e.get("detail", ""))
PY
events=$(cat "$tmp/events")
expect "events: connected" 0 "c-1 connected pid" -- echo "$events"
expect "events: emulated" 0 'c-1 mknodat(AT_FDCWD, "/tmp/null", 020666, 259) -> = 0 (emulated)' -- echo "$events"
expect "events: relative" 0 'c-1 mknodat(AT_FDCWD, "rel", 020666, 259) -> = 0 (emulated)' -- echo "$events"
expect "events: denied" 0 'c-1 mknodat(AT_FDCWD, "/tmp/zero", 020666, 261) -> = -1 EPERM' -- echo "$events"
expect "events: continued" 0 'c-1 mkdir("/tmp/d", 0777) -> continued' -- echo "$events"
expect "events: profile" 0 "profile locked" -- echo "$events"
expect "events: gone" 0 "c-2 gone" -- echo "$events"
expect "events: four containers" 0 "" -- test "$(grep -c ' connected ' "$tmp/events")" -eq 4
expect "events: c-2 locked" 0 "" -- grep -q "^c-2 connected .*profile locked" "$tmp/events"
expect "events: four gone" 0 "" -- test "$(grep -c ' gone' "$tmp/events")" -eq 4
finish
