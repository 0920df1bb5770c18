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

// Compiles `policy`, checks the program against it, sets no_new_privs and installs it.
// Nothing is installed if any step fails.
Result<void> ApplyToThisProcess(const Policy& policy, const ApplyOptions& options = {});
// Installs an already compiled program.
Result<void> ApplyToThisProcess(const bpf::Program& program, const ApplyOptions& options = {});

}  // namespace sysgate
