// sysgate lint: the bypass classes and traps of THREATS.md that a policy can have, each a
// named check with a stable id, a severity and a fix (docs/inspect.md).
//
//   for (const analysis::LintFinding& f : analysis::Lint(policy))
//     std::cout << f.loc.ToString() << ": " << f.message << " [" << f.check->id << "]\n";
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sysgate/arch.h"
#include "sysgate/policy.h"

namespace sysgate::analysis {

struct LintCheck {
  std::string_view id;  // stable: "allows-ptrace", "default-allow", ...
  Severity severity;
  std::string_view summary;  // one line: what the check finds
  std::string_view fix;      // how to mend it
};

// Every check, in the order Lint() runs them (docs/inspect.md describes each).
std::span<const LintCheck> LintChecks();
const LintCheck* FindLintCheck(std::string_view id);

struct LintFinding {
  const LintCheck* check = nullptr;
  SourceLoc loc;        // the rule concerned; unknown when it is the default action
  std::string message;  // what is wrong in this policy
};

// Runs every check on a resolved policy. `host` is the machine the policy will run on: the
// ABIs its kernel runs and the values of the constants probed (TIOCSTI, PTRACE_ATTACH, ...).
std::vector<LintFinding> Lint(const Policy& policy, Arch host = HostArch());

}  // namespace sysgate::analysis
