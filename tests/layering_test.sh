#!/usr/bin/env bash
# Checks the layering of docs/architecture.md: a file under src/<layer>/ includes headers only of
# its own layer and the layers below it. The build already refuses an include of a layer a layer
# does not declare (src/CMakeLists.txt); this also keeps the declarations in the order below.
# And the programs in tools/ and bench/ include of the layers only public headers and those a
# layer declares for them (TOOLS), never another of its private files.
set -euo pipefail
root=${1:-$(dirname "$0")/..}
layers=(base arch policy lang formats bpf compile analysis kernel supervise run learn)
rank() { local i; for i in "${!layers[@]}"; do [[ ${layers[$i]} == "$1" ]] && { echo "$i"; return; }; done; echo 99; }
# Each layer's sysgate_layer() in src/CMakeLists.txt: the public headers it implements (HEADERS)
# and the layers it declares (DEPS), which the build enforces. Here: each header has one layer,
# and every DEPS is lower in the order above.
fail=0
declare -A public tools
while read -r kind layer what; do
  case $kind in
    header) public[$what]=$layer ;;
    tools) tools[$layer/$what]=1 ;;
    dep) if (( $(rank "$what") >= $(rank "$layer") )); then
           echo "src/CMakeLists.txt: layer '$layer' declares DEPS on '$what', which is not below it"; fail=1
         fi ;;
  esac
done < <(python3 - "$root/src/CMakeLists.txt" << 'PY'
import re, sys
text = open(sys.argv[1]).read()
for m in re.finditer(r"^sysgate_layer\((\w+)([^)]*)\)", text, re.M):
    section = None
    for word in m.group(2).split():
        if word in ("SOURCES", "DEPS", "HEADERS", "TOOLS"):
            section = word
        elif section == "HEADERS":
            print("header", m.group(1), word)
        elif section == "TOOLS":
            print("tools", m.group(1), word)
        elif section == "DEPS" and word.startswith("sysgate_"):
            print("dep", m.group(1), word[len("sysgate_"):])
PY
)
for h in "$root"/include/sysgate/*.h; do
  h=$(basename "$h")
  [[ -n ${public[$h]:-} ]] || { echo "include/sysgate/$h: no layer declares it (HEADERS in src/CMakeLists.txt)"; fail=1; }
done
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
      echo "$file: includes $inc, a public header no layer declares"; fail=1
    elif (( $(rank "$dep") > mine )); then
      echo "$file: layer '$layer' includes $inc from the higher layer '$dep'"; fail=1
    fi
  done < <(grep -rn --include='*.h' --include='*.cc' '#include "' "$dir" | grep -v '_test.cc:' | sed -E 's/^([^:]+):[0-9]+:/\1:/')
done
# tools/ and bench/: a public header that a layer declares, or a private one it lists in TOOLS.
while IFS= read -r line; do
  file=${line%%:*}
  inc=$(sed -E 's/.*#include "([^"]+)".*/\1/' <<<"${line#*:}")
  case $inc in
    ../* | */../* | src/* | include/*)
      echo "$file: includes $inc: name a header as sysgate/H or LAYER/H, never by its path"; fail=1 ;;
    sysgate/*) [[ -n ${public[${inc#sysgate/}]:-} ]] ||
                 { echo "$file: includes $inc, a public header no layer declares"; fail=1; } ;;
    */*) if [[ $(rank "${inc%%/*}") != 99 && -z ${tools[$inc]:-} ]]; then
           echo "$file: includes $inc, private to layer '${inc%%/*}' (not in its TOOLS)"; fail=1
         fi ;;
  esac
done < <(grep -rn --include='*.h' --include='*.cc' '#include "' "$root/tools" "$root/bench" |
           sed -E 's/^([^:]+):[0-9]+:/\1:/')
((fail == 0)) && echo "layering: ok"
exit $fail
