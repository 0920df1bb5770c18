#include "lang/source_format.h"

#include <algorithm>
#include <array>
#include <vector>

#include "lang/lexer.h"

namespace sysgate::lang {
namespace {

constexpr std::string_view kIndent =
    "    ";  // a statement's continuation lines, as PrintPolicy wraps
constexpr std::array<std::string_view, 6> kWordOperators = {"if", "on", "or", "and", "not", "in"};

bool IsWordOperator(const Token& t) {
  return t.kind == Tok::kIdent && std::ranges::find(kWordOperators, t.text) != kWordOperators.end();
}

// One line of the source: its tokens (as written), the comment that ends it, and whether a
// backslash carries it on to the next.
struct SourceLine {
  std::vector<std::string_view> texts;
  std::vector<const Token*> tokens;
  std::string_view comment;
  size_t comment_column = 0;  // where the author put it
  bool backslash = false;
};

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<SourceLine> SplitLines(std::string_view text, const std::vector<Token>& tokens) {
  std::vector<size_t> starts = {0};  // offset of each line
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') starts.push_back(i + 1);
  }
  std::vector<SourceLine> lines(starts.size());
  std::vector<size_t> token_end(starts.size(), 0);  // where the last token of a line ends
  for (size_t i = 0; i < lines.size(); ++i) token_end[i] = starts[i];
  for (const Token& t : tokens) {
    if (t.kind == Tok::kNewline || t.kind == Tok::kEnd) continue;
    const size_t line = static_cast<size_t>(t.line - 1);
    const size_t at = starts[line] + static_cast<size_t>(t.column - 1);
    lines[line].tokens.push_back(&t);
    lines[line].texts.push_back(text.substr(at, static_cast<size_t>(t.length)));
    token_end[line] = at + static_cast<size_t>(t.length);
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    const size_t end = i + 1 < starts.size() ? starts[i + 1] - 1 : text.size();  // at the '\n'
    std::string_view rest = TrimBlanks(text.substr(token_end[i], end - token_end[i]));
    if (rest.starts_with('#')) {
      lines[i].comment = rest;
      lines[i].comment_column = static_cast<size_t>(rest.data() - text.data()) - starts[i];
    } else if (rest == "\\" && end < text.size() && text[end - 1] == '\\') {
      lines[i].backslash = true;
    }
  }
  return lines;
}

// Whether the language wants a blank between two tokens of a line.
bool SpaceBetween(const Token& a, const Token& b) {
  switch (b.kind) {
    case Tok::kComma:
    case Tok::kRParen:
    case Tok::kRBrace:
    case Tok::kColon:
    case Tok::kSemicolon:
    case Tok::kDotDot: return false;
    default: break;
  }
  switch (a.kind) {
    case Tok::kLParen:
    case Tok::kLBrace:
    case Tok::kBang:
    case Tok::kTilde:
    case Tok::kColon:
    case Tok::kDotDot: return false;
    default: break;
  }
  // errno(EPERM), trap(5): an action's argument; `if (`, `and (`: an operator's operand.
  if (b.kind == Tok::kLParen && a.kind == Tok::kIdent) return IsWordOperator(a);
  return true;
}

// Whether a statement goes on after a line that ends with `t` (the parser reads on past a line
// break there). Only the indentation depends on it; the line breaks stay where they are.
bool ContinuesAfter(const Token& t) {
  switch (t.kind) {
    case Tok::kComma:
    case Tok::kOrOr:
    case Tok::kAndAnd:
    case Tok::kPipe:
    case Tok::kAmp:
    case Tok::kAssign:
    case Tok::kEq:
    case Tok::kNe:
    case Tok::kLt:
    case Tok::kLe:
    case Tok::kGt:
    case Tok::kGe:
    case Tok::kShl:
    case Tok::kDotDot:
    case Tok::kBang:
    case Tok::kTilde:
    case Tok::kColon:
    case Tok::kLParen:
    case Tok::kLBrace: return true;
    default: return IsWordOperator(t);
  }
}

}  // namespace

std::string FormatSource(std::string_view text) {
  const std::vector<Token> tokens = Lex(text);
  const std::vector<SourceLine> lines = SplitLines(text, tokens);

  std::string out;
  bool blank = false;       // a blank line is due before the next one
  int depth = 0;            // open parentheses and braces
  bool continuing = false;  // the next line continues a statement
  for (const SourceLine& line : lines) {
    if (line.tokens.empty() && line.comment.empty()) {
      // A line of only `\` joins its neighbours (to the lexer, backslash-newline is a blank):
      // dropped, not made a line break.
      if (!line.backslash) blank = !out.empty();
      continue;
    }
    if (blank) out += '\n';
    blank = false;
    std::string code;
    bool indent = continuing;
    if (!line.tokens.empty()) {
      Tok first = line.tokens.front()->kind;
      // A closing brace or parenthesis that ends the nesting starts at the statement's column.
      if ((first == Tok::kRBrace || first == Tok::kRParen) && depth == 1) indent = false;
    }
    if (indent) code = kIndent;
    for (size_t i = 0; i < line.tokens.size(); ++i) {
      const Token& t = *line.tokens[i];
      if (i > 0 && SpaceBetween(*line.tokens[i - 1], t)) code += ' ';
      code += line.texts[i];
      if (t.kind == Tok::kLParen || t.kind == Tok::kLBrace) ++depth;
      if ((t.kind == Tok::kRParen || t.kind == Tok::kRBrace) && depth > 0) --depth;
    }
    if (line.backslash) code += " \\";
    if (!line.comment.empty() && !line.tokens.empty()) {
      // A trailing comment stays in the author's column (comments aligned down a block, as
      // `sysgate learn` writes its counts) unless the code reaches it: then two spaces after.
      code.append(std::max(line.comment_column, code.size() + 2) - code.size(), ' ');
    }
    out += code;
    out += line.comment;
    out += '\n';
    if (!line.tokens.empty()) {
      continuing = line.backslash || depth > 0 || ContinuesAfter(*line.tokens.back());
    }
  }
  return out;
}

}  // namespace sysgate::lang
