#include "cli_util.h"

#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

#include <fmt/format.h>

#include "base/strings.h"
#include "sysgate/formats.h"

namespace sysgate::cli {

void PrintError(const std::string& message) { std::cerr << "sysgate: " << message << "\n"; }

bool ColorStderr() { return isatty(STDERR_FILENO) && std::getenv("NO_COLOR") == nullptr; }

std::optional<Arch> ParseArchOption(const std::string& name) {
  if (name == "native") return HostArch();
  if (auto a = ArchFromName(name)) return a;
  std::vector<std::string_view> names;
  for (Arch a : AllArches()) {
    for (std::string_view n : ArchAliases(a)) names.push_back(n);
  }
  std::string msg = fmt::format("unknown arch '{}'", name);
  if (auto m = base::ClosestMatch(name, names)) msg += fmt::format("; did you mean '{}'?", *m);
  PrintError(msg);
  return std::nullopt;
}

ParsedPolicy LoadAndReport(const std::string& path, const std::vector<std::string>& include_dirs,
                           bool quiet_warnings) {
  ParseOptions opts;
  opts.include_dirs = include_dirs;
  ParsedPolicy r;
  std::ifstream in(path, std::ios::binary);
  std::stringstream buf;
  if (in) buf << in.rdbuf();
  if (in && formats::LooksLikeJson(buf.str())) {
    // OCI / Docker / Podman JSON, resolved for this host (no capabilities, running kernel).
    formats::Imported imported = formats::ImportOci(buf.str(), {.filename = path});
    r.policy = std::move(imported.policy);
    r.diagnostics = std::move(imported.diagnostics);
  } else {
    r = ParsePolicyFile(path, opts);
  }
  std::vector<Diagnostic> shown;
  for (const Diagnostic& d : r.diagnostics) {
    if (!quiet_warnings || d.severity == Severity::kError) shown.push_back(d);
  }
  std::cerr << RenderDiagnostics(shown, r.sources, ColorStderr());
  return r;
}

}  // namespace sysgate::cli
