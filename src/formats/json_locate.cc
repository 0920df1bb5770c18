#include "formats/json_locate.h"

#include <cstring>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/strings.h"

namespace sysgate::formats {
namespace {

// The tokens of a JSON pointer, RFC 6901's escapes undone ("" has none).
std::vector<std::string> PointerTokens(std::string_view pointer) {
  std::vector<std::string> out;
  if (pointer.empty()) return out;
  for (std::string_view raw : base::Split(pointer.substr(1), '/')) {
    std::string t;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '~' && i + 1 < raw.size())
        t += raw[++i] == '1' ? '/' : '~';
      else
        t += raw[i];
    }
    out.push_back(std::move(t));
  }
  return out;
}

// Where the values of a valid JSON text begin. A container is indexed (its elements' or
// members' offsets) the first time a pointer goes through it; lines are counted on demand from
// checkpoints, so no lookup rescans the text from its start.
class JsonPositions {
 public:
  JsonPositions(std::string_view text, std::string filename)
      : text_(text), filename_(std::move(filename)) {}

  SourceLoc Locate(std::string_view pointer) {
    size_t at = Skip(0);
    if (at >= text_.size()) return {filename_, 0, 0};
    for (const std::string& token : PointerTokens(pointer)) {
      std::optional<size_t> child = Child(at, token);
      if (!child) break;  // not in the text: the nearest enclosing value
      at = *child;
    }
    return LocOf(at);
  }

 private:
  static constexpr size_t kStride = 1 << 16;  // bytes between line-count checkpoints

  std::optional<size_t> Child(size_t at, const std::string& token) {
    if (text_[at] == '[') {
      if (token.empty() || token.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
      const std::vector<size_t>& elements = Elements(at);
      size_t index = 0;
      for (char c : token) {
        index = index * 10 + static_cast<size_t>(c - '0');
        if (index >= elements.size()) return std::nullopt;
      }
      return elements[index];
    }
    if (text_[at] == '{') {
      std::optional<size_t> found;
      for (const auto& [key, value] : Members(at)) {
        if (key == token) found = value;  // a repeated key: the last one counts, as when parsing
      }
      return found;
    }
    return std::nullopt;
  }

  const std::vector<size_t>& Elements(size_t at) {
    auto [it, fresh] = elements_.try_emplace(at);
    if (!fresh) return it->second;
    for (size_t i = Skip(at + 1); i < text_.size() && text_[i] != ']';) {
      it->second.push_back(i);
      i = Skip(ValueEnd(i));
      if (i < text_.size() && text_[i] == ',') i = Skip(i + 1);
    }
    return it->second;
  }

  const std::vector<std::pair<std::string, size_t>>& Members(size_t at) {
    auto [it, fresh] = members_.try_emplace(at);
    if (!fresh) return it->second;
    for (size_t i = Skip(at + 1); i < text_.size() && text_[i] == '"';) {
      size_t end = StringEnd(i);
      std::string key = Decoded(i, end);
      i = Skip(Skip(end + 1) + 1);  // past ':'
      it->second.emplace_back(std::move(key), i);
      i = Skip(ValueEnd(i));
      if (i < text_.size() && text_[i] == ',') i = Skip(i + 1);
    }
    return it->second;
  }

  // The key of the string from `open` to `close` (its quotes), escapes decoded.
  std::string Decoded(size_t open, size_t close) const {
    std::string_view raw = text_.substr(open, close - open + 1);
    if (raw.find('\\') == std::string_view::npos) return std::string(raw.substr(1, raw.size() - 2));
    nlohmann::json j = nlohmann::json::parse(raw, nullptr, /*allow_exceptions=*/false);
    return j.is_string() ? j.get<std::string>() : std::string(raw);
  }

  // Past whitespace (and, at the start, a UTF-8 byte order mark, which the parser skips too).
  size_t Skip(size_t i) const {
    if (i == 0 && text_.starts_with("\xEF\xBB\xBF")) i = 3;
    while (i < text_.size() && std::strchr(" \t\r\n", text_[i]) && text_[i] != '\0') ++i;
    return i;
  }

  size_t StringEnd(size_t open) const {
    size_t i = open + 1;
    while (i < text_.size() && text_[i] != '"') i += text_[i] == '\\' ? 2 : 1;
    return i;
  }

  // Just past the value that begins at `i`.
  size_t ValueEnd(size_t i) const {
    if (i >= text_.size()) return i;
    if (text_[i] == '"') return StringEnd(i) + 1;
    if (text_[i] == '[' || text_[i] == '{') {
      size_t depth = 0;
      for (; i < text_.size(); ++i) {
        char c = text_[i];
        if (c == '"')
          i = StringEnd(i);
        else if (c == '[' || c == '{')
          ++depth;
        else if ((c == ']' || c == '}') && --depth == 0)
          return i + 1;
      }
      return i;
    }
    while (i < text_.size() && !std::strchr(",]} \t\r\n", text_[i])) ++i;  // a number, true, ...
    return i;
  }

  SourceLoc LocOf(size_t at) {
    Mark m = marks_[std::min(at / kStride, marks_.size() - 1)];
    for (size_t i = m.offset; i < at; ++i) {
      if (text_[i] == '\n') {
        ++m.line;
        m.line_start = i + 1;
      }
      if ((i + 1) % kStride == 0 && (i + 1) / kStride == marks_.size())
        marks_.push_back({i + 1, m.line, m.line_start});
    }
    return {filename_, m.line, static_cast<int>(at - m.line_start) + 1};
  }

  struct Mark {
    size_t offset;
    int line;
    size_t line_start;
  };

  std::string_view text_;
  std::string filename_;
  std::unordered_map<size_t, std::vector<size_t>> elements_;
  std::unordered_map<size_t, std::vector<std::pair<std::string, size_t>>> members_;
  std::vector<Mark> marks_{{0, 1, 0}};  // at every kStride bytes counted so far
};

}  // namespace

std::string JsonPointerToken(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~')
      out += "~0";
    else if (c == '/')
      out += "~1";
    else
      out += c;
  }
  return out;
}

std::string JsonPointerName(std::string_view pointer) {
  std::string out;
  for (const std::string& token : PointerTokens(pointer)) {
    if (!token.empty() && token.find_first_not_of("0123456789") == std::string::npos) {
      out += fmt::format("[{}]", token);
    } else {
      if (!out.empty()) out += '.';
      out += token;
    }
  }
  return out;
}

JsonLocator LocateInJson(std::string_view text, const std::string& filename) {
  auto positions = std::make_shared<JsonPositions>(text, filename);
  return [positions](std::string_view pointer) { return positions->Locate(pointer); };
}

JsonLocator LocatorOf(JsonLocations locations, const std::string& filename) {
  auto where = std::make_shared<const JsonLocations>(std::move(locations));
  return [where, filename](std::string_view pointer) {
    std::string p(pointer);
    for (;;) {
      if (auto it = where->find(p); it != where->end()) return it->second;
      size_t slash = p.rfind('/');
      if (slash == std::string::npos) return SourceLoc{filename, 0, 0};
      p.erase(slash);
    }
  };
}

}  // namespace sysgate::formats
