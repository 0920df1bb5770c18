#!/usr/bin/env bash
# `make demo`: sysgate at work. The main job first: a program under the built-in default
# profile (Docker's), where a blocked syscall fails; then the tools around it.
set -euo pipefail
sg=${1:-build/tools/sysgate/sysgate}
policy=examples/policies/server.sgp
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@" || printf '(exit status %s)\n' "$?"; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

say "Run programs under the built-in default profile (Docker's default seccomp profile)"
run "$sg" run -- sh -c 'echo "hello from a filtered shell: $(ls /etc | wc -l) entries in /etc"'
run "$sg" run -- unshare --user true
run "$sg" run -- sh -c 'grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status'

say "A policy that kills: the program dies by SIGSYS, exit status 159"
cat > "$tmp/no-mincore.sgp" <<'POLICY'
default allow
kill-process mincore
POLICY
run "$sg" run -p "$tmp/no-mincore.sgp" -- /usr/bin/python3 -c 'import ctypes; print("calling mincore"); ctypes.CDLL(None).syscall(27, 0, 0, 0)'

say "Syscall numbers differ per architecture"
run "$sg" syscalls --arch x86_64 execve
run "$sg" syscalls --arch i386 execve
run "$sg" syscalls --signature openat

say "A policy with mistakes gets precise diagnostics"
cat > "$tmp/typo.sgp" <<'POLICY'
default errno(EPERM)
allow read, wirte
allow openat if flag == O_RDONLY
errno(EPERM) read
POLICY
run "$sg" validate "$tmp/typo.sgp"

say "What a policy does with a syscall, which rule decides it, how many instructions run"
run "$sg" check "$policy" openat 3 0 O_RDONLY
run "$sg" check "$policy" openat 3 0 O_WRONLY
run "$sg" check --arch i386 "$policy" execve
run "$sg" check --arch x32 "$policy" read

say "Compile it to BPF for x86_64 and i386, checked against the policy"
run "$sg" compile -q "$policy" -o "$tmp/server.bpf"
printf '$ %s\n' "$sg disasm $tmp/server.bpf | head -8"
"$sg" disasm "$tmp/server.bpf" | head -8 || true  # head closes the pipe early

say "What it costs per syscall, and the same policy for runc/crun/Docker/Podman"
printf '$ %s\n' "$sg stats --arch x86_64 --top 3 $policy"
"$sg" stats --arch x86_64 --top 3 "$policy"
run "$sg" convert "$policy" --arch x86_64 -o "$tmp/seccomp.json"
printf '$ %s\n' "head -c 300 $tmp/seccomp.json"
head -c 300 "$tmp/seccomp.json"
echo
