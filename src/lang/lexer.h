// Tokens of the policy language. Newlines are tokens: they end statements.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sysgate/result.h"

namespace sysgate::lang {

enum class Tok : uint8_t {
  kIdent,   // read, O_RDONLY, kill-process, x86_64
  kGroup,   // @system-service
  kNumber,  // 42, 0x1f, -100 (sign included when it directly precedes a digit)
  kString,  // "path" (text holds the unescaped contents)
  kPath,    // /var/log/nginx: from '/' to a blank, ',', ';', '#', '"' or a bracket
  kLParen,
  kRParen,
  kLBrace,
  kRBrace,
  kComma,
  kColon,
  kSemicolon,
  kAssign,
  kPipe,
  kAmp,
  kAndAnd,
  kOrOr,
  kBang,
  kTilde,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kShl,
  kDotDot,
  kNewline,
  kEnd,
  kError,  // text holds the message
};

struct Token {
  Tok kind;
  std::string text;  // the token as written (unescaped for strings)
  int line;
  int column;
  int length;  // characters in the source
};

std::string_view TokName(Tok t);

// Never fails: malformed input becomes kError tokens; the last token is kEnd.
std::vector<Token> Lex(std::string_view src);

// Lex's tokens one at a time (kEnd again and again after the last), so that a parser holds only
// those of the statement it is reading.
class TokenReader {
 public:
  explicit TokenReader(std::string_view src);
  ~TokenReader();
  Token Next();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace sysgate::lang
