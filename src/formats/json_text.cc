#include "formats/json_text.h"

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
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
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
    position_ =
        ex.id == 406 && last_token.size() <= position ? position + 1 - last_token.size() : position;
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

std::string ShortJson(const json& j) {
  return base::Abbreviate(j.dump(-1, ' ', false, json::error_handler_t::replace), 60);
}

}  // namespace sysgate::formats
