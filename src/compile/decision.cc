#include "compile/decision.h"

#include <algorithm>
#include <map>
#include <set>

#include "policy/syscall_set.h"

namespace sysgate::compile {
namespace {

// The number range an ABI owns within its audit value's 32-bit space.
bool AbiOwns(Arch abi, uint32_t nr) {
  bool x32_range = nr >= 0x40000000U && nr <= 0x7fffffffU;
  if (abi == Arch::kX32) return x32_range;
  if (abi == Arch::kX86_64) return !x32_range;
  return true;
}

void AddRanges(const Policy& p, Arch abi, std::map<uint32_t, Chain>& points) {
  // Every number a rule names or the table knows is a point; the numbers between points share
  // the chain of "no rule, unknown" (or bad-ABI). Chains are built in one pass over the rules:
  // conditional rules in order until the first unconditional one.
  std::map<uint32_t, Chain> chains;
  std::set<uint32_t> closed;  // numbers an unconditional rule already decided
  for (size_t i = 0; i < p.rules.size(); ++i) {
    const Rule& r = p.rules[i];
    if (!policy::RuleAppliesTo(r, abi)) continue;
    for (int32_t nr : policy::SyscallNumbers(r.syscalls, abi)) {
      uint32_t u = static_cast<uint32_t>(nr);
      if (!AbiOwns(abi, u) || closed.count(u)) continue;
      Chain& c = chains[u];
      c.abi = abi;
      if (r.condition) {
        c.conditional.push_back(static_cast<int>(i));
      } else {
        c.tail = static_cast<int>(i);
        closed.insert(u);
      }
    }
  }
  for (auto& [u, c] : chains) {
    if (!closed.count(u))
      c.tail = SyscallName(abi, static_cast<int32_t>(u)) ? Chain::kDefault : Chain::kUnknown;
    points[u] = std::move(c);
  }
  for (const SyscallEntry& e : Syscalls(abi)) {
    uint32_t u = static_cast<uint32_t>(e.nr);
    if (!AbiOwns(abi, u) || chains.count(u)) continue;
    Chain c;
    c.tail = Chain::kDefault;
    c.abi = abi;
    points[u] = std::move(c);
  }
}

}  // namespace

std::vector<ArchDecision> Decide(const Policy& p,
                                 const std::map<Arch, policy::AbiPolicy>& lowered) {
  std::vector<Arch> targets = p.TargetArches();
  std::vector<ArchDecision> out;
  for (Arch t : targets) {
    uint32_t audit = Info(t).audit_arch;
    if (std::ranges::any_of(out, [&](const ArchDecision& d) { return d.audit_arch == audit; })) {
      continue;
    }
    // The ABIs behind this audit value, targeted or not (x86_64 and x32).
    std::vector<Arch> abis;
    for (Arch a : AllArches()) {
      if (Info(a).audit_arch == audit) abis.push_back(a);
    }
    std::map<uint32_t, Chain> points;
    for (Arch abi : abis) {
      if (auto it = lowered.find(abi); it != lowered.end())
        AddRanges(it->second.policy, abi, points);
    }
    auto filler = [&](uint32_t nr) {
      Chain c;
      for (Arch abi : abis) {
        if (!AbiOwns(abi, nr)) continue;
        bool targeted = std::ranges::find(targets, abi) != targets.end();
        c.tail = targeted ? Chain::kUnknown : Chain::kBadAbi;
        c.abi = abi;
      }
      return c;
    };
    // Walk the number space: points, and the gaps between them (split where the owning ABI
    // changes: x32's range inside x86_64's).
    std::vector<uint32_t> cuts = {0};
    if (abis.size() > 1) cuts = {0, 0x40000000U, 0x80000000U};
    ArchDecision d{audit, Info(t).endian, {}};
    auto push = [&](uint32_t lo, uint32_t hi, const Chain& c) {
      if (!d.ranges.empty() && d.ranges.back().chain == c && d.ranges.back().hi + 1 == lo) {
        d.ranges.back().hi = hi;
      } else {
        d.ranges.push_back({lo, hi, c});
      }
    };
    uint64_t next = 0;                    // first number not yet covered
    auto fill_gap = [&](uint64_t upto) {  // cover [next, upto)
      while (next < upto) {
        uint64_t end = upto;
        for (uint32_t c : cuts) {
          if (c > next && c < end) end = c;
        }
        push(static_cast<uint32_t>(next), static_cast<uint32_t>(end - 1),
             filler(static_cast<uint32_t>(next)));
        next = end;
      }
    };
    for (const auto& [nr, chain] : points) {
      fill_gap(nr);
      push(nr, nr, chain);
      next = static_cast<uint64_t>(nr) + 1;
    }
    fill_gap(uint64_t{1} << 32);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace sysgate::compile
