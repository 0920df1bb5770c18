#include "sysgate/policy_builder.h"

#include <errno.h>
#include <fcntl.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sysgate {
namespace {

using ::testing::HasSubstr;

TEST(PolicyBuilder, BuildsRulesInOrder) {
  Result<Policy> p = PolicyBuilder()
                         .Default(Action::Errno(EPERM))
                         .Allow({"read", "write", "@exit"})
                         .Allow("openat")
                         .If((Arg("flags") & O_ACCMODE) == O_RDONLY)
                         .Errno(EACCES, "openat")
                         .Build();
  ASSERT_TRUE(p) << p.error().ToString();
  ASSERT_EQ(p->rules.size(), 3u);
  EXPECT_EQ(p->rules[0].syscalls[2], SyscallSpec::Group("@exit"));
  const Comparison& c = p->rules[1].condition->comparison();
  EXPECT_EQ(c.arg.index, 2);  // resolved from the signature
  EXPECT_EQ(c.arg.width, Width::k32);
  EXPECT_EQ(c.op, CmpOp::kMaskedEq);
  EXPECT_EQ(p->rules[2].action, Action::Errno(EACCES));
}

TEST(PolicyBuilder, KeepsTheFirstErrorWithItsCallSite) {
  // If() with no rule yet is the first error; the unknown syscall would be reported only if
  // first. (One line: GCC and clang place a call inside a multi-line chain differently.)
  int line = __LINE__ + 1;
  Result<Policy> p = PolicyBuilder().If(Arg(0) == 1).Allow("opne").Build();
  ASSERT_FALSE(p);
  EXPECT_THAT(p.error().message, HasSubstr("If() needs a rule"));
  EXPECT_EQ(p.error().loc.line, line);
  EXPECT_THAT(p.error().loc.file, HasSubstr("builder_test.cc"));
}

TEST(PolicyBuilder, ReportsValidationErrors) {
  auto err = [](const PolicyBuilder& b) {
    Result<Policy> p = b.Build();
    return p ? std::string("ok") : p.error().message;
  };
  EXPECT_THAT(err(PolicyBuilder().Allow("opne")), HasSubstr("did you mean 'open'"));
  EXPECT_THAT(err(PolicyBuilder().Errno(5000, "mount")), HasSubstr("1..4095"));
  EXPECT_THAT(err(PolicyBuilder().Errno(0, "mount")), HasSubstr("allow-errno-zero"));
  EXPECT_EQ(err(PolicyBuilder().DangerAllowErrnoZero().Errno(0, "mount")), "ok");
  EXPECT_THAT(err(PolicyBuilder().Trap("mount", 70000)), HasSubstr("16 bits"));
  EXPECT_THAT(err(PolicyBuilder().Allow("openat").If(Arg("flag") == 0)),
              HasSubstr("did you mean 'flags'"));
  EXPECT_THAT(err(PolicyBuilder().Allow("openat").If(Arg("flags") == 0x100000000LL)),
              HasSubstr("does not fit the 32-bit argument"));
  EXPECT_THAT(err(PolicyBuilder().Allow("openat").If(Arg(6) == 0)), HasSubstr("out of range"));
  EXPECT_THAT(err(PolicyBuilder().Allow({"openat", "mmap"}).If(Arg(2) == 1)),
              HasSubstr("write arg2:u64 or :u32 to choose"));
  EXPECT_THAT(err(PolicyBuilder().Allow("openat").If(Arg(0) == 1).If(Arg(1) == 1)),
              HasSubstr("already has a condition"));
}

TEST(PolicyBuilder, ExplicitWidthOverridesTheSignature) {
  Result<Policy> p = PolicyBuilder().Allow({"openat", "mmap"}).If(Arg(2).U64() == 1).Build();
  ASSERT_TRUE(p) << p.error().ToString();
  EXPECT_EQ(p->rules[0].condition->comparison().arg.width, Width::k64);
}

}  // namespace
}  // namespace sysgate
