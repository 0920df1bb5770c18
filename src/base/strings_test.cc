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

TEST(ClosestMatch, SkipsNamesTooLongToBeTypos) {
  std::vector<std::string_view> names = {"openat", "open", "read", "write"};
  EXPECT_EQ(ClosestMatch(std::string(65, 'o'), names), std::nullopt);
  std::vector<std::string> many(2000, std::string(60, 'x'));
  std::vector<std::string_view> views(many.begin(), many.end());
  EXPECT_EQ(ClosestMatch(std::string(200000, 'x'), views),
            std::nullopt);  // at once, not in minutes
  EXPECT_EQ(ClosestMatch(std::string(59, 'x') + "y", views), std::string(60, 'x'));
}

TEST(ParseInt32, RangeChecked) {
  EXPECT_EQ(ParseInt32("2147483647"), INT32_MAX);
  EXPECT_EQ(ParseInt32("-2147483648"), INT32_MIN);
  EXPECT_EQ(ParseInt32("0x101"), 257);
  for (const char* bad :
       {"2147483648", "4294967296", "4294967553", "-2147483649", "18446744073709551615", "x"}) {
    EXPECT_EQ(ParseInt32(bad), std::nullopt) << bad;
  }
}

TEST(IsUtf8, WellFormedOnly) {
  EXPECT_TRUE(IsUtf8("plain"));
  EXPECT_TRUE(IsUtf8("\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"));  // e-acute, euro, an emoji
  for (const char* bad :
       {"\xff", "\xc3", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "a\x80"}) {
    EXPECT_FALSE(IsUtf8(bad)) << bad;
  }
}

TEST(Abbreviate, LongWordsInMessages) {
  EXPECT_EQ(Abbreviate("short"), "short");
  EXPECT_EQ(Abbreviate(std::string(100, 'x'), 4), "xxxx... (100 characters)");
  std::string msg = "unknown syscall '" + std::string(200000, 'x') + "'; did you mean 'read'?";
  EXPECT_EQ(DisplayMessage(msg), "unknown syscall '" + std::string(199, 'x') +
                                     "... (200003 characters) did you mean 'read'?");
  // A long path is kept whole: only words past 400 characters are cut.
  const std::string path = "\"/tmp/" + std::string(120, 'd') + "/x.sgp\"";
  EXPECT_EQ(DisplayMessage("cannot find included file " + path),
            "cannot find included file " + path);
  EXPECT_EQ(DisplayMessage("a\nb  c"), "a\nb  c");
  // Control characters echoed from input are shown, not sent to the terminal.
  EXPECT_EQ(DisplayMessage(std::string("action 'SCMP\0\x1b[31m\x7f'\t.", 22)),
            "action 'SCMP\\x00\\x1b[31m\\x7f'\t.");
  EXPECT_EQ(Printable("a\x1b[2Jb\n"), "a\\x1b[2Jb\n");
}

TEST(EditDistance, Basics) {
  EXPECT_EQ(EditDistance("", "abc"), 3);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3);
  EXPECT_EQ(EditDistance("same", "same"), 0);
  EXPECT_EQ(EditDistance("opne", "open"), 1);  // a transposition
  EXPECT_EQ(EditDistance("kitten", "sitting", 3), 3);
  EXPECT_EQ(EditDistance("kitten", "sitting", 2), 3);  // past the limit: limit + 1
  EXPECT_EQ(EditDistance("read", "rt_sigtimedwait", 1), 2);
  EXPECT_EQ(EditDistance("abcdef", "badcfe", 3), 3);  // three transpositions, within the limit
}

// Names a program chose (explain's comm and exe, the supervisor's string arguments): nothing in
// them survives unescaped that could forge a line or drive the terminal.
TEST(PlainOrQuoted, QuotesOnlyWhatIsNotPlain) {
  EXPECT_EQ(PlainOrQuoted("/etc/passwd"), "/etc/passwd");
  EXPECT_EQ(PlainOrQuoted("/tmp/a b"), "\"/tmp/a b\"");
  EXPECT_EQ(PlainOrQuoted("/x\nsysgate: forged"), "\"/x\\nsysgate: forged\"");
  EXPECT_EQ(PlainOrQuoted("/say \"hi\""), "\"/say \\\"hi\\\"\"");
  EXPECT_EQ(PlainOrQuoted(""), "\"\"");
}

TEST(CQuote, EscapesWhatCouldForgeOutput) {
  EXPECT_EQ(CQuote("nginx"), "\"nginx\"");
  EXPECT_EQ(CQuote("a\nb\tc"), "\"a\\nb\\tc\"");
  EXPECT_EQ(CQuote("say \"hi\" \\"), "\"say \\\"hi\\\" \\\\\"");
  EXPECT_EQ(CQuote("\x1b[31m\x7f\xff"), "\"\\x1b[31m\\x7f\\xff\"");
  EXPECT_EQ(CQuote(std::string_view("\0x", 2)), "\"\\x00x\"");
}

}  // namespace
}  // namespace sysgate::base
