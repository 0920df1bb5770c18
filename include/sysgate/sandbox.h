// Locking down the current process: a server that has bound its port and opened its files
// applies a policy to all of its threads and goes on serving under it.
//
//   auto policy = sysgate::LoadPolicyFile("/etc/web/server.sgp");
//   if (!policy) die(policy.error().ToString());
//   auto real = sysgate::RealRulePaths(policy->access);  // now: realpath needs calls the
//                                                        // policy may not allow afterwards
//   auto r = sysgate::ApplyToThisProcess(*policy);
//   if (!r) die(r.error().ToString());
//   for (const std::string& d : r->dropped) warn("not enforced: " + d);   // fs best-effort
//   // from here on every thread runs under the filter; it cannot be removed
//
// An open, bind or connect the fs and net rules deny fails with EACCES; FsDenial and NetDenial
// (sysgate/access_rules.h) say why, in the words of `sysgate run --report-access`:
//
//   if (fd < 0 && errno == EACCES)
//     if (auto d = sysgate::FsDenial(policy->access, path, sysgate::OpenFileAccess(flags),
//                                    r->handled_fs, real))
//       log("denied openat " + path + " " + d->ToString());
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sysgate/bpf.h"
#include "sysgate/policy.h"

namespace sysgate {

struct ApplyOptions {
  bool tsync = true;   // every thread of the process, not only the caller
  bool log = false;    // SECCOMP_FILTER_FLAG_LOG
  bool verify = true;  // translation validation before installing
};

// What ApplyToThisProcess(policy) enforces of the policy's fs, net and scope rules.
struct Applied {
  // What `fs best-effort` left out because the running kernel's Landlock lacks it, in words:
  // "fs ioctl-dev (Landlock ABI 5); this kernel has ABI 3". Empty when all is enforced.
  std::vector<std::string> dropped;
  // What is enforced: the policy's fs_access and net_access bits and scopes, less what was
  // dropped (for FsDenial and NetDenial). All 0 for a policy without these rules.
  uint64_t handled_fs = 0, handled_net = 0, scoped = 0;
};

// Compiles `policy`, checks the program against it, sets no_new_privs and installs it. A
// policy with fs, net or scope rules restricts the process with Landlock first (its paths
// opened now; docs/landlock.md), which reaches only the calling thread: with tsync, a process
// that already runs other threads is refused. Nothing is installed if any step before the
// restriction fails; if the filter then fails to install, the restriction stays.
Result<Applied> ApplyToThisProcess(const Policy& policy, const ApplyOptions& options = {});
// Installs an already compiled program.
Result<void> ApplyToThisProcess(const bpf::Program& program, const ApplyOptions& options = {});

}  // namespace sysgate
