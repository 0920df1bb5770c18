#include "lang/lexer.h"

#include <gtest/gtest.h>

namespace sysgate::lang {
namespace {

std::vector<Tok> Kinds(std::string_view s) {
  std::vector<Tok> out;
  for (const Token& t : Lex(s)) out.push_back(t.kind);
  return out;
}

TEST(Lexer, TokensAndPositions) {
  auto toks = Lex("allow openat if (flags & O_ACCMODE) == 0 # comment\nkill-process @io-uring");
  ASSERT_GE(toks.size(), 13u);
  EXPECT_EQ(toks[0].text, "allow");
  EXPECT_EQ(toks[1].text, "openat");
  EXPECT_EQ(toks[1].column, 7);
  EXPECT_EQ(toks[3].kind, Tok::kLParen);
  EXPECT_EQ(toks[5].kind, Tok::kAmp);
  EXPECT_EQ(toks[8].kind, Tok::kEq);
  EXPECT_EQ(toks[9].kind, Tok::kNumber);
  EXPECT_EQ(toks[10].kind, Tok::kNewline);
  EXPECT_EQ(toks[11].text, "kill-process");
  EXPECT_EQ(toks[11].line, 2);
  EXPECT_EQ(toks[12].kind, Tok::kGroup);
  EXPECT_EQ(toks.back().kind, Tok::kEnd);
}

TEST(Lexer, NumbersRangesAndOperators) {
  EXPECT_EQ(Kinds("-100..0x1f"),
            (std::vector<Tok>{Tok::kNumber, Tok::kDotDot, Tok::kNumber, Tok::kEnd}));
  EXPECT_EQ(Kinds("a && b || !c"),
            (std::vector<Tok>{Tok::kIdent, Tok::kAndAnd, Tok::kIdent, Tok::kOrOr, Tok::kBang,
                              Tok::kIdent, Tok::kEnd}));
  EXPECT_EQ(Kinds("<= >= < > << != == ="),
            (std::vector<Tok>{Tok::kLe, Tok::kGe, Tok::kLt, Tok::kGt, Tok::kShl, Tok::kNe, Tok::kEq,
                              Tok::kAssign, Tok::kEnd}));
}

TEST(Lexer, ErrorsAreTokensNotCrashes) {
  auto toks = Lex("allow $ \"unterminated\n\x01");
  int errors = 0;
  for (const Token& t : toks) errors += t.kind == Tok::kError;
  EXPECT_EQ(errors, 3);
  EXPECT_EQ(Lex("").back().kind, Tok::kEnd);
  EXPECT_EQ(Lex("@").front().kind, Tok::kError);
}

}  // namespace
}  // namespace sysgate::lang
