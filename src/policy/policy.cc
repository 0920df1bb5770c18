#include <algorithm>

#include "policy/resolve.h"
#include "policy/size_limits.h"
#include "policy/validate.h"
#include "sysgate/policy.h"

namespace sysgate {

std::vector<Arch> Policy::TargetArches() const {
  return arches.empty() ? DefaultArches() : arches;
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
  return std::ranges::any_of(diags, [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

Error FirstError(const std::vector<Diagnostic>& diags) {
  for (const Diagnostic& d : diags) {
    if (d.severity == Severity::kError) return MakeError(ErrorCode::kInvalidArgument, d.message, d.loc);
  }
  return MakeError(ErrorCode::kInternal, "no error");
}

std::vector<Diagnostic> ResolveAndValidate(Policy& policy) {
  std::vector<Diagnostic> diags = policy::Resolve(policy);
  if (HasErrors(policy::CheckSizeLimits(policy))) return diags;  // Resolve reported them
  std::vector<Diagnostic> more = policy::Validate(policy);
  diags.insert(diags.end(), more.begin(), more.end());
  return diags;
}

}  // namespace sysgate
