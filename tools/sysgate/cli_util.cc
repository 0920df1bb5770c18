#include "cli_util.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

#include "base/strings.h"
#include "sysgate/formats.h"

namespace sysgate::cli {

void PrintError(const std::string& message) { std::cerr << "sysgate: " << message << "\n"; }

bool ColorStderr() { return isatty(STDERR_FILENO) && std::getenv("NO_COLOR") == nullptr; }

std::optional<Arch> ParseArchOption(const std::string& name) {
  if (name == "native") return HostArch();
  if (auto a = ArchFromName(name)) return a;
  PrintError(UnknownArchMessage(name));
  return std::nullopt;
}

bool OverrideArches(Policy& policy, const std::vector<std::string>& names) {
  if (names.empty()) return true;
  policy.arches.clear();
  for (const std::string& n : names) {
    auto arch = ParseArchOption(n);
    if (!arch) return false;
    policy.arches.push_back(*arch);
  }
  return true;
}

ParsedPolicy LoadAndReport(const std::string& path, const std::vector<std::string>& include_dirs,
                           bool quiet_warnings) {
  ParseOptions opts;
  opts.include_dirs = include_dirs;
  // OCI / Docker / Podman JSON is resolved for this host (no capabilities, running kernel).
  ParsedPolicy r = formats::ParseAnyPolicyFile(path, opts);
  std::vector<Diagnostic> shown;
  for (const Diagnostic& d : r.diagnostics) {
    if (!quiet_warnings || d.severity == Severity::kError) shown.push_back(d);
  }
  std::cerr << RenderDiagnostics(shown, r.sources, ColorStderr());
  return r;
}

}  // namespace sysgate::cli
