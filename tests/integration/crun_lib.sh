# Shared by the integration scripts that start containers with crun. Needs $tmp and lib.sh.
# crun refuses cgroups in hybrid mode; in a private mount namespace a plain cgroup2 mounted at
# /sys/fs/cgroup and --cgroup-manager=disabled let it run, and nothing outside changes.

# The container's rootfs holds busybox alone: it must be the static one (busybox-static).
busybox=$(command -v busybox || true)
[[ -n $busybox ]] && ldd "$busybox" >/dev/null 2>&1 && busybox=""

# crun_works: true when crun runs a container here without sysgate (no linux.seccomp);
# otherwise false, with the reason in $why.
crun_works() {
  need program:crun || return 1
  [[ -n $busybox ]] || { why="busybox-static is not installed (make deps)"; return 1; }
  need root || { why="crun: rootless crun needs a user namespace setup of its own; $why"; return 1; }
  need propagation || { why="crun cannot run here: $why"; return 1; }  # run_crun: a private mount namespace
  local out
  crun_bundle "$tmp/baseline" - '["/bin/busybox", "true"]'
  out=$(run_crun "$tmp/baseline" "sysgate-test-$$-baseline") && return 0
  why="crun cannot start a container here, without sysgate: $(head -1 <<<"$out")"
  return 1
}

run_crun() {  # BUNDLE ID
  unshare -m sh -c 'mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null || true
    exec crun --root "$0/state" --cgroup-manager=disabled run -b "$1" "$2"' "$tmp" "$1" "$2" </dev/null 2>&1
}

# A busybox bundle in DIR running ARGS_JSON with SECCOMP_JSON_FILE as linux.seccomp (none for
# -), /tmp a tmpfs, crun's default (small) capability set.
crun_bundle() {  # DIR SECCOMP_JSON_FILE ARGS_JSON
  mkdir -p "$1/rootfs/bin" "$1/rootfs/tmp"
  cp "$busybox" "$1/rootfs/bin/busybox"
  ln -sf busybox "$1/rootfs/bin/sh"
  (cd "$1" && crun spec >/dev/null)
  "$py" - "$1/config.json" "$2" "$3" <<'PY'
import json, sys
path, seccomp, args = sys.argv[1], sys.argv[2], sys.argv[3]
c = json.load(open(path))
c["process"]["terminal"] = False
c["process"]["args"] = json.loads(args)
c["root"]["readonly"] = False
if seccomp != "-":
    c["linux"]["seccomp"] = json.load(open(seccomp))
c["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid"]})
json.dump(c, open(path, "w"), indent=1)
PY
}

# ["/bin/busybox", "sh", "-c", SCRIPT] as JSON.
sh_args() { "$py" -c 'import json,sys; print(json.dumps(["/bin/busybox", "sh", "-c", sys.argv[1]]))' "$1"; }
