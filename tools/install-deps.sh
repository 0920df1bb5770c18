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
  graphviz              # sysgate graph -T svg/png renders with dot; e2e_graph checks what dot reads
  debootstrap lintian   # fresh Debian roots for check-chroot/check-package; the package's lint
  git                   # e2e_learn learns and replays a git session
  strace                # e2e_learn learns from strace's logs of a real run (learn --from-log)
  zsh                   # e2e_guidance loads the zsh completion script that sysgate writes
  systemd systemd-container  # e2e_systemd_unit boots systemd (nspawn) to run converted units
  # Each ABI's compiler and headers: its constants (make generate) and the tables checked against
  # them (tests/abi); tools/gen/abis.txt says which evaluates which ABI.
  gcc-x86-64-linux-gnux32 libc6-dev-x32-cross gcc-i686-linux-gnu libc6-dev-i386-cross
  gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
  gcc-riscv64-linux-gnu libc6-dev-riscv64-cross
  gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross gcc-powerpc64-linux-gnu libc6-dev-ppc64-cross
  gcc-powerpc-linux-gnu libc6-dev-powerpc-cross
  gcc-s390x-linux-gnu libc6-dev-s390x-cross libc6-dev-s390-s390x-cross
  gcc-mips64el-linux-gnuabi64 libc6-dev-mips64el-cross libc6-dev-mipsn32-mips64el-cross
  libn32gcc-12-dev-mips64el-cross  # links the n32 probe of the mips64el kernel oracle
  gcc-mips64-linux-gnuabi64 libc6-dev-mips64-cross libc6-dev-mipsn32-mips64-cross
  gcc-mipsel-linux-gnu libc6-dev-mipsel-cross gcc-mips-linux-gnu libc6-dev-mips-cross
  gcc-hppa-linux-gnu libc6-dev-hppa-cross gcc-sparc64-linux-gnu libc6-dev-sparc64-cross
  libc6-dev-sparc-sparc64-cross gcc-m68k-linux-gnu libc6-dev-m68k-cross
  # The kernel oracle (tests/arches): Debian's kernels for other architectures boot under these.
  qemu-system-arm qemu-system-ppc qemu-system-misc qemu-system-mips qemu-system-x86
  clang-format-14  # make check: the format test (tests/format_test.sh)
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
