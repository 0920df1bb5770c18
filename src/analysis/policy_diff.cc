// Two policies compared on the boundary inputs of both, grouped by syscall and change.
#include <algorithm>
#include <map>
#include <set>
#include <tuple>

#include "sysgate/analysis.h"
#include "sysgate/interpreter.h"

namespace sysgate::analysis {
namespace {

size_t NonZero(const SeccompData& d) { return static_cast<size_t>(std::ranges::count_if(d.args, [](uint64_t a) { return a != 0; })); }

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
                     return std::pair(x.example.arch, x.example.nr) < std::pair(y.example.arch, y.example.nr);
                   });
  out.inputs = seen.size();
  return out;
}

}  // namespace sysgate::analysis
