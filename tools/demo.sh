#!/usr/bin/env bash
# `make demo`: what sysgate does so far, on the example server policy. (When `sysgate run`
# lands, this runs a real program under the built-in default policy instead.)
set -euo pipefail
sg=${1:-build/tools/sysgate/sysgate}
policy=examples/policies/server.sgp
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@" || true; }

say "Syscall numbers differ per architecture"
run "$sg" syscalls --arch x86_64 execve
run "$sg" syscalls --arch i386 execve
run "$sg" syscalls --arch aarch64 openat
run "$sg" syscalls --signature openat

say "Check a policy ($policy)"
run "$sg" validate "$policy"

say "A policy with mistakes gets precise diagnostics"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/typo.sgp" <<'POLICY'
default errno(EPERM)
allow read, wirte
allow openat if flag == O_RDONLY
errno(EPERM) read
POLICY
run "$sg" validate "$tmp/typo.sgp"

say "What the policy does with a syscall, and which rule decides it"
run "$sg" check "$policy" openat 3 0 O_RDONLY
run "$sg" check "$policy" openat 3 0 O_WRONLY
run "$sg" check "$policy" execve
run "$sg" check --arch i386 "$policy" execve
run "$sg" check "$policy" io_uring_setup
run "$sg" check --arch x32 "$policy" read

say "Compile it to BPF for x86_64 and i386, checked against the policy"
run "$sg" compile "$policy" -o "$tmp/server.bpf"
run "$sg" check "$policy" read
printf '$ %s\n' "$sg disasm $tmp/server.bpf | head -12"
"$sg" disasm "$tmp/server.bpf" | head -12
