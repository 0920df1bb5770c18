// Small string helpers shared by the layers above.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sysgate::base {

// Levenshtein distance (with adjacent transpositions), for "did you mean" suggestions; past
// `limit`, limit + 1 (found sooner: suggestions compare a word with every name).
int EditDistance(std::string_view a, std::string_view b, int limit = 1 << 20);

// The candidate closest to `word` if it is close enough to be a plausible typo; none for words
// longer than limits::kMaxSuggestedNameLength.
std::optional<std::string> ClosestMatch(std::string_view word,
                                        const std::vector<std::string_view>& candidates);

// `s`, or when it is longer than `max` its beginning and its length: for echoing input in
// messages ("xxxx... (200000 characters)").
std::string Abbreviate(std::string_view s, size_t max = 60);
// `s` with control characters other than newline and tab written as \xNN, so that one echoed
// from input (a file name, a value) cannot drive the terminal (an escape sequence) or cut the
// line (a NUL): what every sink of messages for people applies.
std::string Printable(std::string_view s);
// `s` in double quotes as C writes it: quotes and backslashes escaped, newline and tab as \n and
// \t, every other byte outside printable ASCII as \xNN. For names a program chose (its comm,
// its exe, a path it passed): nothing in them can forge a line or drive the terminal.
std::string CQuote(std::string_view s);
// A path or name a program chose, as reports and explanations show it: bare when it is plain
// printable ASCII without spaces, else CQuote'd.
std::string PlainOrQuoted(std::string_view s);
// `message` as renderers show it: Printable, and every word (run of non-blanks) longer than 400
// characters abbreviated, so that no message echoes a huge name or value whole.
std::string DisplayMessage(std::string_view message);

// Parses a C-style integer literal: decimal, 0x hex, 0o / leading-0 octal, 0b binary, with an
// optional leading '-'. Rejects overflow beyond 64 bits. Negative values wrap to uint64.
std::optional<uint64_t> ParseInteger(std::string_view text);
// ParseInteger's literal as a signed 32-bit integer: none when it does not fit (4294967296,
// -2147483649).
std::optional<int32_t> ParseInt32(std::string_view text);

// Whether `s` is well-formed UTF-8 (no overlong forms, surrogates or values past U+10FFFF),
// and how many of its first bytes are.
bool IsUtf8(std::string_view s);
size_t Utf8Prefix(std::string_view s);

std::string ToLower(std::string_view s);
std::string ToUpper(std::string_view s);

// `s` without leading and trailing blanks (spaces, tabs, CR, LF).
std::string_view Trim(std::string_view s);

// The pieces of `s` between `sep`s (a trailing separator gives a last empty piece).
std::vector<std::string_view> Split(std::string_view s, char sep);

}  // namespace sysgate::base
