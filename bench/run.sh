#!/usr/bin/env bash
# make bench: the performance table (sysgate vs libseccomp, one run), then how compile time
# grows with the number of rules. Usage: bench/run.sh BUILD_DIR [--quick]
set -euo pipefail
build=$1
shift
"$build/bench/perf_table" --sysgate="$build/tools/sysgate/sysgate" "$@"
echo
echo "Compile time against the number of argument rules (50 syscalls):"
"$build/bench/compile_bench" --benchmark_counters_tabular=true ${1:+--benchmark_min_time=0.05}
echo
"$(dirname "$0")/learn_bench.sh" "$build/tools/sysgate/sysgate" ${1:+1}
echo
"$(dirname "$0")/web_bench.sh" "$build" ${1:+2 2}
