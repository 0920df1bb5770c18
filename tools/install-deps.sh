#!/usr/bin/env bash
# Installs the Debian 12 packages sysgate needs to build and test, if any are missing.
# Runs apt-get as root, through sudo otherwise.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config python3
  libfmt-dev nlohmann-json3-dev libcli11-dev
  libyaml-cpp-dev  # reading Kubernetes SeccompProfile YAML
  libgtest-dev libgmock-dev googletest libbenchmark-dev
  libseccomp-dev   # test and benchmark oracle only; never linked into libsysgate
  crun bubblewrap busybox-static  # real consumers of exported profiles in the integration tests
  nginx-light curl wrk  # examples/nginx and examples/web-server: served, fetched, measured
  gdb                   # makes a live nginx worker call what exploit code would (nginx_test)
  clang-16 libclang-rt-16-dev  # make fuzz: libFuzzer targets with ASan and UBSan (tests/fuzz/);
                               # 16: clang 14 lacks std::source_location
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
((${#missing[@]})) || exit 0

echo "sysgate: installing missing packages: ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "sysgate: need root or sudo to install packages" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
