# sysgate: the few commands a developer or CI needs. See README.md.
BUILD    ?= build
TYPE     ?= RelWithDebInfo
CMAKE    ?= cmake
SHARED   ?= $(CURDIR)/../shared/data
JOBS     ?= $(shell nproc)
PREFIX   ?= /usr/local
CHECK_USER ?= nobody
ROOTS    ?= $(BUILD)-roots
SYSGATE   = $(BUILD)/tools/sysgate/sysgate

.PHONY: all deps build demo check check-arches bench generate san-build asan fuzz clean \
        install package check-user check-chroot check-container check-package

all: build

# Installs the Debian packages that are missing (apt as root, sudo otherwise).
deps:
	@tools/install-deps.sh

$(BUILD)/build.ninja:
	$(CMAKE) -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=$(TYPE) -DSYSGATE_WERROR=ON

build: deps $(BUILD)/build.ninja
	$(CMAKE) --build $(BUILD) -j $(JOBS)

# The main job: programs under the built-in default profile, then the tools around it.
demo: build
	@tools/demo.sh $(SYSGATE)

# Every test: unit, kernel and e2e (ctest labels); then what this machine made skip, and why.
# CTest's tally is the last line printed.
check: build
	@tools/ctest.sh $(BUILD) --output-on-failure -j $(JOBS) --timeout 600

# The kernel oracle alone (ctest label arches, part of check): Debian 12's kernels for seven
# architectures under qemu, each running sysgate's filters (tests/arches).
check-arches: build
	@tools/ctest.sh $(BUILD) --output-on-failure -j $(JOBS) --timeout 600 -L arches

# ---- where users build, test and install (tests/envs/; docs/environments.md) ----
# Installs the CLI, the library, headers, CMake and pkg-config files, man page, profiles and
# docs under PREFIX (DESTDIR=... stages them).
install: build
	$(CMAKE) --install $(BUILD) --prefix $(PREFIX)

# The Debian package, $(BUILD)/sysgate_VERSION_ARCH.deb (CPack).
package: build
	cd $(BUILD) && cpack -G DEB

# As root: the tests of this build run by an ordinary account (CHECK_USER), root-only ones
# skipped with the reason. As another user, `make check` is this already.
check-user: build
	@tests/envs/user_check.sh $(BUILD) $(CHECK_USER) --output-on-failure -j $(JOBS) --timeout 600

# As root: a clean clone of HEAD built and tested in a fresh Debian 12 root (debootstrap), by an
# ordinary account and then by root (long: a full build and `make deps` there). The root stays
# in $(ROOTS)/debian for check-container. TESTS_ONLY=1: this build's tests instead, run there
# by root and by the ordinary account (no clone, no build).
check-chroot:
	@tests/envs/chroot_check.sh $(CURDIR) $(ROOTS)/debian $(ROOTS)/cache $(JOBS) \
	  $(if $(TESTS_ONLY),$(BUILD))

# As root, after check-chroot: that root's tests (TESTS_ONLY=1: this build's) run again in a
# crun container with Docker's default seccomp profile and capabilities. TESTS=REGEX: only those.
check-container:
	@tests/envs/container_check.sh $(ROOTS)/debian $(SHARED)/profiles/moby-profiles-default.json $(JOBS) \
	  $(if $(TESTS_ONLY),$(CURDIR),/home/builder/sysgate) '$(TESTS)'

# As root: the package installed with apt into a fresh Debian 12 root, used there (sysgate
# run, a program built on libsysgate with CMake and with pkg-config), and lintian's verdict.
check-package: package
	@tests/envs/package_test.sh $(BUILD) $(CURDIR) $(ROOTS)/package $(ROOTS)/cache

bench: build
	@bench/run.sh $(BUILD)

# Regenerates the committed tables from their sources (needs ../shared/data and
# linux-headers-*-common).
generate:
	tools/gen/generate.sh $(SHARED)

# One clang build with ASan and UBSan serves both below: every test under the sanitizers and
# the libFuzzer targets (tests/fuzz/). Its test binaries carry libFuzzer's coverage
# instrumentation too; that costs little and saves building everything twice.
SAN = $(BUILD)-san
san-build: deps
	$(CMAKE) -S . -B $(SAN) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++-16 -DSYSGATE_SANITIZE=ON -DSYSGATE_FUZZ=ON
	$(CMAKE) --build $(SAN) -j $(JOBS)

# Every test under ASan and UBSan (a finding fails the test). ASAN_LABELS=unit: some labels.
ASAN_LABELS ?=
asan: san-build
	@ASAN_SYMBOLIZER_PATH=$$(command -v llvm-symbolizer-16 || command -v llvm-symbolizer) \
	  tools/ctest.sh $(SAN) --output-on-failure -j $(JOBS) --timeout 900 $(if $(ASAN_LABELS),-L '$(ASAN_LABELS)')

# Each libFuzzer target for FUZZ_SECONDS on its corpus; FUZZ_TARGETS picks some (default: all).
# FUZZ_CPU=1: FUZZ_SECONDS of each fuzzer's own CPU time, at nice 19 (a shared machine).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
FUZZ_CPU ?=
fuzz: san-build
	FUZZ_CPU=$(FUZZ_CPU) tests/fuzz/run.sh $(SAN) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD) $(SAN) $(ROOTS)
