#include "policy/validate.h"

#include <errno.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sysgate/policy_builder.h"

namespace sysgate::policy {
namespace {

using ::testing::HasSubstr;

// Diagnostics of a policy as "severity: message" lines.
std::vector<std::string> Diags(PolicyBuilder b) {
  // Build() refuses errors, so build the rules unchecked through a copy of the policy.
  Result<Policy> built = b.Build();
  std::vector<std::string> out;
  if (!built) {
    out.push_back("error: " + built.error().message);
    return out;
  }
  for (const Diagnostic& d : ResolveAndValidate(*built)) {
    out.push_back(std::string(SeverityName(d.severity)) + ": " + d.message);
  }
  return out;
}

TEST(Validate, CleanPolicyHasNoDiagnostics) {
  EXPECT_TRUE(
      Diags(PolicyBuilder().Default(Action::Errno(EPERM)).Allow({"read", "write"})).empty());
}

TEST(Validate, UnreachableRule) {
  auto d = Diags(PolicyBuilder().Allow({"read", "write"}).Errno(EPERM, "read"));
  ASSERT_FALSE(d.empty());
  EXPECT_THAT(d[0], HasSubstr("warning: this rule is unreachable"));
}

TEST(Validate, NamedSyscallAlreadyDecided) {
  auto d = Diags(PolicyBuilder().Allow("@file-system").Errno(EACCES, {"openat", "mount"}));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_THAT(d[0], HasSubstr("openat is already decided (allow)"));
}

TEST(Validate, ContradictoryCondition) {
  auto d = Diags(PolicyBuilder().Allow("getppid").If(Arg(0).U64() == 1 && Arg(0).U64() == 2));
  EXPECT_THAT(d, ::testing::Contains(HasSubstr("can never be true")));
  auto masked = Diags(PolicyBuilder().Allow("ioctl").If((Arg("cmd") & 0xf) == 0x10));
  EXPECT_THAT(masked, ::testing::Contains(HasSubstr("can never be true")));
  auto fine = Diags(
      PolicyBuilder().Allow("ioctl").If(Arg("cmd") >= 5 && Arg("cmd") != 5 && Arg("cmd") <= 6));
  EXPECT_THAT(fine, ::testing::Not(::testing::Contains(HasSubstr("never"))));
}

TEST(Validate, MissingOnSomeArches) {
  auto some = Diags(PolicyBuilder({Arch::kX86_64, Arch::kAarch64}).Allow("open"));
  ASSERT_EQ(some.size(), 1u);
  EXPECT_THAT(some[0], HasSubstr("note: open does not exist on aarch64"));
  auto all = Diags(PolicyBuilder({Arch::kAarch64}).Allow("open"));
  ASSERT_EQ(all.size(), 1u);
  EXPECT_THAT(all[0], HasSubstr("error: open does not exist on aarch64"));
}

TEST(Validate, PointerComparedByValue) {
  auto d = Diags(PolicyBuilder().Allow("openat").If(Arg("filename") == 0));
  EXPECT_THAT(d, ::testing::Contains(HasSubstr("is a pointer")));
}

TEST(Validate, RawNumbersOnSeveralArches) {
  auto d = Diags(PolicyBuilder({Arch::kX86_64, Arch::kI386}).Allow(Nr{11}));
  EXPECT_THAT(d, ::testing::Contains(HasSubstr("means a different syscall")));
  EXPECT_TRUE(
      Diags(PolicyBuilder({Arch::kX86_64, Arch::kI386}).Allow(Nr{11}).On({Arch::kI386})).empty());
}

TEST(Validate, ArgumentsOfSyscallsWithoutThem) {
  auto d = Diags(PolicyBuilder().Allow("getppid").If(Arg(0).U64() == 1));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_THAT(d[0], HasSubstr("warning: getppid takes no arguments"));
}

// A policy over the size limits (size_limits.h) is refused before it is resolved or checked,
// however it was made: here by hand, deeper than any reader nests.
TEST(Validate, SizeLimits) {
  Comparison c;
  c.arg.index = 0;
  c.operands = {{1, ""}};
  Condition deep = Condition::Compare(c);
  for (int i = 0; i < 300; ++i) deep = Condition::Not(Condition::Or({deep, Condition::Compare(c)}));
  Policy p;
  p.rules.push_back({Action::Allow(), {SyscallSpec::Name("read")}, {}, deep, {"h.sgp", 3, 1}});
  std::vector<Diagnostic> d = ResolveAndValidate(p);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].loc.ToString() + ": " + d[0].message,
            "h.sgp:3:1: the condition nests deeper than 200 levels, sysgate's nesting limit "
            "(docs/limits.md)");

  Condition wide = Condition::And(std::vector<Condition>(1001, Condition::Compare(c)));
  p.rules[0].condition = wide;
  EXPECT_THAT(ResolveAndValidate(p).at(0).message, HasSubstr("more than 1000 comparisons"));
  c.op = CmpOp::kIn;
  c.operands.resize(10001);
  for (size_t i = 0; i < c.operands.size(); ++i) c.operands[i].value = i;
  p.rules[0].condition = Condition::Compare(c);
  EXPECT_THAT(ResolveAndValidate(p).at(0).message, HasSubstr("the set has more than 10000 values"));

  c.op = CmpOp::kEq;
  c.operands.resize(1);
  p.rules.assign(10001,
                 Rule{Action::Allow(), {SyscallSpec::Name("read")}, {}, Condition::Compare(c), {}});
  p.rules[10000].loc = {"h.sgp", 10002, 1};
  d = ResolveAndValidate(p);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].loc.ToString() + ": " + d[0].message,
            "h.sgp:10002:1: more than 10000 rules with a condition name read, sysgate's limit "
            "(docs/limits.md)");

  p.rules.assign(100001, Rule{Action::Allow(), {SyscallSpec::Name("read")}, {}, std::nullopt, {}});
  p.rules[100000].loc = {"h.sgp", 100002, 1};
  d = ResolveAndValidate(p);
  ASSERT_EQ(d.size(), 1u);
  EXPECT_EQ(d[0].loc.ToString() + ": " + d[0].message,
            "h.sgp:100002:1: the policy has 100001 rules, more than 100000, sysgate's rule limit "
            "(docs/limits.md)");
}

}  // namespace
}  // namespace sysgate::policy
