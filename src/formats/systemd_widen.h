// `convert --to systemd --widen`: a policy made into one systemd's SystemCallFilter= can say,
// allowing more and never less. systemd filters by syscall only, and gives the calls outside an
// allow list one errno (or kills): each syscall gets the most permissive verdict the policy
// gives it for any arguments, and a verdict systemd has no word for becomes one that is at
// least as permissive: the default of an allow list where that is (a killed call fails with
// its errno instead), allow otherwise (another errno than the default's). A call that runs
// under the policy runs under the unit. Every change is a warning naming the syscall.
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
