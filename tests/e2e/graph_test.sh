#!/usr/bin/env bash
# End-to-end tests of `sysgate graph`: a policy, a built-in profile and a BPF program drawn as
# DOT (Graphviz reads it back), SVG and PNG through dot, JSON; Docker's profile drawn readably
# (its syscall tree collapsed into one node); errors.
# Usage: graph_test.sh SYSGATE_BINARY [DOCKER_PROFILE_JSON]
set -uo pipefail
sg=$1
docker=${2:-}
source "$(dirname "$0")/lib.sh"
make_scratch

cat > "$tmp/p.sgp" <<'POLICY'
arch x86_64
default errno(EPERM)
allow read, write, close, @exit
allow socket if family in {AF_UNIX, AF_INET}
kill-process ptrace
POLICY
expect "dot" 0 "digraph filter {" -- "$sg" graph "$tmp/p.sgp"
expect "named syscalls" 0 'label="read, write, close, rt_sigreturn, exit, restart_syscall, exit_group (7 syscalls)"' -- "$sg" graph "$tmp/p.sgp"
expect "argument test" 0 'A = args[0]' -- "$sg" graph "$tmp/p.sgp"
expect "verdict colour" 0 'fillcolor="#ffcdd2", label="KILL_PROCESS"' -- "$sg" graph "$tmp/p.sgp"
expect "a profile" 0 'label="profile default"' -- "$sg" graph --profile default -a x86_64
expect "unknown profile" 2 "no built-in profile 'nope'" -- "$sg" graph --profile nope
"$sg" compile "$tmp/p.sgp" -o "$tmp/p.bpf" 2>/dev/null
expect "bpf" 0 'label="syscall number (x86_64)"' -- "$sg" graph --bpf "$tmp/p.bpf"
expect "json" 0 "json ok" -- "$py" -c '
import json, subprocess, sys
g = json.loads(subprocess.run([sys.argv[1], "graph", "--json", sys.argv[2]], capture_output=True).stdout)
ids = {n["id"] for n in g["nodes"]}
assert all(e["from"] in ids and e["to"] in ids for e in g["edges"]), g
assert [n["lines"][0] for n in g["nodes"] if n["kind"] == "verdict"].count("ALLOW") == 1, g
print("json ok")' "$sg" "$tmp/p.sgp"
if need program:dot; then
  # Graphviz reads what sysgate writes, and renders it.
  expect "dot parses it" 0 "" -- sh -c "\"$sg\" graph $tmp/p.sgp | dot -Tcanon >/dev/null"
  expect "svg" 0 "<svg" -- "$sg" graph -T svg "$tmp/p.sgp"
  "$sg" graph -T png -o "$tmp/p.png" "$tmp/p.sgp"
  expect "png" 0 "PNG" -- head -c 8 "$tmp/p.png"
else
  not_checked "rendering with Graphviz"
fi
if [[ -f $docker ]]; then
  # Docker's profile: its syscall tree is one dispatch node per arch; a handful of other nodes.
  expect "docker" 0 "digraph" -- "$sg" graph "$docker" -a x86_64
  nodes=$("$sg" graph --json "$docker" -a x86_64 | "$py" -c 'import json, sys; print(len(json.load(sys.stdin)["nodes"]))')
  expect "docker: readable" 0 "few nodes" -- sh -c "test $nodes -le 40 && echo few nodes || echo $nodes nodes"
  if need program:dot; then
    expect "docker: svg" 0 "<svg" -- "$sg" graph -T svg "$docker" -a x86_64
  fi
else
  skip_part "no ../shared/data beside the tree (Docker's profile is read from there)"
fi

expect "nothing given" 2 "give a policy file, --profile NAME or --bpf FILE" -- "$sg" graph
expect "bad format" 2 "-T: expected dot, svg, png or json, not 'gif'" -- "$sg" graph -T gif "$tmp/p.sgp"
expect "bad policy" 1 "unknown syscall" -- sh -c "printf 'allow nosuchcall\n' > $tmp/x.sgp; \"$sg\" graph $tmp/x.sgp"
expect "bad bpf" 1 "" -- "$sg" graph --bpf /etc/hostname
expect "full stdout" 1 "cannot write to standard output" -- sh -c "\"$sg\" graph $tmp/p.sgp > /dev/full"
# Without dot on PATH, -T svg says what is missing.
expect "no dot" 1 "needs Graphviz's dot, which is not installed" -- env PATH=/nonexistent "$sg" graph -T svg "$tmp/p.sgp"

finish
