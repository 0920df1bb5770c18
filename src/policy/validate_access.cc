// Checks of a policy's fs, net and scope rules (AccessRules) that need no kernel: what the
// running kernel offers is checked when the rules are applied (kernel/landlock.h).
#include <map>

#include <fmt/format.h>

#include "policy/validate.h"
#include "sysgate/limits.h"

namespace sysgate::policy {

std::vector<Diagnostic> ValidateAccessRules(const AccessRules& rules) {
  std::vector<Diagnostic> out;
  auto add = [&](Severity s, const SourceLoc& loc, std::string msg) {
    out.push_back({s, loc, std::move(msg), 1});
  };
  if (rules.paths.size() + rules.ports.size() > limits::kMaxAccessRules) {
    add(Severity::kError, rules.loc,
        fmt::format(
            "the policy has more than {} fs and net rules, sysgate's limit (docs/limits.md)",
            limits::kMaxAccessRules));
    return out;
  }
  if (rules.handled_fs & ~fs_access::kAll)
    add(Severity::kError, rules.loc, "unknown fs access rights");
  if (rules.handled_net & ~net_access::kAll)
    add(Severity::kError, rules.loc, "unknown net access rights");
  if (rules.scoped & ~scope::kAll) add(Severity::kError, rules.loc, "unknown scopes");
  std::map<std::string_view, const PathRule*> seen;
  for (const PathRule& r : rules.paths) {
    if (auto why = FsPathProblem(r.path)) {
      add(Severity::kError, r.loc, *why);
      continue;
    }
    for (std::string_view own : {"/proc/self", "/proc/thread-self", "/dev/fd", "/dev/stdin",
                                 "/dev/stdout", "/dev/stderr"}) {
      if (PathIsBeneath(r.path, own)) {
        add(Severity::kWarning, r.loc,
            fmt::format("{} is opened by the process that applies the policy (sysgate run), so the "
                        "rule is on its {}, not the program's",
                        r.path, own.starts_with("/proc") ? "/proc entry" : "file descriptors"));
        break;
      }
    }
    if (r.access == 0) {
      add(Severity::kError, r.loc, fmt::format("the fs rule for {} grants nothing", r.path));
    } else if (r.access & ~rules.handled_fs) {
      add(Severity::kError, r.loc,
          fmt::format("the fs rule for {} grants {}, which the policy does not handle", r.path,
                      FsAccessText(r.access & ~rules.handled_fs)));
    }
    auto [it, fresh] = seen.emplace(r.path, &r);
    if (!fresh && it->second->access == r.access) {
      add(Severity::kWarning, r.loc,
          fmt::format("{} already has this fs rule{}", r.path,
                      it->second->loc.known() ? " at " + it->second->loc.ToString() : ""));
    }
  }
  for (const PortRule& r : rules.ports) {
    if (r.first > r.last) {
      add(Severity::kError, r.loc, fmt::format("the port range {}..{} is empty", r.first, r.last));
    }
    if (r.access == 0 || (r.access & ~rules.handled_net)) {
      add(Severity::kError, r.loc, "a net rule grants what the policy does not handle");
    }
  }
  return out;
}

}  // namespace sysgate::policy
