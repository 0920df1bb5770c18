#!/usr/bin/env bash
# Runs each libFuzzer target for SECONDS on its committed corpus (read-only seeds) and past
# crashes; new inputs go to BUILD/corpus/<target>, crashes to BUILD/artifacts/. Exit 1 if a
# target found a crash, a hang (-timeout: 25 s, well above the slowest seed under the
# sanitizers on a loaded machine, about 10 s), a leak or a memory blow-up (-rss_limit_mb).
# Usage: run.sh FUZZ_BUILD_DIR SECONDS [TARGET...]
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
failed=()
for t in "${targets[@]}"; do
  work="$build/corpus/$t"
  mkdir -p "$work" "$build/artifacts"
  seeds=("$src/corpus/$t")
  [[ -d $src/crashes/$t ]] && seeds+=("$src/crashes/$t")
  echo "== fuzz_$t for ${seconds}s"
  if ! "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -timeout=25 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$build/artifacts/$t-" "$work" "${seeds[@]}" \
      >"$build/fuzz_$t.log" 2>&1; then
    failed+=("$t")
    tail -40 "$build/fuzz_$t.log"
  fi
  grep -E "^#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb" "$build/fuzz_$t.log"
done
if ((${#failed[@]})); then
  echo "fuzz: failed: ${failed[*]} (inputs in $build/artifacts/; add each to tests/fuzz/crashes/<target>/)"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets ran ${seconds}s each without a finding"
