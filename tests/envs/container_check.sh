#!/usr/bin/env bash
# The tests of the build that check-chroot left in ROOT_DIR (TREE=/home/builder/sysgate), or of
# the host's tree TREE (shown inside at its own path, without ../shared/data), run again inside
# a crun container as Docker would start it: that root as the container's rootfs, its
# own pid, mount, ipc, uts and network namespaces, Docker's default capabilities and default
# seccomp profile (tests/envs/docker_default.py), no extra privileges. Tests that need what such
# a container cannot give skip, saying why (tools/ctest.sh sums them up).
# Usage: container_check.sh ROOT_DIR DOCKER_PROFILE_JSON JOBS TREE      (root; crun)
set -euo pipefail
root=$(cd "$1" && pwd) profile=$2 jobs=$3 tree=$4
here=$(cd "$(dirname "$0")" && pwd)
bind=""
[[ -d $root$tree/build ]] || bind=$tree  # the host's tree
[[ -d ${bind:-$root$tree}/build ]] || { echo "container_check: no build in $tree (make check-chroot first)" >&2; exit 1; }
[[ -f $profile ]] || { echo "container_check: no Docker profile at $profile" >&2; exit 1; }
command -v crun >/dev/null || { echo "container_check: crun is not installed (make deps)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$here/docker_default.py" "$profile" > "$tmp/seccomp.json"
(cd "$tmp" && crun spec >/dev/null)
python3 - "$tmp/config.json" "$tmp/seccomp.json" "$root" "$tree" "$jobs" "$bind" <<'PY'
import json, sys
path, seccomp, rootfs, tree, jobs, bind = sys.argv[1:7]
c = json.load(open(path))
caps = ["CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE"]  # Docker's defaults
c["root"] = {"path": rootfs, "readonly": False}
p = c["process"]
p["terminal"] = False
p["cwd"] = tree
p["env"] = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME=/root",
            "LANG=C.UTF-8"]
p["args"] = ["sh", "-c", f"ip link set lo up 2>/dev/null; tools/ctest.sh build --output-on-failure -j {jobs} --timeout 600"]
p["capabilities"] = {k: caps for k in ("bounding", "effective", "permitted")}
p["noNewPrivileges"] = False
c["linux"]["seccomp"] = json.load(open(seccomp))
c["mounts"] += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev"]},
                {"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "nodev", "size=65536k"]}]
if bind:
    c["mounts"].append({"destination": bind, "type": "bind", "source": bind, "options": ["rbind", "rw"]})
json.dump(c, open(path, "w"), indent=1)
PY
# As crun_lib.sh runs crun: cgroup2 mounted in a private mount namespace, no cgroup manager.
start=$SECONDS
rc=0
unshare -m sh -c 'mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null || true
  exec crun --root "$0/state" --cgroup-manager=disabled run -b "$0" "sysgate-check-$$"' "$tmp" </dev/null || rc=$?
echo "container_check: $((SECONDS - start)) s, exit $rc"
exit "$rc"
