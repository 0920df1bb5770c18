#include "policy/satisfiable.h"

#include <gtest/gtest.h>

#include "sysgate/policy_builder.h"

namespace sysgate::policy {
namespace {

bool Sat(Condition c, std::string_view syscall = "getppid") {
  Result<Policy> p = PolicyBuilder().Allow(syscall).If(std::move(c)).Build();
  EXPECT_TRUE(p) << p.error().ToString();
  return MaybeSatisfiable(*p->rules[0].condition);
}

TEST(Satisfiable, Contradictions) {
  EXPECT_FALSE(Sat(Arg(0).U64() == 1 && Arg(0).U64() == 2));
  EXPECT_FALSE(Sat(Arg(0).U64() < 5 && Arg(0).U64() > 10));
  EXPECT_FALSE(Sat(Arg(0).U64() < 0));
  EXPECT_FALSE(Sat(Arg(0).U64().In({1, 2}) && Arg(0).U64() > 2));
  EXPECT_FALSE(Sat(Arg(0).U64() >= 5 && Arg(0).U64() <= 5 && Arg(0).U64() != 5));
  EXPECT_FALSE(Sat(!(Arg(0).U64() == 1 || Arg(0).U64() != 1)));
  EXPECT_FALSE(Sat((Arg(0).U64() & 0xf) == 0x10));
  EXPECT_FALSE(Sat((Arg(0).U64() & 0xff) == 1 && (Arg(0).U64() & 0x0f) == 2));
  EXPECT_FALSE(Sat(Arg(0).S32() > 0x7fffffff, "ioctl"));
}

TEST(Satisfiable, SatisfiableOnes) {
  EXPECT_TRUE(Sat(Arg(0).U64() == 1 && Arg(1).U64() == 2));
  EXPECT_TRUE(Sat(Arg(0).U64() >= 1 && Arg(0).U64() != 1 && Arg(0).U64() != 2 && Arg(0).U64() < 4));
  EXPECT_TRUE(Sat(Arg(0).S64() < 0));
  EXPECT_TRUE(Sat((Arg(0).U64() & 0xff00) == 0x100 && Arg(0).U64() >= 5));
  EXPECT_TRUE(Sat(Arg(0).U64() == 1 || Arg(0).U64() == 2));
  EXPECT_TRUE(Sat(Arg(0).U64().Between(3, 3)));
}

}  // namespace
}  // namespace sysgate::policy
