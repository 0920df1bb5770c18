// A policy as the flat, order-free rule list of libseccomp-based formats (OCI, SPO, Firecracker):
// sysgate's first matching rule wins, libseccomp's rules have no order, so each syscall's rules
// are made disjoint (a later rule only where no earlier one matched) before they are grouped.
#pragma once

#include <string>
#include <vector>

#include "formats/arg_dnf.h"
#include "sysgate/policy.h"

namespace sysgate::formats {

struct FlatRule {
  Action action;
  std::vector<std::string> names;  // in the order the policy first names them
  ArgTerm args;                    // ANDed, at most one per argument; {} = unconditional
};

struct FlattenOptions {
  std::string format;       // for messages: "OCI", "Firecracker", ...
  size_t max_terms = 4096;  // per syscall
};

// The rules whose action differs from the default, by name. Errors (in `diags`) for what the
// flat form cannot say: a rule that applies to some target ABIs only, a rule whose syscall
// numbers mean different syscalls on different ABIs, a number with no name.
std::vector<FlatRule> Flatten(const Policy& policy, const FlattenOptions& options,
                              std::vector<Diagnostic>& diags);

}  // namespace sysgate::formats
