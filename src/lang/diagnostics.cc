// Rendering diagnostics the way compilers do: location, severity, message, the source line and
// a caret under the spot.
#include <algorithm>
#include <sstream>

#include <fmt/format.h>

#include "sysgate/policy_text.h"

namespace sysgate {
namespace {

std::string_view Line(const std::string& text, int line) {
  size_t pos = 0;
  for (int i = 1; i < line; ++i) {
    pos = text.find('\n', pos);
    if (pos == std::string::npos) return {};
    ++pos;
  }
  size_t end = text.find('\n', pos);
  std::string_view v(text);
  return v.substr(pos, (end == std::string::npos ? text.size() : end) - pos);
}

}  // namespace

std::string RenderDiagnostics(const std::vector<Diagnostic>& diags,
                              const std::map<std::string, std::string>& sources, bool color) {
  auto paint = [&](std::string_view code, std::string_view s) {
    return color ? fmt::format("\x1b[{}m{}\x1b[0m", code, s) : std::string(s);
  };
  std::string out;
  for (const Diagnostic& d : diags) {
    std::string where = d.loc.ToString();
    std::string_view sev = SeverityName(d.severity);
    std::string_view sev_color = d.severity == Severity::kError     ? "1;31"
                                 : d.severity == Severity::kWarning ? "1;35"
                                                                    : "1;36";
    out += fmt::format("{}{}: {}\n", where.empty() ? "" : paint("1", where + ": "),
                       paint(sev_color, sev), d.message);
    auto src = sources.find(d.loc.file);
    if (src == sources.end() || d.loc.line <= 0) continue;
    std::string_view line = Line(src->second, d.loc.line);
    // Tabs and control characters would misplace the caret: show them as spaces.
    std::string shown(line);
    for (char& c : shown) {
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = ' ';
    }
    out += fmt::format("{:>5} | {}\n", d.loc.line, shown);
    int col = std::max(d.loc.column, 1);
    int len = std::max(1, std::min<int>(d.length, static_cast<int>(shown.size()) - col + 1));
    out += fmt::format("      | {}{}\n", std::string(static_cast<size_t>(col - 1), ' '),
                       paint(sev_color, "^" + std::string(static_cast<size_t>(len - 1), '~')));
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
