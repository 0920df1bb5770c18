#include <algorithm>

#include "policy/for_abi.h"
#include "policy/resolve.h"
#include "policy/size_limits.h"
#include "policy/validate.h"
#include "sysgate/policy.h"

namespace sysgate {

std::vector<Arch> Policy::TargetArches() const { return arches.empty() ? DefaultArches() : arches; }

std::vector<ActionKind> Policy::ActionKinds() const {
  std::vector<ActionKind> kinds = {default_action.kind(), unknown_action.kind(),
                                   foreign_abi_action.kind()};
  for (const Rule& r : rules) kinds.push_back(r.action.kind());
  std::ranges::sort(kinds);
  kinds.erase(std::unique(kinds.begin(), kinds.end()), kinds.end());
  return kinds;
}

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "?";
}

bool HasErrors(const std::vector<Diagnostic>& diags) {
  return std::ranges::any_of(diags,
                             [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

Error FirstError(const std::vector<Diagnostic>& diags) {
  for (const Diagnostic& d : diags) {
    if (d.severity == Severity::kError)
      return MakeError(ErrorCode::kInvalidArgument, d.message, d.loc);
  }
  return MakeError(ErrorCode::kInternal, "no error");
}

std::vector<Diagnostic> ResolveAndValidate(Policy& policy) {
  std::vector<Diagnostic> diags = policy::Resolve(policy);
  if (HasErrors(policy::CheckSizeLimits(policy))) return diags;  // Resolve reported them
  std::vector<Diagnostic> more = policy::Validate(policy);
  diags.insert(diags.end(), more.begin(), more.end());
  if (!HasErrors(diags)) {  // what each target ABI reads (its errors would repeat these)
    more = policy::CheckAbis(policy);
    diags.insert(diags.end(), more.begin(), more.end());
  }
  return diags;
}

}  // namespace sysgate
