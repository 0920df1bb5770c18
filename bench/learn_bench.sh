#!/usr/bin/env bash
# sysgate learn against strace -f on a syscall-heavy workload, in one run: the time of the
# workload alone, under `sysgate learn`, and under `strace -f -o /dev/null`, best of N, and
# the slowdowns as ratios. Usage: bench/learn_bench.sh SYSGATE [ROUNDS]
set -euo pipefail
sg=$1
rounds=${2:-3}
# 2 x 200,000 read/write calls of one byte.
work=(dd if=/dev/zero of=/dev/null bs=1 count=200000 status=none)
best() {  # CMD... -> best wall time in seconds over $rounds runs
  local b=""
  for _ in $(seq "$rounds"); do
    local s e
    s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    b=$(/usr/bin/python3 -c "import sys; t=float(sys.argv[2])-float(sys.argv[1]); b=sys.argv[3]; print(min(t, float(b)) if b else t)" "$s" "$e" "$b")
  done
  echo "$b"
}
plain=$(best "${work[@]}")
learn=$(best "$sg" learn -q -o /dev/null -- "${work[@]}")
if command -v strace >/dev/null; then
  strace=$(best strace -f -o /dev/null "${work[@]}")
else
  strace=""
fi
/usr/bin/python3 - "$plain" "$learn" "$strace" <<'PY'
import sys
plain, learn, strace = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
print("sysgate learn vs strace -f: dd bs=1 count=200000 (400,000 syscalls), best of runs")
print(f"  {'':<22}{'seconds':>10}{'slowdown':>10}")
print(f"  {'workload alone':<22}{plain:>10.2f}{1:>10.1f}")
print(f"  {'sysgate learn':<22}{learn:>10.2f}{learn / plain:>10.1f}")
if strace:
    s = float(strace)
    print(f"  {'strace -f':<22}{s:>10.2f}{s / plain:>10.1f}")
    print(f"  ratio learn/strace: {learn / s:.2f} (target < 1)")
else:
    print("  strace is not installed: no comparison")
PY
