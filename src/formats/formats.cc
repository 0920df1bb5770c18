// Format names, detection by content, and the dispatch to each reader and writer.
#include <algorithm>

#include <fmt/format.h>

#include "base/files.h"
#include "base/strings.h"
#include "formats/registry.h"
#include "lang/parser.h"

namespace sysgate::formats {
namespace {

struct FormatEntry {
  Format format;
  std::string_view name;
  bool writable;
};

constexpr FormatEntry kFormats[] = {
    {Format::kSysgate, "sysgate", true}, {Format::kOci, "oci", true},
    {Format::kSystemd, "systemd", true}, {Format::kMinijail, "minijail", false},
    {Format::kKafel, "kafel", false},    {Format::kFirecracker, "firecracker", true},
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
  static_cast<ParsedPolicy&>(out) = std::move(p);
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
  if (text.starts_with("\xEF\xBB\xBF"))
    text.remove_prefix(3);  // a byte order mark, as the parser skips
  return base::Trim(text).starts_with('{');
}

const std::vector<std::string_view>& CapabilityNames() {
  // linux/capability.h, numbers 0..40 (Linux 5.9 and later).
  static const std::vector<std::string_view> kNames = {"CAP_CHOWN",
                                                       "CAP_DAC_OVERRIDE",
                                                       "CAP_DAC_READ_SEARCH",
                                                       "CAP_FOWNER",
                                                       "CAP_FSETID",
                                                       "CAP_KILL",
                                                       "CAP_SETGID",
                                                       "CAP_SETUID",
                                                       "CAP_SETPCAP",
                                                       "CAP_LINUX_IMMUTABLE",
                                                       "CAP_NET_BIND_SERVICE",
                                                       "CAP_NET_BROADCAST",
                                                       "CAP_NET_ADMIN",
                                                       "CAP_NET_RAW",
                                                       "CAP_IPC_LOCK",
                                                       "CAP_IPC_OWNER",
                                                       "CAP_SYS_MODULE",
                                                       "CAP_SYS_RAWIO",
                                                       "CAP_SYS_CHROOT",
                                                       "CAP_SYS_PTRACE",
                                                       "CAP_SYS_PACCT",
                                                       "CAP_SYS_ADMIN",
                                                       "CAP_SYS_BOOT",
                                                       "CAP_SYS_NICE",
                                                       "CAP_SYS_RESOURCE",
                                                       "CAP_SYS_TIME",
                                                       "CAP_SYS_TTY_CONFIG",
                                                       "CAP_MKNOD",
                                                       "CAP_LEASE",
                                                       "CAP_AUDIT_WRITE",
                                                       "CAP_AUDIT_CONTROL",
                                                       "CAP_SETFCAP",
                                                       "CAP_MAC_OVERRIDE",
                                                       "CAP_MAC_ADMIN",
                                                       "CAP_SYSLOG",
                                                       "CAP_WAKE_ALARM",
                                                       "CAP_BLOCK_SUSPEND",
                                                       "CAP_AUDIT_READ",
                                                       "CAP_PERFMON",
                                                       "CAP_BPF",
                                                       "CAP_CHECKPOINT_RESTORE"};
  return kNames;
}

std::optional<std::pair<int, int>> ParseKernelVersion(std::string_view text) {
  auto number = [&](int& out) {
    size_t n = 0;
    out = 0;
    while (n < text.size() && n < 6 && text[n] >= '0' && text[n] <= '9')
      out = out * 10 + (text[n++] - '0');
    text.remove_prefix(n);
    return n > 0 && (text.empty() || text[0] < '0' || text[0] > '9');
  };
  std::pair<int, int> v{0, 0};
  if (!number(v.first)) return std::nullopt;
  if (text.starts_with('.') && text.size() > 1 && text[1] >= '0' && text[1] <= '9') {
    text.remove_prefix(1);
    if (!number(v.second)) return std::nullopt;
  }
  if (!text.empty() && text[0] != '.' && text[0] != '-' && text[0] != '+') return std::nullopt;
  return v;
}

Format DetectFormat(std::string_view text, std::string_view path) {
  if (LooksLikeJson(text)) {
    // Firecracker's top level maps thread names to {default_action, filter_action, filter}.
    if (text.find("\"filter_action\"") != text.npos &&
        text.find("\"defaultAction\"") == text.npos) {
      return Format::kFirecracker;
    }
    return Format::kOci;
  }
  // Kubernetes objects (a typo in `kind:` included: the SPO reader then names what it found).
  if (text.find("kind: SeccompProfile") != text.npos ||
      text.find("security-profiles-operator.x-k8s.io") != text.npos ||
      HasLineStarting(text, "apiVersion:") || HasLineStarting(text, "kind:") ||
      path.ends_with(".yaml") || path.ends_with(".yml")) {
    return Format::kSpo;
  }
  if (HasLineStarting(text, "SystemCallFilter=") ||
      HasLineStarting(text, "SystemCallArchitectures=") ||
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

namespace {

Imported ImportAs(std::string_view text, Format format, const ImportOptions& o) {
  if (!o.section.empty() && format != Format::kFirecracker && format != Format::kSpo) {
    Imported out;
    out.diagnostics.push_back({Severity::kError, SourceLoc{o.filename, 0, 0},
                               fmt::format("a {} policy has no sections: --section names a "
                                           "Firecracker thread category or an SPO profile",
                                           FormatName(format)),
                               1});
    return out;
  }
  switch (format) {
    case Format::kSysgate: {
      ParseOptions po;
      po.include_dirs = o.include_dirs;
      po.max_include_depth = o.max_include_depth;
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

}  // namespace

Imported Import(std::string_view text, Format format, const ImportOptions& o) {
  Imported out = ImportAs(text, format, o);
  out.format = format;
  return out;
}

Imported ImportFile(const std::string& path, std::optional<Format> format, ImportOptions o) {
  // "-" is standard input (a pipe, a socket or a redirected file; a terminal is refused).
  const std::string name = path == "-" ? "<stdin>" : path;
  Result<std::string> read = path == "-" ? base::ReadStdin() : base::ReadFile(path);
  if (!read) {
    read.error().loc.file = name;
    Imported out;
    out.diagnostics.push_back(lang::UnreadableFile(read.error()));
    return out;
  }
  std::string text = std::move(*read);
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) {
    // Read as a policy of no rules, it would fail every call: almost always the wrong file.
    Imported out;
    out.diagnostics.push_back(
        {Severity::kError, SourceLoc{name, 0, 0}, "the file is empty: there is no policy in it"});
    return out;
  }
  Format f = format.value_or(DetectFormat(text, name));
  o.filename = name;
  Imported out = Import(text, f, o);
  out.sources.emplace(name, std::move(text));
  return out;
}

Exported ExportAs(const Policy& policy, Format format, const ExportOptions& o);

Exported Export(const Policy& policy, Format format, const ExportOptions& o) {
  Exported e = ExportAs(policy, format, o);
  if (e.text && !e.means) e.means = policy;
  // Only sysgate's language says what calls of ABIs the policy does not target get (`foreign`,
  // which decompile writes for libseccomp's filters): the other formats' files are read back
  // with the default.
  if (e.means && format != Format::kSysgate &&
      (!e.means->access.empty() || e.means->access.best_effort)) {
    const bool refuse = o.strict;
    e.diagnostics.push_back(
        {refuse ? Severity::kError : Severity::kWarning, policy.access.loc,
         fmt::format("{} cannot say which files and ports the program may reach "
                     "(fs, net and scope rules, enforced by Landlock): {}",
                     FormatName(format),
                     refuse ? "refused (--strict-access)" : "the written file has none of them"),
         1});
    if (refuse) return Exported{std::nullopt, std::move(e.diagnostics), std::nullopt};
    e.means->access = {};
  }
  const Action read_back = Policy{}.foreign_abi_action;
  if (e.means && format != Format::kSysgate && e.means->foreign_abi_action != read_back) {
    e.diagnostics.push_back({Severity::kWarning,
                             {},
                             fmt::format("{} cannot say what calls of other ABIs get (foreign {}): "
                                         "the written file gives them {}",
                                         FormatName(format), e.means->foreign_abi_action.ToString(),
                                         read_back.ToString()),
                             1});
    e.means->foreign_abi_action = read_back;
  }
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
  e.diagnostics.push_back(
      {Severity::kError,
       {},
       fmt::format("sysgate reads {} policies but does not write them (writable: {})",
                   FormatName(format), FormatNames(true)),
       1});
  return e;
}

}  // namespace sysgate::formats
