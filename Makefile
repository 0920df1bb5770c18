# sysgate: the few commands a developer or CI needs. See README.md.
BUILD    ?= build
TYPE     ?= RelWithDebInfo
CMAKE    ?= cmake
SHARED   ?= $(CURDIR)/../shared/data
JOBS     ?= $(shell nproc)
SYSGATE   = $(BUILD)/tools/sysgate/sysgate

.PHONY: all deps build demo check check-arches bench generate asan fuzz clean

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

# Every test: unit, kernel and e2e (ctest labels). CTest's summary is the last thing printed.
check: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600

# The kernel oracle alone (ctest label arches, part of check): Debian 12's kernels for seven
# architectures under qemu, each running sysgate's filters (tests/arches).
check-arches: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) --timeout 600 -L arches

bench: build
	@bench/run.sh $(BUILD)

# Regenerates the committed tables from their sources (needs ../shared/data and
# linux-headers-*-common).
generate:
	tools/gen/generate.sh $(SHARED)

# A separate build with AddressSanitizer and UBSan, running every test.
asan: deps
	$(CMAKE) -S . -B $(BUILD)-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DSYSGATE_SANITIZE=ON
	$(CMAKE) --build $(BUILD)-asan -j $(JOBS)
	cd $(BUILD)-asan && ctest --output-on-failure -j $(JOBS) --timeout 900

# The libFuzzer targets (tests/fuzz/), built with clang, ASan and UBSan, each run for
# FUZZ_SECONDS on its corpus; FUZZ_TARGETS picks some (default: all).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
fuzz: deps
	$(CMAKE) -S . -B $(BUILD)-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_COMPILER=clang++-16 -DSYSGATE_SANITIZE=ON -DSYSGATE_FUZZ=ON
	$(CMAKE) --build $(BUILD)-fuzz -j $(JOBS)
	tests/fuzz/run.sh $(BUILD)-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

clean:
	rm -rf $(BUILD) $(BUILD)-asan $(BUILD)-fuzz
