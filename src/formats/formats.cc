// Format names, detection by content, and the dispatch to each reader and writer.
#include <algorithm>

#include <fmt/format.h>

#include "base/files.h"
#include "base/strings.h"
#include "formats/registry.h"

namespace sysgate::formats {
namespace {

struct FormatEntry {
  Format format;
  std::string_view name;
  bool writable;
};

constexpr FormatEntry kFormats[] = {
    {Format::kSysgate, "sysgate", true},   {Format::kOci, "oci", true},
    {Format::kSystemd, "systemd", true},   {Format::kMinijail, "minijail", false},
    {Format::kKafel, "kafel", false},      {Format::kFirecracker, "firecracker", true},
    {Format::kSpo, "spo", true},
};

bool HasLineStarting(std::string_view text, std::string_view prefix) {
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t end = text.find('\n', pos);
    std::string_view line = text.substr(pos, end == std::string_view::npos ? text.npos : end - pos);
    if (base::Trim(line).starts_with(prefix)) return true;
    if (end == std::string_view::npos) break;
    pos = end + 1;
  }
  return false;
}

Imported FromParsed(ParsedPolicy p) {
  Imported out;
  out.policy = std::move(p.policy);
  out.diagnostics = std::move(p.diagnostics);
  out.sources = std::move(p.sources);
  return out;
}

}  // namespace

std::string_view FormatName(Format f) {
  for (const FormatEntry& e : kFormats) {
    if (e.format == f) return e.name;
  }
  return "?";
}

std::optional<Format> FormatFromName(std::string_view name) {
  std::string n = base::ToLower(name);
  for (const FormatEntry& e : kFormats) {
    if (e.name == n) return e.format;
  }
  if (n == "docker" || n == "podman" || n == "json" || n == "runtime-spec") return Format::kOci;
  if (n == "text" || n == "sgp" || n == "native") return Format::kSysgate;
  if (n == "k8s" || n == "kubernetes" || n == "yaml" || n == "seccompprofile") return Format::kSpo;
  if (n == "nsjail") return Format::kKafel;
  return std::nullopt;
}

std::string FormatNames(bool writable_only) {
  std::vector<std::string_view> names;
  for (const FormatEntry& e : kFormats) {
    if (!writable_only || e.writable) names.push_back(e.name);
  }
  return fmt::format("{}", fmt::join(names, ", "));
}

bool CanWrite(Format f) {
  for (const FormatEntry& e : kFormats) {
    if (e.format == f) return e.writable;
  }
  return false;
}

bool LooksLikeJson(std::string_view text) {
  return base::Trim(text).starts_with('{');
}

Format DetectFormat(std::string_view text, std::string_view path) {
  if (LooksLikeJson(text)) {
    // Firecracker's top level maps thread names to {default_action, filter_action, filter}.
    if (text.find("\"filter_action\"") != text.npos && text.find("\"defaultAction\"") == text.npos) {
      return Format::kFirecracker;
    }
    return Format::kOci;
  }
  if (text.find("kind: SeccompProfile") != text.npos ||
      text.find("security-profiles-operator.x-k8s.io") != text.npos) {
    return Format::kSpo;
  }
  if (HasLineStarting(text, "SystemCallFilter=") || HasLineStarting(text, "SystemCallArchitectures=") ||
      HasLineStarting(text, "SystemCallErrorNumber=") || path.ends_with(".service")) {
    return Format::kSystemd;
  }
  if (HasLineStarting(text, "POLICY ") || HasLineStarting(text, "USE ") ||
      HasLineStarting(text, "DEFAULT ") || HasLineStarting(text, "#define ") ||
      path.ends_with(".kafel")) {
    return Format::kKafel;
  }
  // minijail: "name: action" lines, @include/@denylist directives.
  if (path.ends_with(".policy") || HasLineStarting(text, "@include ") ||
      HasLineStarting(text, "@denylist") || HasLineStarting(text, "@frequency ")) {
    return Format::kMinijail;
  }
  return Format::kSysgate;
}

Imported Finish(Policy p, Imported out) {
  auto zero = [](const Action& a) { return a == Action::Errno(0); };
  if (zero(p.default_action) || zero(p.unknown_action) ||
      std::ranges::any_of(p.rules, [&](const Rule& r) { return zero(r.action); })) {
    p.allow_errno_zero = true;
  }
  if (HasErrors(out.diagnostics)) return out;
  std::vector<Diagnostic> v = ResolveAndValidate(p);
  out.diagnostics.insert(out.diagnostics.end(), v.begin(), v.end());
  if (!HasErrors(out.diagnostics)) out.policy = std::move(p);
  return out;
}

Policy WithoutTrapData(Policy p) {
  auto fix = [](Action& a) {
    if (a.kind() == ActionKind::kTrap) a = Action::Trap(0);
  };
  fix(p.default_action);
  fix(p.unknown_action);
  for (Rule& r : p.rules) fix(r.action);
  return p;
}

Arch TargetArch(const ImportOptions& o) { return o.arch.value_or(HostArch()); }

Diagnostic UnknownSyscallDiagnostic(const ImportOptions& o, const SourceLoc& loc,
                                    std::string_view name, std::string_view what_happens) {
  std::string msg = UnknownSyscallMessage(name);
  if (!o.strict) msg += fmt::format("; {}", what_happens);
  return {o.strict ? Severity::kError : Severity::kWarning, loc, msg,
          static_cast<int>(std::max<size_t>(1, name.size()))};
}

Imported Import(std::string_view text, Format format, const ImportOptions& o) {
  switch (format) {
    case Format::kSysgate: {
      ParseOptions po;
      po.include_dirs = o.include_dirs;
      po.constants = o.constants;
      return FromParsed(ParsePolicyText(text, o.filename, po));
    }
    case Format::kOci: return ImportOci(text, o);
    case Format::kSystemd: return ImportSystemd(text, o);
    case Format::kMinijail: return ImportMinijail(text, o);
    case Format::kKafel: return ImportKafel(text, o);
    case Format::kFirecracker: return ImportFirecracker(text, o);
    case Format::kSpo: return ImportSpo(text, o);
  }
  return {};
}

Imported ImportFile(const std::string& path, std::optional<Format> format, ImportOptions o) {
  std::optional<std::string> read = base::ReadFile(path);
  if (!read) {
    Imported out;
    out.diagnostics.push_back({Severity::kError, SourceLoc{path, 0, 0}, "cannot open the policy file", 1});
    return out;
  }
  std::string text = std::move(*read);
  Format f = format.value_or(DetectFormat(text, path));
  o.filename = path;
  if (f == Format::kSysgate) {
    ParseOptions po;
    po.include_dirs = o.include_dirs;
    po.constants = o.constants;
    return FromParsed(ParsePolicyText(text, path, po));  // read once: path may be a pipe
  }
  Imported out = Import(text, f, o);
  out.sources.emplace(path, std::move(text));
  return out;
}

Exported ExportAs(const Policy& policy, Format format, const ExportOptions& o);

ParsedPolicy ParseAnyPolicyFile(const std::string& path, const ParseOptions& parse,
                                ImportOptions options, std::optional<Format> format) {
  for (const std::string& d : parse.include_dirs) options.include_dirs.push_back(d);
  for (const auto& [name, value] : parse.constants) options.constants[name] = value;
  Imported in = ImportFile(path, format, options);
  ParsedPolicy out;
  out.policy = std::move(in.policy);
  out.diagnostics = std::move(in.diagnostics);
  out.sources = std::move(in.sources);
  return out;
}

Exported Export(const Policy& policy, Format format, const ExportOptions& o) {
  Exported e = ExportAs(policy, format, o);
  if (e.text && !e.means) e.means = policy;
  return e;
}

Exported ExportAs(const Policy& policy, Format format, const ExportOptions& o) {
  switch (format) {
    case Format::kSysgate: return {PrintPolicy(policy), {}, policy};
    case Format::kOci: return ExportOci(policy, o);
    case Format::kSystemd: return ExportSystemd(policy, o);
    case Format::kFirecracker: return ExportFirecracker(policy, o);
    case Format::kSpo: return ExportSpo(policy, o);
    case Format::kMinijail:
    case Format::kKafel: break;
  }
  Exported e;
  e.diagnostics.push_back({Severity::kError, {}, fmt::format("sysgate reads {} policies but does not write them (writable: {})", FormatName(format), FormatNames(true)), 1});
  return e;
}

}  // namespace sysgate::formats
