// Two policies compared on the boundary inputs of both, grouped by syscall and change.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include <fmt/format.h>

#include "sysgate/analysis.h"
#include "sysgate/interpreter.h"

namespace sysgate::analysis {
namespace {

size_t NonZero(const SeccompData& d) {
  return static_cast<size_t>(std::ranges::count_if(d.args, [](uint64_t a) { return a != 0; }));
}

// What the rules that name exactly `path` grant (rules on directories above it are compared
// under their own paths).
uint64_t NamedGrant(const AccessRules& a, const std::string& path) {
  uint64_t out = 0;
  for (const PathRule& r : a.paths) {
    if (r.path == path) out |= r.access;
  }
  return out;
}

// The ports one right is granted on, as written ("80, 8000..8010"), "none" when the right is
// handled without a port, "-" when it is not handled.
std::string PortsText(const AccessRules& a, uint64_t bit) {
  if (!(a.handled_net & bit)) return "-";
  std::vector<std::string> out;
  for (const PortRule& r : a.ports) {
    if (!(r.access & bit)) continue;
    out.push_back(r.first == r.last ? fmt::format("{}", r.first)
                                    : fmt::format("{}..{}", r.first, r.last));
  }
  return out.empty() ? "none" : fmt::format("{}", fmt::join(out, ", "));
}

std::vector<AccessDifference> DiffAccess(const AccessRules& b, const AccessRules& a) {
  std::vector<AccessDifference> out;
  auto add = [&](std::string what, std::string before, std::string after) {
    if (before != after) out.push_back({std::move(what), std::move(before), std::move(after)});
  };
  add("fs best-effort", b.best_effort ? "yes" : "no", a.best_effort ? "yes" : "no");
  add("fs", b.handled_fs ? "confined" : "-", a.handled_fs ? "confined" : "-");
  std::vector<std::string> paths;
  for (const AccessRules* r : {&b, &a}) {
    for (const PathRule& p : r->paths) {
      if (std::ranges::find(paths, p.path) == paths.end()) paths.push_back(p.path);
    }
  }
  for (const std::string& p : paths) {
    uint64_t gb = NamedGrant(b, p), ga = NamedGrant(a, p);
    add("fs " + p, gb ? FsAccessText(gb) : "-", ga ? FsAccessText(ga) : "-");
  }
  for (uint64_t bit : {net_access::kBindTcp, net_access::kConnectTcp}) {
    add(fmt::format("net {}", NetAccessName(bit)), PortsText(b, bit), PortsText(a, bit));
  }
  add("scope", b.scoped ? ScopeText(b.scoped) : "-", a.scoped ? ScopeText(a.scoped) : "-");
  return out;
}

}  // namespace

PolicyDiff DiffPolicies(const Policy& before, const Policy& after) {
  Interpreter ib(before), ia(after);
  using Input = std::tuple<uint32_t, int32_t, std::array<uint64_t, 6>>;
  using Syscall = std::pair<uint32_t, int32_t>;  // audit arch, number
  std::set<Input> seen;
  std::map<Syscall, size_t> compared;
  // (syscall, before action, after action) -> index into out.differences
  std::map<std::tuple<Syscall, std::string, std::string>, size_t> index;
  PolicyDiff out;
  InputCheck compare = [&](const SeccompData& d) -> Result<void> {
    if (!seen.insert({d.arch, d.nr, d.args}).second) return {};
    Syscall sc{d.arch, d.nr};
    ++compared[sc];
    Verdict vb = ib.Evaluate(d), va = ia.Evaluate(d);
    if (vb.action == va.action) return {};
    auto key = std::tuple(sc, vb.action.ToString(), va.action.ToString());
    auto [it, added] = index.try_emplace(key, out.differences.size());
    if (added) out.differences.push_back({d, vb, va, 0, 0});
    PolicyDifference& diff = out.differences[it->second];
    ++diff.inputs;
    if (NonZero(d) < NonZero(diff.example)) {  // the simplest example reads best
      diff.example = d;
      diff.before = vb;
      diff.after = va;
    }
    return {};
  };
  for (const Policy* p : {&before, &after}) (void)ForEachBoundaryInput(*p, compare);
  for (PolicyDifference& d : out.differences) d.compared = compared[{d.example.arch, d.example.nr}];
  std::stable_sort(out.differences.begin(), out.differences.end(),
                   [](const PolicyDifference& x, const PolicyDifference& y) {
                     return std::pair(x.example.arch, x.example.nr) <
                            std::pair(y.example.arch, y.example.nr);
                   });
  out.inputs = seen.size();
  out.access = DiffAccess(before.access, after.access);
  return out;
}

}  // namespace sysgate::analysis
