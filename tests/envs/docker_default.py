#!/usr/bin/env python3
"""Docker's default seccomp profile (moby's profiles/seccomp/default.json) as dockerd hands it
to runc or crun for a container with Docker's default capabilities on x86_64: includes and
excludes resolved, the arch map flattened. Written without sysgate, so that sysgate's tests
run under Docker's filter as Docker applies it. Usage: docker_default.py PROFILE > OCI_SECCOMP"""
import json
import sys

# Docker's default capability set (moby oci/caps/defaults.go).
CAPS = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"]
ARCH = "amd64"

profile = json.load(open(sys.argv[1]))
out = {"defaultAction": profile["defaultAction"], "architectures": [], "syscalls": []}
if "defaultErrnoRet" in profile:
    out["defaultErrnoRet"] = profile["defaultErrnoRet"]
for a in profile.get("archMap", []):
    if a["architecture"] == "SCMP_ARCH_X86_64":
        out["architectures"] = [a["architecture"]] + a.get("subArchitectures", [])
for rule in profile["syscalls"]:
    inc, exc = rule.get("includes", {}), rule.get("excludes", {})
    if "caps" in inc and not all(c in CAPS for c in inc["caps"]):
        continue
    if "arches" in inc and ARCH not in inc["arches"]:
        continue
    if any(c in CAPS for c in exc.get("caps", [])) or ARCH in exc.get("arches", []):
        continue
    # minKernel: every kernel this runs on is newer than the profile's (4.8).
    out["syscalls"].append({k: v for k, v in rule.items() if k in ("names", "action", "args", "errnoRet")})
json.dump(out, sys.stdout, indent=1)
