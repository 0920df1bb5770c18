#!/usr/bin/env bash
# Regenerates every committed generated table. Usage: tools/gen/generate.sh SHARED_DATA_DIR
set -euo pipefail
data=${1:-../shared/data}
cd "$(dirname "$0")/../.."
headers=$(ls -d /usr/src/linux-headers-*-common 2>/dev/null | sort -V | tail -n 1)
[[ -n $headers ]] || { echo "install linux-headers-amd64 (for include/linux/syscalls.h)" >&2; exit 1; }
python3 tools/gen/gen_syscall_tables.py "$data/syscalls" src/arch/generated/syscall_tables.inc
python3 tools/gen/gen_signatures.py "$headers/include/linux/syscalls.h" tools/gen/signatures-extra.h \
  tools/gen/signatures-abi.h \
  "$data/syscalls" src/arch/generated/signatures.inc
python3 tools/gen/gen_constants.py src/arch/generated/constants.inc
python3 tools/gen/gen_libseccomp_names.py "$data/syscalls/syscall-names.text" \
  src/formats/generated/libseccomp_unknown.inc
python3 tools/gen/gen_groups.py "$data/profiles/systemd-groups.txt" tools/gen/sysgate-groups.txt \
  "$data/syscalls/syscall-names.text" src/policy/generated/groups.inc
python3 tools/gen/gen_default_profile.py "$data/profiles/moby-profiles-default.json" "$data/syscalls" \
  profiles/default.sgp
