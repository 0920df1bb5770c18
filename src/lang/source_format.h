// The layout of one policy file made canonical, as gofmt does for Go: what `sysgate fmt` writes.
// Everything the author wrote stays: the tokens in their order, comments, include lines and
// the line breaks; only the blanks between tokens change (one space where the language reads
// separate words, none inside `errno(EPERM)`, `arg0:u32`, `1..5`, after `!`), continuation
// lines are indented by four, a trailing comment keeps its column (at least two spaces after
// the code), and runs of blank lines become one.
#pragma once

#include <string>
#include <string_view>

namespace sysgate::lang {

// `text` is a file that parses (no lexical errors). Lex(FormatSource(t)) has Lex(t)'s tokens,
// and FormatSource(FormatSource(t)) == FormatSource(t). PrintPolicy's output is unchanged.
std::string FormatSource(std::string_view text);

}  // namespace sysgate::lang
