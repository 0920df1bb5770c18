#include "base/strings.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "sysgate/limits.h"

namespace sysgate::base {

int EditDistance(std::string_view a, std::string_view b, int limit) {
  // Optimal string alignment: insertions, deletions, substitutions and adjacent transpositions
  // ("opne" -> "open") cost 1 each. Three rows of the table at a time; once two rows in a row
  // are all over `limit`, so is every row after them.
  std::vector<int> before(b.size() + 1), last(b.size() + 1), row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) last[j] = static_cast<int>(j);
  int last_min = 0;
  for (size_t i = 1; i <= a.size(); ++i) {
    row[0] = static_cast<int>(i);
    int row_min = row[0];
    for (size_t j = 1; j <= b.size(); ++j) {
      int cost = a[i - 1] == b[j - 1] ? 0 : 1;
      row[j] = std::min({last[j] + 1, row[j - 1] + 1, last[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        row[j] = std::min(row[j], before[j - 2] + 1);
      }
      row_min = std::min(row_min, row[j]);
    }
    if (row_min > limit && last_min > limit) return limit + 1;
    last_min = row_min;
    std::swap(before, last);
    std::swap(last, row);
  }
  return std::min(last[b.size()], limit + 1);
}

std::optional<std::string> ClosestMatch(std::string_view word,
                                        const std::vector<std::string_view>& candidates) {
  // No real name is this long: a long word is not a typo, and comparing it would cost its
  // length times every candidate's.
  if (word.size() > limits::kMaxSuggestedNameLength) return std::nullopt;
  // Allow about one edit per three characters, at least one and at most three.
  int budget = std::clamp(static_cast<int>(word.size()) / 3, 1, 3);
  int best = budget + 1;
  std::string_view best_name;
  for (std::string_view c : candidates) {
    // The distance is at least the difference in length: skip what cannot be close.
    size_t gap = c.size() > word.size() ? c.size() - word.size() : word.size() - c.size();
    if (gap > static_cast<size_t>(budget)) continue;
    int d = EditDistance(word, c, best - 1);
    if (d < best) {
      best = d;
      best_name = c;
    }
  }
  if (best > budget) return std::nullopt;
  return std::string(best_name);
}

std::string Abbreviate(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  return fmt::format("{}... ({} characters)", s.substr(0, max), s.size());
}

std::string CQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          out += fmt::format("\\x{:02x}", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string PlainOrQuoted(std::string_view s) {
  std::string quoted = CQuote(s);
  const bool plain =
      !s.empty() && quoted.size() == s.size() + 2 && s.find(' ') == std::string_view::npos;
  return plain ? std::string(s) : quoted;
}

std::string Printable(std::string_view s) {
  std::string out;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if ((u < 0x20 && c != '\n' && c != '\t') || u == 0x7f)
      out += fmt::format("\\x{:02x}", u);
    else
      out += c;
  }
  return out;
}

std::string DisplayMessage(std::string_view raw) {
  constexpr size_t kLongWord = 400, kShown = 200;
  const std::string visible = Printable(raw);
  std::string_view message = visible;
  std::string out;
  size_t i = 0;
  while (i < message.size()) {
    size_t end = message.find_first_of(" \n", i);
    if (end == std::string_view::npos) end = message.size();
    std::string_view word = message.substr(i, end - i);
    out += word.size() > kLongWord ? Abbreviate(word, kShown) : std::string(word);
    if (end < message.size()) out += message[end];
    i = end + 1;
  }
  return out;
}

std::optional<uint64_t> ParseInteger(std::string_view text) {
  bool negative = false;
  if (!text.empty() && text[0] == '-') {
    negative = true;
    text.remove_prefix(1);
  }
  if (text.empty()) return std::nullopt;
  unsigned base = 10;
  if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
    base = 16;
    text.remove_prefix(2);
  } else if (text.size() > 2 && text[0] == '0' && (text[1] == 'b' || text[1] == 'B')) {
    base = 2;
    text.remove_prefix(2);
  } else if (text.size() > 2 && text[0] == '0' && (text[1] == 'o' || text[1] == 'O')) {
    base = 8;
    text.remove_prefix(2);
  } else if (text.size() > 1 && text[0] == '0') {
    base = 8;
    text.remove_prefix(1);
  }
  uint64_t value = 0;
  for (char ch : text) {
    unsigned digit;
    if (ch == '_') continue;  // digit separator: 0xffff_ffff
    if (ch >= '0' && ch <= '9') {
      digit = static_cast<unsigned>(ch - '0');
    } else if (ch >= 'a' && ch <= 'f') {
      digit = static_cast<unsigned>(ch - 'a' + 10);
    } else if (ch >= 'A' && ch <= 'F') {
      digit = static_cast<unsigned>(ch - 'A' + 10);
    } else {
      return std::nullopt;
    }
    if (digit >= base) return std::nullopt;
    if (value > (UINT64_MAX - digit) / base) return std::nullopt;
    value = value * base + digit;
  }
  if (negative) {
    if (value > (uint64_t{1} << 63)) return std::nullopt;
    value = ~value + 1;
  }
  return value;
}

size_t Utf8Prefix(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xe  ? 3
                 : (c >> 3) == 0x1e ? 4
                                    : 0;
    if (len == 0 || i + len > s.size()) return i;
    uint32_t cp = len == 1 ? c : c & (0x7f >> len);
    for (size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc >> 6) != 0x2) return i;
      cp = (cp << 6) | (cc & 0x3f);
    }
    static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += len;
  }
  return i;
}

bool IsUtf8(std::string_view s) { return Utf8Prefix(s) == s.size(); }

std::optional<int32_t> ParseInt32(std::string_view text) {
  std::optional<uint64_t> v = ParseInteger(text);
  if (!v) return std::nullopt;
  auto sv = static_cast<int64_t>(*v);
  if (text.starts_with('-') ? sv < INT32_MIN || sv > 0 : *v > static_cast<uint64_t>(INT32_MAX)) {
    return std::nullopt;
  }
  return static_cast<int32_t>(sv);
}

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string ToUpper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
}

}  // namespace sysgate::base
