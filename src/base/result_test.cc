#include "sysgate/result.h"

#include <gtest/gtest.h>

namespace sysgate {
namespace {

Result<int> Half(int x) {
  if (x % 2) return MakeError(ErrorCode::kInvalidArgument, "odd", SourceLoc{"f.sgp", 3, 7});
  return x / 2;
}

TEST(Result, ValueAndError) {
  auto ok = Half(4);
  ASSERT_TRUE(ok);
  EXPECT_EQ(*ok, 2);
  auto bad = Half(3);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().ToString(), "f.sgp:3:7: odd");
}

TEST(Result, VoidAndSystemError) {
  Result<void> ok;
  EXPECT_TRUE(ok);
  Result<void> bad = SystemError("seccomp(SET_MODE_FILTER)", EINVAL);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().ToString(), "seccomp(SET_MODE_FILTER): Invalid argument");
}

// Asking an error for its value is a bug in the caller: it must stop the process, saying what
// the error was, and never throw (sysgate is used from code built without exceptions).
TEST(ResultDeathTest, ValueOfAnErrorAbortsNamingIt) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH((void)*Half(3), "bug: Result::value\\(\\) of an error: f.sgp:3:7: odd");
  EXPECT_DEATH((void)Half(3).value(), "of an error: f.sgp:3:7: odd");
  EXPECT_DEATH((void)Half(4).error(), "bug: Result::error\\(\\) of a value");
  Result<void> ok;
  EXPECT_DEATH((void)ok.error(), "bug: Result::error\\(\\) of a value");
}

TEST(SourceLoc, Formats) {
  EXPECT_EQ((SourceLoc{"a", 0, 0}).ToString(), "a");
  EXPECT_EQ((SourceLoc{"a", 2, 0}).ToString(), "a:2");
  EXPECT_EQ((SourceLoc{"a", 2, 5}).ToString(), "a:2:5");
}

}  // namespace
}  // namespace sysgate
