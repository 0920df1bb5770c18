#include "base/strings.h"

#include <gtest/gtest.h>

namespace sysgate::base {
namespace {

TEST(ParseInteger, Bases) {
  EXPECT_EQ(ParseInteger("0"), 0u);
  EXPECT_EQ(ParseInteger("42"), 42u);
  EXPECT_EQ(ParseInteger("0x1F"), 31u);
  EXPECT_EQ(ParseInteger("0b101"), 5u);
  EXPECT_EQ(ParseInteger("0o17"), 15u);
  EXPECT_EQ(ParseInteger("017"), 15u);
  EXPECT_EQ(ParseInteger("0xffff_ffff"), 0xffffffffu);
  EXPECT_EQ(ParseInteger("0xffffffffffffffff"), UINT64_MAX);
}

TEST(ParseInteger, NegativeWraps) {
  EXPECT_EQ(ParseInteger("-1"), UINT64_MAX);
  EXPECT_EQ(ParseInteger("-100"), static_cast<uint64_t>(-100));
  EXPECT_EQ(ParseInteger("-9223372036854775808"), uint64_t{1} << 63);
  EXPECT_EQ(ParseInteger("-9223372036854775809"), std::nullopt);
}

TEST(ParseInteger, Rejects) {
  for (const char* bad : {"", "-", "0x", "12a", "0b2", "09", "0x10000000000000000",
                          "18446744073709551616", "1.5", " 1"}) {
    EXPECT_EQ(ParseInteger(bad), std::nullopt) << bad;
  }
}

TEST(ClosestMatch, SuggestsTypos) {
  std::vector<std::string_view> names = {"openat", "open", "read", "write"};
  EXPECT_EQ(ClosestMatch("opnat", names), "openat");
  EXPECT_EQ(ClosestMatch("wrte", names), "write");
  EXPECT_EQ(ClosestMatch("zzzzzz", names), std::nullopt);
}

TEST(EditDistance, Basics) {
  EXPECT_EQ(EditDistance("", "abc"), 3);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
  EXPECT_EQ(EditDistance("same", "same"), 0);
  EXPECT_EQ(EditDistance("opne", "open"), 1);  // a transposition
}

}  // namespace
}  // namespace sysgate::base
