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
  EXPECT_TRUE(Diags(PolicyBuilder().Default(Action::Errno(EPERM)).Allow({"read", "write"})).empty());
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
  auto fine = Diags(PolicyBuilder().Allow("ioctl").If(Arg("cmd") >= 5 && Arg("cmd") != 5 && Arg("cmd") <= 6));
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
  EXPECT_TRUE(Diags(PolicyBuilder({Arch::kX86_64, Arch::kI386}).Allow(Nr{11}).On({Arch::kI386})).empty());
}

TEST(Validate, ArgumentsOfSyscallsWithoutThem) {
  auto d = Diags(PolicyBuilder().Allow("getppid").If(Arg(0).U64() == 1));
  ASSERT_EQ(d.size(), 1u);
  EXPECT_THAT(d[0], HasSubstr("warning: getppid takes no arguments"));
}

}  // namespace
}  // namespace sysgate::policy
