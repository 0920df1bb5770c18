#!/usr/bin/env bash
# Checks the layering of docs/architecture.md: a file under src/<layer>/ includes headers only of its own layer
# and the layers below it (public headers in include/sysgate/ belong to the layer named here).
set -euo pipefail
root=${1:-$(dirname "$0")/..}
layers=(base arch policy lang formats bpf compile analysis kernel supervise run learn)
rank() { local i; for i in "${!layers[@]}"; do [[ ${layers[$i]} == "$1" ]] && { echo "$i"; return; }; done; echo 99; }
# include/sysgate/<header> -> the layer that implements it
declare -A public=(
  [result.h]=base [limits.h]=base [access_rules.h]=policy [landlock.h]=kernel [arch.h]=arch [policy.h]=policy [policy_builder.h]=policy
  [interpreter.h]=policy [policy_text.h]=lang [bpf.h]=bpf [compiler.h]=compile
  [analysis.h]=analysis [lint.h]=analysis [decompile.h]=analysis [explain.h]=analysis [graph.h]=analysis [kernel.h]=kernel [supervisor.h]=supervise [agent.h]=supervise [learn.h]=learn [run.h]=run [sandbox.h]=run [trap.h]=run [formats.h]=formats
)
fail=0
for dir in "$root"/src/*/; do
  layer=$(basename "$dir")
  mine=$(rank "$layer")
  while IFS= read -r line; do
    file=${line%%:*}
    inc=$(sed -E 's/.*#include "([^"]+)".*/\1/' <<<"${line#*:}")
    case $inc in
      sysgate/*) dep=${public[${inc#sysgate/}]:-unknown} ;;
      */*) dep=${inc%%/*} ;;
      *) continue ;;
    esac
    if [[ $dep == unknown ]]; then
      echo "$file: includes $inc, a public header this test does not know (add it to the map)"; fail=1
    elif (( $(rank "$dep") > mine )); then
      echo "$file: layer '$layer' includes $inc from the higher layer '$dep'"; fail=1
    fi
  done < <(grep -rn --include='*.h' --include='*.cc' '#include "' "$dir" | grep -v '_test.cc:' | sed -E 's/^([^:]+):[0-9]+:/\1:/')
done
((fail == 0)) && echo "layering: ok"
exit $fail
