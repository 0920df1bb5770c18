// Rendering diagnostics the way compilers do: location, severity, message, the source line and
// a caret under the spot. Within sysgate's limits: at most limits::kMaxDiagnostics are shown,
// long lines around the column, long words in messages abbreviated.
#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "base/strings.h"
#include "sysgate/limits.h"
#include "sysgate/policy_text.h"

namespace sysgate {
namespace {

// Finds lines of one source, scanning on from the last line asked for (diagnostics come
// mostly in source order, so rendering them all reads each source about once).
class LineFinder {
 public:
  explicit LineFinder(const std::string& text) : text_(text) {}

  std::string_view Line(int line) {
    if (line < line_) {
      line_ = 1;
      pos_ = 0;
    }
    while (line_ < line) {
      size_t nl = text_.find('\n', pos_);
      if (nl == std::string::npos) return {};
      pos_ = nl + 1;
      ++line_;
    }
    size_t end = text_.find('\n', pos_);
    return std::string_view(text_).substr(pos_,
                                          (end == std::string::npos ? text_.size() : end) - pos_);
  }

 private:
  const std::string& text_;
  int line_ = 1;
  size_t pos_ = 0;
};

}  // namespace

std::string RenderDiagnostics(const std::vector<Diagnostic>& diags,
                              const std::map<std::string, std::string>& sources, bool color) {
  auto paint = [&](std::string_view code, std::string_view s) {
    return color ? fmt::format("\x1b[{}m{}\x1b[0m", code, s) : std::string(s);
  };
  std::map<std::string, LineFinder> finders;
  std::string out;
  size_t shown_count = 0;
  std::map<Severity, size_t> hidden;
  for (const Diagnostic& d : diags) {
    if (shown_count == limits::kMaxDiagnostics) {
      ++hidden[d.severity];
      continue;
    }
    ++shown_count;
    std::string where = base::Printable(d.loc.ToString());
    std::string_view sev = SeverityName(d.severity);
    std::string_view sev_color = d.severity == Severity::kError     ? "1;31"
                                 : d.severity == Severity::kWarning ? "1;35"
                                                                    : "1;36";
    out += fmt::format("{}{}: {}\n", where.empty() ? "" : paint("1", where + ": "),
                       paint(sev_color, sev), base::DisplayMessage(d.message));
    auto src = sources.find(d.loc.file);
    if (src == sources.end() || d.loc.line <= 0) continue;
    std::string_view line =
        finders.try_emplace(d.loc.file, src->second).first->second.Line(d.loc.line);
    // A long line is shown around the column.
    size_t col = static_cast<size_t>(std::max(d.loc.column, 1));
    size_t first = 0, full = line.size();
    if (line.size() > limits::kMaxShownLineLength) {
      size_t half = limits::kMaxShownLineLength / 2;
      first = col > half ? std::min(col - half, line.size() - limits::kMaxShownLineLength) : 0;
      line = line.substr(first, limits::kMaxShownLineLength);
    }
    // Tabs and control characters would misplace the caret: show them as spaces.
    std::string shown(line);
    for (char& c : shown) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = ' ';
    }
    std::string_view before = first > 0 ? "..." : "";
    std::string_view after = first + line.size() < full ? "..." : "";
    out += fmt::format("{:>5} | {}{}{}\n", d.loc.line, before, shown, after);
    size_t caret = col - first;  // 1-based within what is shown
    int len = std::max(
        1, std::min<int>(d.length, static_cast<int>(shown.size()) - static_cast<int>(caret) + 1));
    out += fmt::format("      | {}{}\n", std::string(before.size() + caret - 1, ' '),
                       paint(sev_color, "^" + std::string(static_cast<size_t>(len - 1), '~')));
  }
  if (!hidden.empty()) {
    std::vector<std::string> parts;
    for (const auto& [sev, n] : hidden)
      parts.push_back(fmt::format("{} {}{}", n, SeverityName(sev), n == 1 ? "" : "s"));
    out += fmt::format("{} more not shown (sysgate shows {} diagnostics; docs/limits.md)\n",
                       fmt::join(parts, ", "), limits::kMaxDiagnostics);
  }
  return out;
}

std::string ParsedPolicy::RenderDiagnostics(bool color) const {
  return sysgate::RenderDiagnostics(diagnostics, sources, color);
}

Error ParsedPolicy::FirstError() const {
  Error e = sysgate::FirstError(diagnostics);
  return e;
}

}  // namespace sysgate
