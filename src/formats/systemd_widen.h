// `convert --to systemd --widen`: a policy made into one systemd's SystemCallFilter= can say,
// allowing more and never less. systemd filters by syscall only, and gives the calls outside an
// allow list one errno (or kills): each syscall gets the first verdict systemd can say that is
// not less permissive (policy/permissiveness.h) than any the policy gives it for any arguments,
// and a default systemd cannot give becomes allow or EPERM. Every change is a warning naming
// the syscall. analysis::ExportWidened checks the written unit against the policy and
// completes what this misses (systemd decides i386's socketcall with socket's entry).
#pragma once

#include <vector>

#include "formats/flatten.h"
#include "sysgate/policy.h"

namespace sysgate::formats {

// `flat` is Flatten(policy). The widened policy, resolved; a warning in `diagnostics` for each
// syscall whose verdict changed.
Policy WidenForSystemd(const Policy& policy, const std::vector<FlatRule>& flat,
                       std::vector<Diagnostic>& diagnostics);

}  // namespace sysgate::formats
