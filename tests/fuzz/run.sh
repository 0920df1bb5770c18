#!/usr/bin/env bash
# Runs each libFuzzer target for SECONDS on its committed corpus (read-only seeds) and past
# crashes; new inputs go to BUILD/corpus/<target>, crashes to BUILD/artifacts/. Exit 1 if a
# target found a crash, a hang (-timeout: 25 s, well above the slowest seed under the
# sanitizers on a loaded machine, about 10 s), a leak or a memory blow-up (-rss_limit_mb).
# FUZZ_CPU=1: SECONDS counts the fuzzer's own CPU time (read from /proc), not the clock, and it
# runs at nice 19: long campaigns on a machine that is busy with other work.
# Usage: [FUZZ_CPU=1] run.sh FUZZ_BUILD_DIR SECONDS [TARGET...]
set -uo pipefail
build=$1
seconds=$2
shift 2
src=$(cd "$(dirname "$0")" && pwd)
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(native oci systemd minijail kafel firecracker spo bpf asm compile convert explain)
fi
# Stack traces with names (clang's own symbolizer, if the clang-16 one is not on PATH).
for s in llvm-symbolizer-16 llvm-symbolizer; do
  if command -v "$s" >/dev/null; then export ASAN_SYMBOLIZER_PATH=$(command -v "$s"); break; fi
done
flags=(-timeout=25 -rss_limit_mb=2048 -print_final_stats=1)
# run_one TARGET DIR...: the fuzzer on those corpus directories, for the clock's or its CPU's time.
run_one() {
  local t=$1; shift
  local fuzzer=("$build/tests/fuzz/fuzz_$t" "${flags[@]}" -artifact_prefix="$build/artifacts/$t-" "$@")
  if [[ -z ${FUZZ_CPU:-} ]]; then "${fuzzer[@]}" -max_total_time="$seconds"; return; fi
  nice -n 19 "${fuzzer[@]}" &
  local pid=$! hz stat used=0
  hz=$(getconf CLK_TCK)
  while kill -0 "$pid" 2>/dev/null; do
    sleep 5
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || break
    read -ra stat <<<"${stat##*) }"
    used=$(( (stat[11] + stat[12]) / hz ))  # utime + stime
    if (( used >= seconds )); then kill -INT "$pid"; break; fi
  done
  local rc=0
  wait "$pid" || rc=$?
  (( rc == 72 && used >= seconds )) && rc=0  # libFuzzer's exit after the SIGINT (its stats printed)
  return "$rc"
}
failed=()
for t in "${targets[@]}"; do
  work="$build/corpus/$t"
  mkdir -p "$work" "$build/artifacts"
  seeds=("$src/corpus/$t")
  [[ -d $src/crashes/$t ]] && seeds+=("$src/crashes/$t")
  echo "== fuzz_$t for ${seconds}s${FUZZ_CPU:+ of CPU}"
  if ! run_one "$t" "$work" "${seeds[@]}" >"$build/fuzz_$t.log" 2>&1; then
    failed+=("$t")
    tail -40 "$build/fuzz_$t.log"
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "$build/fuzz_$t.log"
  grep -E "^#[0-9]+[[:space:]].*cov: " "$build/fuzz_$t.log" | tail -1
done
if ((${#failed[@]})); then
  echo "fuzz: failed: ${failed[*]} (inputs in $build/artifacts/; add each to tests/fuzz/crashes/<target>/)"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets ran ${seconds}s each without a finding"
