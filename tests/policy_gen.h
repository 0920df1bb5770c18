// A random policy generator for tests: valid, resolved policies of every shape the model can
// express (actions, groups, numbers with arch guards, nested conditions with every comparison
// at both widths and signednesses). Deterministic for a seed. Later suites (compiler,
// differential, kernel) reuse it.
//
//   PolicyGen gen(seed);
//   Policy p = gen.Next();
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "sysgate/policy.h"

namespace sysgate::testing {

struct PolicyGenOptions {
  std::vector<Arch> arches = {Arch::kX86_64, Arch::kI386};  // targets; x86_64 must be first
  int max_rules = 12;
  int max_condition_depth = 3;
  bool allow_groups = true;
  bool allow_numbers = true;
};

class PolicyGen {
 public:
  explicit PolicyGen(uint64_t seed, PolicyGenOptions options = {});
  // A policy that resolves and validates without errors (warnings are possible).
  Policy Next();
  // A value that is interesting for comparisons (boundaries, sign extension, upper-half junk).
  uint64_t InterestingValue();
  std::mt19937_64& rng() { return rng_; }

 private:
  Action RandomAction();
  Rule RandomRule();
  Condition RandomCondition(const std::vector<std::string_view>& syscalls, int depth);
  Comparison RandomComparison(const std::vector<std::string_view>& syscalls);
  int Uniform(int lo, int hi);

  std::mt19937_64 rng_;
  PolicyGenOptions opt_;
  std::vector<std::string_view> common_names_;  // exist on every target arch
};

}  // namespace sysgate::testing
