#include "lang/lexer.h"

#include <cctype>

#include <fmt/format.h>

namespace sysgate::lang {
namespace {

bool IsIdentStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsIdentChar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
// Characters of an unquoted path: printable ASCII but what ends it (paths with those are
// quoted), and the bytes of UTF-8 letters.
bool IsPathChar(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u <= 0x20 || u == 0x7f) return false;
  switch (c) {
    case ',':
    case ';':
    case '#':
    case '"':
    case '(':
    case ')':
    case '{':
    case '}':
    case '\\': return false;
    default: return true;
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  std::vector<Token> Run() {
    std::vector<Token> out;
    do {
      out.push_back(NextToken());
    } while (out.back().kind != Tok::kEnd);
    return out;
  }

  Token NextToken() {
    SkipBlanks();
    if (pos_ >= s_.size()) return {Tok::kEnd, "", line_, col_, 0};
    return Next();
  }

 private:
  char At(size_t i) const { return i < s_.size() ? s_[i] : '\0'; }

  void Advance(size_t n = 1) {
    for (size_t i = 0; i < n && pos_ < s_.size(); ++i, ++pos_) {
      if (s_[pos_] == '\n') {
        ++line_;
        col_ = 1;
      } else {
        ++col_;
      }
    }
  }

  void SkipBlanks() {
    while (pos_ < s_.size()) {
      char c = s_[pos_];
      if (c == ' ' || c == '\t' || c == '\r') {
        Advance();
      } else if (c == '\\' && At(pos_ + 1) == '\n') {
        Advance(2);  // line continuation
      } else if (c == '#') {
        while (pos_ < s_.size() && s_[pos_] != '\n') Advance();
      } else {
        break;
      }
    }
  }

  Token Make(Tok k, size_t len) {
    Token t{k, std::string(s_.substr(pos_, len)), line_, col_, static_cast<int>(len)};
    Advance(len);
    return t;
  }

  Token Next() {
    char c = s_[pos_];
    char n = At(pos_ + 1);
    if (c == '\n') return Make(Tok::kNewline, 1);
    if (IsIdentStart(c)) {
      size_t e = pos_ + 1;
      while (e < s_.size() && IsIdentChar(s_[e])) ++e;
      while (s_[e - 1] == '-') --e;  // a trailing '-' is not part of a name
      return Make(Tok::kIdent, e - pos_);
    }
    if (c == '@') {
      size_t e = pos_ + 1;
      while (e < s_.size() && IsIdentChar(s_[e])) ++e;
      if (e == pos_ + 1) return Error("'@' must be followed by a group name", 1);
      return Make(Tok::kGroup, e - pos_);
    }
    if (IsDigit(c) || (c == '-' && IsDigit(n))) {
      size_t e = pos_ + 1;
      while (e < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[e])) || s_[e] == '_'))
        ++e;
      return Make(Tok::kNumber, e - pos_);
    }
    if (c == '"') return String();
    if (c == '/') {
      size_t e = pos_ + 1;
      while (e < s_.size() && IsPathChar(s_[e])) ++e;
      // `/srv/a#1` would otherwise be /srv/a and a comment: a rule on another path.
      if (e < s_.size() && std::string_view("#\"(){}").find(s_[e]) != std::string_view::npos) {
        return Error(fmt::format("'{}' cannot be part of an unquoted path: quote the path "
                                 "(\"/srv/a#1\")",
                                 s_[e]),
                     e + 1 - pos_);
      }
      return Make(Tok::kPath, e - pos_);
    }
    switch (c) {
      case '(': return Make(Tok::kLParen, 1);
      case ')': return Make(Tok::kRParen, 1);
      case '{': return Make(Tok::kLBrace, 1);
      case '}': return Make(Tok::kRBrace, 1);
      case ',': return Make(Tok::kComma, 1);
      case ':': return Make(Tok::kColon, 1);
      case ';': return Make(Tok::kSemicolon, 1);
      case '~': return Make(Tok::kTilde, 1);
      case '|': return n == '|' ? Make(Tok::kOrOr, 2) : Make(Tok::kPipe, 1);
      case '&': return n == '&' ? Make(Tok::kAndAnd, 2) : Make(Tok::kAmp, 1);
      case '!': return n == '=' ? Make(Tok::kNe, 2) : Make(Tok::kBang, 1);
      case '=': return n == '=' ? Make(Tok::kEq, 2) : Make(Tok::kAssign, 1);
      case '<':
        if (n == '=') return Make(Tok::kLe, 2);
        if (n == '<') return Make(Tok::kShl, 2);
        return Make(Tok::kLt, 1);
      case '>': return n == '=' ? Make(Tok::kGe, 2) : Make(Tok::kGt, 1);
      case '.':
        if (n == '.') return Make(Tok::kDotDot, 2);
        break;
      default: break;
    }
    unsigned char uc = static_cast<unsigned char>(c);
    if (uc < 0x20 || uc >= 0x7f) {
      return Error("unexpected byte in the policy (the language is plain ASCII text)", 1);
    }
    return Error(std::string("unexpected character '") + c + "'", 1);
  }

  Token String() {
    int line = line_, col = col_;
    size_t start = pos_;
    Advance();  // opening quote
    std::string text;
    while (pos_ < s_.size() && s_[pos_] != '"' && s_[pos_] != '\n') {
      if (s_[pos_] == '\\' && pos_ + 1 < s_.size() && s_[pos_ + 1] != '\n') {
        Advance();
      }
      text += s_[pos_];
      Advance();
    }
    if (pos_ >= s_.size() || s_[pos_] != '"') {
      return {Tok::kError, "unterminated string", line, col, static_cast<int>(pos_ - start)};
    }
    Advance();
    return {Tok::kString, text, line, col, static_cast<int>(pos_ - start)};
  }

  Token Error(std::string msg, size_t len) {
    Token t{Tok::kError, std::move(msg), line_, col_, static_cast<int>(len)};
    Advance(len);
    return t;
  }

  std::string_view s_;
  size_t pos_ = 0;
  int line_ = 1;
  int col_ = 1;
};

}  // namespace

std::string_view TokName(Tok t) {
  switch (t) {
    case Tok::kIdent: return "name";
    case Tok::kGroup: return "group";
    case Tok::kNumber: return "number";
    case Tok::kString: return "string";
    case Tok::kPath: return "path";
    case Tok::kLParen: return "'('";
    case Tok::kRParen: return "')'";
    case Tok::kLBrace: return "'{'";
    case Tok::kRBrace: return "'}'";
    case Tok::kComma: return "','";
    case Tok::kColon: return "':'";
    case Tok::kSemicolon: return "';'";
    case Tok::kAssign: return "'='";
    case Tok::kPipe: return "'|'";
    case Tok::kAmp: return "'&'";
    case Tok::kAndAnd: return "'&&'";
    case Tok::kOrOr: return "'||'";
    case Tok::kBang: return "'!'";
    case Tok::kTilde: return "'~'";
    case Tok::kEq: return "'=='";
    case Tok::kNe: return "'!='";
    case Tok::kLt: return "'<'";
    case Tok::kLe: return "'<='";
    case Tok::kGt: return "'>'";
    case Tok::kGe: return "'>='";
    case Tok::kShl: return "'<<'";
    case Tok::kDotDot: return "'..'";
    case Tok::kNewline: return "end of line";
    case Tok::kEnd: return "end of file";
    case Tok::kError: return "error";
  }
  return "?";
}

std::vector<Token> Lex(std::string_view src) { return Lexer(src).Run(); }

struct TokenReader::Impl {
  Lexer lexer;
};

TokenReader::TokenReader(std::string_view src) : impl_(std::make_unique<Impl>(Impl{Lexer(src)})) {}
TokenReader::~TokenReader() = default;
Token TokenReader::Next() { return impl_->lexer.NextToken(); }

}  // namespace sysgate::lang
