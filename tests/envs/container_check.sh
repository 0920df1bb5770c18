#!/usr/bin/env bash
# The tests of the build that check-chroot left in ROOT_DIR (TREE=/home/builder/sysgate), or of
# the host's tree TREE (shown inside at its own path, without ../shared/data), run again inside
# a crun container as Docker would start it: that root as the container's rootfs, its
# own pid, mount, ipc, uts and network namespaces, Docker's default capabilities and default
# seccomp profile (tests/envs/docker_default.py), no extra privileges. Tests that need what such
# a container cannot give skip, saying why (tools/ctest.sh sums them up).
# A test that stops the container's init (a stray PTRACE_ATTACH to pid 1 leaves it a SIGSTOP no
# one else could send) fails the run: init is resumed and named, rather than the run hanging.
# Usage: container_check.sh ROOT_DIR DOCKER_PROFILE_JSON JOBS TREE [CTEST_REGEX]   (root; crun)
set -euo pipefail
root=$(cd "$1" && pwd) profile=$2 jobs=$3 tree=$4 only=${5:-}
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
python3 - "$tmp/config.json" "$tmp/seccomp.json" "$root" "$tree" "$jobs" "$bind" "$only" <<'PY'
import json, shlex, sys
path, seccomp, rootfs, tree, jobs, bind, only = sys.argv[1:8]
select = f" -R {shlex.quote(only)}" if only else ""
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
p["args"] = ["sh", "-c", f"ip link set lo up 2>/dev/null; tools/ctest.sh build --output-on-failure -j {jobs} --timeout 600{select}"]
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
rc=0 name="sysgate-check-$$"
unshare -m sh -c 'mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null || true
  exec crun --root "$0/state" --cgroup-manager=disabled run -b "$0" "$1"' "$tmp" "$name" </dev/null &
runner=$!
stopped=0 watched=0
while kill -0 "$runner" 2>/dev/null; do
  sleep 5
  init=$(crun --root "$tmp/state" state "$name" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])' 2>/dev/null) || continue
  watched=1
  if [[ $(awk '{print $3}' "/proc/$init/stat" 2>/dev/null) == [Tt] ]]; then  # stopped or traced
    echo "container_check: a test stopped the container's init (pid $init here); resumed" >&2
    stopped=1
    kill -CONT "$init"
  fi
done
wait "$runner" || rc=$?
(( stopped )) && rc=1
if (( ! watched && SECONDS - start > 10 )); then
  echo "container_check: the container's init was never seen (crun state failed): not watched" >&2
  rc=1
fi
echo "container_check: $((SECONDS - start)) s, exit $rc"
exit "$rc"
