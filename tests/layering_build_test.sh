#!/usr/bin/env bash
# A layer's include directories (src/CMakeLists.txt: sysgate_layer) reach its own headers and
# those of the layers it declares, and nothing else: compiled the way the build compiles
# src/bpf/actions.cc, an include of its own header builds and one of a higher layer's, private
# or public, does not. Usage: layering_build_test.sh BUILD_DIR
set -euo pipefail
build=$1
db=$build/compile_commands.json
[[ -f $db ]] || { echo "SKIP: no $db (CMAKE_EXPORT_COMPILE_COMMANDS)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The compiler and flags of bpf/actions.cc, for a file of our own.
command=$(python3 - "$db" << 'PY'
import json, shlex, sys
for e in json.load(open(sys.argv[1])):
    if e["file"].endswith("/src/bpf/actions.cc"):
        args = shlex.split(e["command"])
        out, skip = [], False
        for a in args:
            if skip: skip = False; continue
            if a in ("-o", "-c", "-MF", "-MT"): skip = True; continue
            if a in ("-MD",) or a.endswith("/src/bpf/actions.cc"): continue
            out.append(a)
        print(shlex.join(out)); break
PY
)
[[ -n $command ]] || { echo "FAIL: src/bpf/actions.cc is not in $db"; exit 1; }
fail=0
try() {  # try WANT INCLUDE: WANT is builds or fails
  printf '#include "%s"\n' "$2" > "$tmp/probe.cc"
  if eval "$command" -fsyntax-only "$tmp/probe.cc" > "$tmp/out" 2>&1; then got=builds; else got=fails; fi
  if [[ $got == "$1" ]]; then echo "ok: bpf including $2 $got"; else echo "FAIL: bpf including $2 $got"; sed 's/^/    /' "$tmp/out" | head -5; fail=1; fi
}
try builds "policy/groups.h"     # a declared layer's private header
try builds "sysgate/bpf.h"
try builds "sysgate/policy.h"      # a layer it declares
try fails "run/spawn.h"            # a higher layer's private header
try fails "sysgate/run.h"          # and its public one
try fails "formats/flatten.h"      # a lower layer it does not declare
exit $fail
