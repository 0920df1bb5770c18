#include "cli_util.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include <fmt/format.h>

#include "base/files.h"
#include "base/strings.h"
#include "sysgate/analysis.h"
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

bool LoadFrequencies(const std::string& path, std::map<std::string, double>& out) {
  std::optional<std::string> text = base::ReadFile(path);
  if (!text) {
    PrintError("cannot read " + path);
    return false;
  }
  auto f = analysis::ParseFrequencies(*text);
  if (!f) {
    PrintError(path + ": " + f.error().message);
    return false;
  }
  out = std::move(*f);
  return true;
}

void AddInputOptions(CLI::App* cmd, InputOptions& o, const std::string& format_flag) {
  cmd->add_option("-I,--include-dir", o.include_dirs, "Directory to search for includes")
      ->allow_extra_args(false);
  cmd->add_option(format_flag, o.format,
                  "Input format: " + formats::FormatNames(false) + " (default: detected)");
  cmd->add_option("--caps", o.caps, "Capabilities for Docker profiles' includes/excludes (CAP_SYS_ADMIN,...)")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--kernel", o.kernel, "Kernel version for Docker profiles' minKernel (default: running)");
  cmd->add_flag("--strict", o.strict, "Unknown syscall names are errors, not warnings");
  cmd->add_option("--section", o.section, "Part of the file: Firecracker thread category, SPO profile name");
  cmd->add_option("-D,--define", o.defines,
                  "NAME=VALUE: a constant the policy uses but its program gives when loading it (ROOT_FD=3)")
      ->allow_extra_args(false);
}

std::string DecidedBy(const Policy& policy, const Verdict& v) {
  switch (v.reason) {
    case Verdict::Reason::kRule: {
      const Rule& r = policy.rules[static_cast<size_t>(v.rule)];
      // Imported formats locate rules by file and JSON path, without a line.
      bool located = r.loc.known() || !r.loc.file.empty();
      return located ? fmt::format("rule {}", r.loc.ToString()) : fmt::format("rule {}", v.rule + 1);
    }
    case Verdict::Reason::kDefault: return "default action";
    case Verdict::Reason::kUnknown: return "unknown syscall number: the unknown action";
    case Verdict::Reason::kBadArch: return "arch not targeted by the policy";
  }
  return "";
}

std::optional<uint64_t> ParseValue(std::string_view text, Arch arch) {
  uint64_t value = 0;
  for (std::string_view part : base::Split(text, '|')) {
    if (auto v = base::ParseInteger(part)) {
      value |= *v;
    } else if (auto c = FindConstant(arch, part)) {
      value |= static_cast<uint64_t>(*c);
    } else {
      return std::nullopt;
    }
  }
  return value;
}

formats::Imported LoadAndReport(const std::string& path, const InputOptions& input,
                                bool quiet_warnings, const std::vector<std::string>& arches,
                                bool show_notes) {
  formats::ImportOptions o;
  o.include_dirs = input.include_dirs;
  o.strict = input.strict;
  o.section = input.section;
  for (const std::string& c : input.caps) {
    std::string up = base::ToUpper(c);
    o.caps.push_back(up.starts_with("CAP_") ? up : "CAP_" + up);
  }
  formats::Imported bad;
  auto fail = [&](std::string msg) {
    bad.diagnostics.push_back({Severity::kError, SourceLoc{path, 0, 0}, std::move(msg), 1});
    std::cerr << RenderDiagnostics(bad.diagnostics, {}, ColorStderr());
    return bad;
  };
  if (!input.kernel.empty()) {
    int major = 0, minor = 0;
    if (std::sscanf(input.kernel.c_str(), "%d.%d", &major, &minor) < 1) {
      return fail("--kernel: expected a version such as 5.15, not '" + input.kernel + "'");
    }
    o.kernel = std::pair(major, minor);
  }
  if (!arches.empty()) {  // an unknown name is reported when the command applies --arch
    o.arch = arches.front() == "native" ? std::optional(HostArch()) : ArchFromName(arches.front());
  }
  for (const std::string& d : input.defines) {
    size_t eq = d.find('=');
    std::string name = d.substr(0, eq);
    std::optional<uint64_t> value;
    if (eq != std::string::npos) value = ParseValue(std::string_view(d).substr(eq + 1));
    if (name.empty() || !value) return fail("--define: expected NAME=NUMBER, not '" + d + "'");
    o.constants[name] = *value;
  }
  std::optional<formats::Format> format;
  if (!input.format.empty()) {
    format = formats::FormatFromName(input.format);
    if (!format) {
      return fail("--format: unknown format '" + input.format + "' (" + formats::FormatNames(false) + ")");
    }
  }
  formats::Imported r = formats::ImportFile(path, format, o);
  std::vector<Diagnostic> shown;
  for (const Diagnostic& d : r.diagnostics) {
    if (d.severity == Severity::kNote && !show_notes) continue;
    if (!quiet_warnings || d.severity == Severity::kError) shown.push_back(d);
  }
  std::cerr << RenderDiagnostics(shown, r.sources, ColorStderr());
  return r;
}

}  // namespace sysgate::cli
