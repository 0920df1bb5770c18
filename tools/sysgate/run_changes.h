// Per-run changes to a policy: `sysgate run --allow @chown,fchownat --deny socket`, rules put in
// front of the profile or policy file (first match wins), as firejail's --seccomp.drop and
// systemd's drop-ins change a unit without editing it.
#pragma once

#include <string>
#include <vector>

#include "sysgate/policy.h"

namespace sysgate::cli {

struct RunChanges {
  std::vector<std::string> allow;  // syscall names and @groups
  std::vector<std::string> deny;   // fail with EPERM

  bool empty() const { return allow.empty() && deny.empty(); }
};

// Each name is a syscall some ABI has or a known @group; a name is not both allowed and denied.
// The error names the option and suggests the closest name.
Result<void> CheckRunChanges(const RunChanges& changes);

// Puts one rule per name in front of `policy`'s rules: the --deny ones first (errno(EPERM)),
// then the --allow ones, so --deny wins over --allow and both over the policy. Each rule is
// located as "--allow NAME", which reports name. Resolves the policy again; false (the errors
// printed) if it no longer validates (a name none of its target ABIs has).
bool ApplyRunChanges(Policy& policy, const RunChanges& changes);

// What each --allow @GROUP of `changes` takes from `policy` (before ApplyRunChanges): the calls
// the group holds that a policy rule denies or allows only on a condition (io_uring_setup,
// socket for @system-service under the default profile), which the group's rule then allows
// outright. Not the calls the policy leaves to its default (unshare there), nor those --allow
// or --deny names itself. One line per group that overrides any
// ("--allow @system-service overrides the policy's rules for clone, ..., socket: allowed
// outright").
std::vector<std::string> AllowOverrides(const Policy& policy, const RunChanges& changes);

}  // namespace sysgate::cli
