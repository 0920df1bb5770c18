#include "compile/decision.h"

#include <algorithm>
#include <map>

#include "policy/syscall_set.h"

namespace sysgate::compile {
namespace {

// The chain for `nr` on `abi`: conditional rules until the first unconditional one.
Chain ChainFor(const Policy& p, const std::vector<std::vector<int32_t>>& numbers, Arch abi,
               int32_t nr) {
  Chain c;
  for (size_t i = 0; i < p.rules.size(); ++i) {
    if (!std::ranges::binary_search(numbers[i], nr)) continue;
    if (!p.rules[i].condition) {
      c.tail = static_cast<int>(i);
      return c;
    }
    c.conditional.push_back(static_cast<int>(i));
  }
  c.tail = SyscallName(abi, nr) ? Chain::kDefault : Chain::kUnknown;
  return c;
}

// The number range an ABI owns within its audit value's 32-bit space.
bool AbiOwns(Arch abi, uint32_t nr) {
  bool x32_range = nr >= 0x40000000U && nr <= 0x7fffffffU;
  if (abi == Arch::kX32) return x32_range;
  if (abi == Arch::kX86_64) return !x32_range;
  return true;
}

void AddRanges(const Policy& p, Arch abi, bool targeted, std::map<uint32_t, Chain>& points) {
  // Every number whose chain can differ from "no rule, unknown" is a point; the numbers
  // between points share the chain of "no rule, unknown" (or bad-ABI).
  std::vector<std::vector<int32_t>> numbers;
  std::vector<int32_t> interesting;
  if (targeted) {
    for (const Rule& r : p.rules) {
      numbers.push_back(policy::RuleAppliesTo(r, abi) ? policy::SyscallNumbers(r.syscalls, abi)
                                                      : std::vector<int32_t>{});
      interesting.insert(interesting.end(), numbers.back().begin(), numbers.back().end());
    }
    for (const SyscallEntry& e : Syscalls(abi)) interesting.push_back(e.nr);
  }
  for (int32_t nr : interesting) {
    uint32_t u = static_cast<uint32_t>(nr);
    if (AbiOwns(abi, u)) points[u] = ChainFor(p, numbers, abi, nr);
  }
}

}  // namespace

std::vector<ArchDecision> Decide(const Policy& policy) {
  std::vector<Arch> targets = policy.TargetArches();
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
      bool targeted = std::ranges::find(targets, abi) != targets.end();
      AddRanges(policy, abi, targeted, points);
    }
    auto filler = [&](uint32_t nr) {
      Chain c;
      for (Arch abi : abis) {
        if (!AbiOwns(abi, nr)) continue;
        bool targeted = std::ranges::find(targets, abi) != targets.end();
        c.tail = targeted ? Chain::kUnknown : Chain::kBadAbi;
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
    uint64_t next = 0;  // first number not yet covered
    auto fill_gap = [&](uint64_t upto) {  // cover [next, upto)
      while (next < upto) {
        uint64_t end = upto;
        for (uint32_t c : cuts) {
          if (c > next && c < end) end = c;
        }
        push(static_cast<uint32_t>(next), static_cast<uint32_t>(end - 1), filler(static_cast<uint32_t>(next)));
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
