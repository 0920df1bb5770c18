// parse(print(p)) == p for thousands of generated policies, and the reference interpreter
// gives the same verdicts on both.
#include <gtest/gtest.h>

#include "policy_gen.h"
#include "sysgate/interpreter.h"
#include "sysgate/policy_text.h"

namespace sysgate {
namespace {

TEST(RoundTrip, GeneratedPoliciesSurvivePrintAndParse) {
  constexpr int kPolicies = 3000;
  int rules = 0;
  for (int seed = 0; seed < kPolicies; ++seed) {
    testing::PolicyGenOptions opt;
    if (seed % 3 == 1) opt.arches = {Arch::kAarch64, Arch::kArm};
    if (seed % 3 == 2) opt.arches = {Arch::kX86_64, Arch::kX32, Arch::kI386};
    testing::PolicyGen gen(static_cast<uint64_t>(seed), opt);
    Policy p = gen.Next();
    rules += static_cast<int>(p.rules.size());
    std::string text = PrintPolicy(p);
    ParsedPolicy back = ParsePolicyText(text, "generated.sgp");
    ASSERT_TRUE(back.ok()) << "seed " << seed << "\n" << text << back.RenderDiagnostics();
    ASSERT_EQ(*back.policy, p) << "seed " << seed << "\n" << text;
    ASSERT_EQ(PrintPolicy(*back.policy), text) << "seed " << seed;
  }
  RecordProperty("policies", kPolicies);
  RecordProperty("rules", rules);
}

TEST(RoundTrip, SameVerdictsAfterRoundTrip) {
  int inputs = 0;
  for (int seed = 0; seed < 300; ++seed) {
    testing::PolicyGen gen(static_cast<uint64_t>(seed) + 100000);
    Policy p = gen.Next();
    ParsedPolicy back = ParsePolicyText(PrintPolicy(p));
    ASSERT_TRUE(back.ok());
    Interpreter a(p), b(*back.policy);
    for (int i = 0; i < 200; ++i) {
      Arch arch = i % 2 ? Arch::kI386 : Arch::kX86_64;
      SeccompData d = SeccompData::For(arch, static_cast<int32_t>(gen.rng()() % 500));
      for (auto& arg : d.args) arg = gen.InterestingValue();
      ASSERT_EQ(a.Evaluate(d), b.Evaluate(d)) << "seed " << seed;
      ++inputs;
    }
  }
  EXPECT_EQ(inputs, 60000);
}

}  // namespace
}  // namespace sysgate
