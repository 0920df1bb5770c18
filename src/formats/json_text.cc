#include "formats/json_text.h"

#include <cstring>
#include <memory>
#include <vector>

#include <fmt/format.h>

#include "base/strings.h"
#include "sysgate/limits.h"

namespace sysgate::formats {
namespace {

using json = nlohmann::json;

SourceLoc LocOf(std::string_view text, size_t byte, const std::string& filename) {
  SourceLoc loc{filename, 1, 1};
  for (size_t i = 0; i + 1 < byte && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++loc.line;
      loc.column = 1;
    } else {
      ++loc.column;
    }
  }
  return loc;
}

// Where the nesting of arrays and objects first goes deeper than the limit (a byte offset),
// found before parsing: what reads the document afterwards may recurse.
std::optional<size_t> TooDeep(std::string_view text) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limits::kMaxNesting) return i;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return std::nullopt;
}

// The library's reason, without its prefix ("[json.exception.parse_error.101] parse error at
// line 1, column 2: ") and without its echo of the input ("; last read: '...'"): the location
// says where.
std::string PlainReason(const nlohmann::detail::exception& ex) {
  if (ex.id == 406) return "the number is too large";
  std::string m = ex.what();
  if (size_t p = m.find("] "); p != std::string::npos) m = m.substr(p + 2);
  if (m.starts_with("parse error")) {
    if (size_t p = m.find(": "); p != std::string::npos) m = m.substr(p + 2);
  }
  if (size_t p = m.find("; last read: "); p != std::string::npos) {
    size_t q = m.find("; expected ", p);
    m = m.substr(0, p) + (q == std::string::npos ? "" : m.substr(q));
  }
  return m;
}

// The library's document builder, keeping where and why parsing failed.
class LocatingParser : public nlohmann::detail::json_sax_dom_parser<json> {
 public:
  explicit LocatingParser(json& out) : json_sax_dom_parser(out, /*allow_exceptions=*/false) {}

  template <class Exception>
  bool parse_error(size_t position, const std::string& last_token, const Exception& ex) {
    // A number too large is shown from its first digit; other errors where reading stopped.
    position_ = ex.id == 406 && last_token.size() <= position ? position + 1 - last_token.size() : position;
    reason_ = PlainReason(ex);
    return false;
  }

  size_t position_ = 0;
  std::optional<std::string> reason_;
};

}  // namespace

std::optional<Diagnostic> ParseJson(std::string_view text, const std::string& filename, json& out) {
  if (std::optional<size_t> at = TooDeep(text)) {
    return Diagnostic{Severity::kError, LocOf(text, *at + 1, filename),
                      fmt::format("arrays and objects nest deeper than {} levels, sysgate's "
                                  "nesting limit (docs/limits.md)",
                                  limits::kMaxNesting),
                      1};
  }
  LocatingParser parser(out);
  bool ok = json::sax_parse(text, &parser);
  if (ok && !parser.reason_) return std::nullopt;
  out = json();
  return Diagnostic{Severity::kError, LocOf(text, parser.position_, filename),
                    "not valid JSON: " + parser.reason_.value_or("cannot be read"), 1};
}

namespace {

// Where the values of a valid JSON text begin, by JSON pointer, down to kDepth levels: one pass
// that follows only the structure.
class JsonScanner {
 public:
  static constexpr size_t kDepth = 8;

  JsonScanner(std::string_view text, const std::string& filename) : text_(text), filename_(filename) {}

  JsonLocations Scan() {
    std::vector<Frame> frames;
    std::string path;
    size_t deeper = 0;  // levels below kDepth, followed but not recorded
    bool want_key = false;
    for (size_t i = 0; i < text_.size(); ++i) {
      char c = text_[i];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ':') continue;
      if (c == ',') {
        if (deeper || frames.empty()) continue;
        Frame& f = frames.back();
        path.resize(f.path_size);
        if (f.array) path += "/" + std::to_string(++f.index);
        else want_key = true;
        continue;
      }
      if (c == ']' || c == '}') {
        want_key = false;  // an empty object
        if (deeper) {
          --deeper;
        } else if (!frames.empty()) {
          path.resize(frames.back().path_size);
          frames.pop_back();
        }
        continue;
      }
      if (want_key) {  // "key": the value that follows is at path/key
        size_t end = StringEnd(i);
        path += "/" + JsonPointerToken(text_.substr(i + 1, end - i - 1));
        i = end;
        want_key = false;
        continue;
      }
      if (!deeper) found_.emplace(path, At(i));
      if (c == '{' || c == '[') {
        if (deeper || frames.size() >= kDepth) {
          ++deeper;
          continue;
        }
        frames.push_back(Frame{c == '[', 0, path.size()});
        if (c == '[') path += "/0";
        else want_key = true;
        continue;
      }
      if (c == '"') {
        i = StringEnd(i);
        continue;
      }
      while (i + 1 < text_.size() && !std::strchr(",]} \t\r\n", text_[i + 1])) ++i;  // a number, true, ...
    }
    return std::move(found_);
  }

 private:
  struct Frame {
    bool array;
    size_t index = 0;
    size_t path_size;  // the container's own pointer length
  };

  // The index of the quote that closes the string opened at `open`.
  size_t StringEnd(size_t open) const {
    size_t i = open + 1;
    while (i < text_.size() && text_[i] != '"') i += text_[i] == '\\' ? 2 : 1;
    return i;
  }

  // The location of byte `at`; the scan moves forward, so lines are counted once.
  SourceLoc At(size_t at) {
    for (; counted_ < at; ++counted_) {
      if (text_[counted_] == '\n') {
        ++line_;
        line_start_ = counted_ + 1;
      }
    }
    return SourceLoc{filename_, line_, static_cast<int>(at - line_start_) + 1};
  }

  std::string_view text_;
  const std::string& filename_;
  JsonLocations found_;
  size_t counted_ = 0, line_start_ = 0;
  int line_ = 1;
};

}  // namespace

std::string JsonPointerToken(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

std::string JsonPointerName(std::string_view pointer) {
  std::string out;
  if (pointer.empty()) return out;
  for (std::string_view token : base::Split(pointer.substr(1), '/')) {
    bool index = !token.empty() && token.find_first_not_of("0123456789") == std::string_view::npos;
    if (index) {
      out += fmt::format("[{}]", token);
      continue;
    }
    if (!out.empty()) out += '.';
    for (size_t i = 0; i < token.size(); ++i) {  // RFC 6901's escapes undone
      if (token[i] == '~' && i + 1 < token.size()) out += token[++i] == '1' ? '/' : '~';
      else out += token[i];
    }
  }
  return out;
}

JsonLocator LocatorOf(JsonLocations locations, const std::string& filename) {
  auto where = std::make_shared<const JsonLocations>(std::move(locations));
  return [where, filename](std::string_view pointer) {
    std::string p(pointer);
    for (;;) {
      if (auto it = where->find(p); it != where->end()) return it->second;
      if (p.empty()) return SourceLoc{filename, 0, 0};
      p.erase(p.rfind('/'));
    }
  };
}

JsonLocator LocateInJson(std::string_view text, const std::string& filename) {
  return LocatorOf(JsonScanner(text, filename).Scan(), filename);
}

std::string ShortJson(const json& j) {
  return base::Abbreviate(j.dump(-1, ' ', false, json::error_handler_t::replace), 60);
}

}  // namespace sysgate::formats
