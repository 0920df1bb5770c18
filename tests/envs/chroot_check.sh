#!/usr/bin/env bash
# `make check` as a new user would run it, in a fresh Debian 12 root (debootstrap): a clean clone
# of this repository's HEAD (no ../shared/data beside it), the README's commands, built and
# tested by an ordinary account (`make check`: root-only tests skip, saying why), then the same
# build's tests run again by root. Each step's time is printed. The root is left in ROOT_DIR
# for check-container (tests/envs/container_check.sh), which runs the same tests in a container.
# With BUILD_DIR, the quick way: no clone and no build of its own, the tests of that build
# (bind-mounted at its own path, without ../shared/data) run in the fresh root by root and by
# the ordinary account (tests/envs/user_check.sh).
# Usage: chroot_check.sh SOURCE_DIR ROOT_DIR CACHE_DIR [JOBS [BUILD_DIR]]       (root)
set -euo pipefail
src=$(cd "$1" && pwd) root=$2 cache=$3 jobs=${4:-2} build=${5:-}
here=$(cd "$(dirname "$0")" && pwd)
step() {  # NAME CMD...: runs CMD, printing its time
  local name=$1 start=$SECONDS
  shift
  echo "== $name"
  "$@"
  echo "== $name: $((SECONDS - start)) s"
}
in_root() { "$here/in_root.sh" "$root" "$@"; }

step "fresh Debian 12 root" "$here/debian_root.sh" "$root" "$cache"
if [[ -n $build ]]; then
  build=$(cd "$build" && pwd)
  export SYSGATE_ROOT_BINDS="$src"
  [[ $build == "$src"/* ]] || SYSGATE_ROOT_BINDS+=" $build"
  ctest_args=(--output-on-failure -j "$jobs" --timeout 600)
  step "apt-get install make" in_root sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends make >/dev/null'
  step "make deps (root)" in_root make -C "$src" deps
  in_root useradd -m -s /bin/bash builder
  step "the tests (root)" in_root "$src/tools/ctest.sh" "$build" "${ctest_args[@]}"
  step "the tests (the user builder)" in_root "$src/tests/envs/user_check.sh" "$build" builder "${ctest_args[@]}"
  exit 0
fi
git clone -q --no-local "$src" "$root/opt/sysgate.git"  # HEAD, committed work only
# What a user has before the README: make and git (minbase has neither), and an account.
step "apt-get install make git" in_root sh -c 'apt-get update -qq && DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends make git ca-certificates >/dev/null'
in_root useradd -m -s /bin/bash builder
# The user's clone is of a repository of theirs (git refuses to read one another account owns).
in_root chown -R builder: /opt/sysgate.git
in_root su builder -c 'git clone -q /opt/sysgate.git ~/sysgate'
# make deps needs root (apt-get): the user would run it with sudo.
step "make deps (root)" in_root make -C /home/builder/sysgate deps
step "make check (the user builder)" in_root su builder -c "cd ~/sysgate && nice make check JOBS=$jobs"
step "make check (root, the same build)" in_root make -C /home/builder/sysgate check JOBS="$jobs"
