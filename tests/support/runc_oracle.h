// libseccomp as runc uses it: the oracle of the libseccomp tests and the baseline of the
// benchmarks. Test and benchmark code only; libsysgate never links libseccomp.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sysgate/arch.h"
#include "sysgate/bpf.h"

namespace sysgate::testing {

// A container target as moby resolves a profile for it.
struct DockerTarget {
  Arch native;
  std::string goarch;  // what moby compares includes/excludes.arches with ("amd64")
  std::vector<std::string> caps;
};

// moby's resolution of archMap and includes/excludes (minKernel: a 6.1 kernel), written
// independently of sysgate's reader.
nlohmann::json ResolveDockerProfile(nlohmann::json profile, const DockerTarget& target);

// The filter libseccomp builds for a resolved OCI profile the way runc does: seccomp_init(the
// default), the architectures added, rules equal to the default skipped, names resolved
// (unknown ones skipped), args ANDed or, with two on one index, one rule each. `optimize` is
// SCMP_FLTATR_CTL_OPTIMIZE (1: linear, runc's; 2: binary tree). Built in a child process:
// libseccomp's rule merging is exponential for some overlapping argument rules, so nullopt
// with *slow set past `limit`; nullopt alone when libseccomp fails.
std::optional<bpf::Program> RuncFilter(const nlohmann::json& resolved, Arch native, int optimize,
                                       bool* slow,
                                       std::chrono::milliseconds limit = std::chrono::seconds(2));

// The same, in this process, exported to `out_fd` (for timing libseccomp itself). False when
// libseccomp fails.
bool RuncFilterToFd(const nlohmann::json& resolved, Arch native, int optimize, int out_fd);

uint32_t ScmpArch(const std::string& scmp_name);  // SCMP_ARCH_* value; 0 if unknown
uint32_t ScmpAction(const std::string& oci_action, uint32_t err);  // SCMP_ACT_* value
// errnoRet (a number) or Podman's errno (a name) of an OCI object, else `dflt`.
uint32_t OciErrno(const nlohmann::json& j, const char* num, const char* name, uint32_t dflt);

}  // namespace sysgate::testing
