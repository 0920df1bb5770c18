// Locking down the current process: a server that has bound its port and opened its files
// applies a policy to all of its threads and goes on serving under it.
//
//   auto policy = sysgate::LoadPolicyFile("/etc/web/server.sgp");
//   if (!policy) die(policy.error().ToString());
//   if (auto r = sysgate::ApplyToThisProcess(*policy); !r) die(r.error().ToString());
//   // from here on every thread runs under the filter; it cannot be removed
#pragma once

#include "sysgate/bpf.h"
#include "sysgate/policy.h"

namespace sysgate {

struct ApplyOptions {
  bool tsync = true;   // every thread of the process, not only the caller
  bool log = false;    // SECCOMP_FILTER_FLAG_LOG
  bool verify = true;  // translation validation before installing
};

// Compiles `policy`, checks the program against it, sets no_new_privs and installs it. A
// policy with fs, net or scope rules restricts the process with Landlock first (its paths
// opened now; docs/landlock.md), which reaches only the calling thread: with tsync, a process
// that already runs other threads is refused. Nothing is installed if any step before the
// restriction fails; if the filter then fails to install, the restriction stays.
Result<void> ApplyToThisProcess(const Policy& policy, const ApplyOptions& options = {});
// Installs an already compiled program.
Result<void> ApplyToThisProcess(const bpf::Program& program, const ApplyOptions& options = {});

}  // namespace sysgate
