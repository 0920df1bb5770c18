#include "cli_util.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iostream>
#include <utility>

#include <fmt/format.h>

#include "base/files.h"
#include "base/strings.h"
#include "commands.h"
#include "sysgate/analysis.h"
#include "sysgate/formats.h"
#include "sysgate/policy.h"

namespace sysgate::cli {

// Every message says what the user gave it; a control character in that is shown, not sent.
void PrintError(const std::string& message) {
  std::cerr << "sysgate: " << base::Printable(message) << "\n";
}

std::optional<int> CheckCommandName(const CLI::App& app, std::string_view word) {
  if (word.starts_with("-")) return std::nullopt;
  std::vector<std::string_view> names;
  for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
    if (sub->get_name() == word) return std::nullopt;
    if (!sub->get_group().empty()) names.push_back(sub->get_name());  // hidden ones: no group
  }
  std::string msg = fmt::format("unknown command '{}'", base::Abbreviate(word));
  if (auto m = base::ClosestMatch(word, names)) msg += fmt::format("; did you mean '{}'?", *m);
  PrintError(msg + " (sysgate --help lists the commands)");
  return kExitUsage;
}

void UsageHint(const CLI::ParseError& e, const CLI::App& cmd, int argc, char** argv) {
  const bool takes_program = cmd.get_option_no_throw("command") != nullptr;
  const bool separated =
      std::any_of(argv, argv + argc, [](const char* a) { return std::string_view(a) == "--"; });
  if (takes_program && !separated && dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr) {
    std::cerr << fmt::format(
        "sysgate: hint: options after the program are its own: put -- before it "
        "(sysgate {} [OPTIONS] -- PROGRAM [ARG...])\n",
        cmd.get_name());
  }
}

bool ColorStderr() { return isatty(STDERR_FILENO) && std::getenv("NO_COLOR") == nullptr; }

std::string NoSyscallMessage(std::string_view name, Arch arch) {
  return IsSyscallName(name) ? fmt::format("{} does not exist on {}", name, Info(arch).name)
                             : UnknownSyscallMessage(name);
}

std::optional<Arch> ParseArchOption(const std::string& name) {
  if (name == "native") return HostArch();
  if (auto a = ArchFromName(name)) return a;
  PrintError(UnknownArchMessage(name));
  return std::nullopt;
}

std::optional<Arch> ArchOrHost(const std::string& name) {
  if (name.empty()) return HostArch();
  return ParseArchOption(name);
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

bool ValidForNewArches(Policy& policy, const std::map<std::string, std::string>& sources,
                       bool quiet) {
  // Names none of the new targets has are left out (a policy for several ABIs names some that
  // only one has); a rule left with no syscall goes.
  std::vector<Arch> targets = policy.TargetArches();
  std::vector<std::string> gone;
  for (Rule& r : policy.rules) {
    std::erase_if(r.syscalls, [&](const SyscallSpec& s) {
      if (s.kind != SyscallSpec::Kind::kName || !IsSyscallName(s.name)) return false;
      bool somewhere = std::ranges::any_of(targets, [&](Arch a) {
        return policy::RuleAppliesTo(r, a) && SyscallNumber(a, s.name).has_value();
      });
      if (!somewhere && std::ranges::find(gone, s.name) == gone.end()) gone.push_back(s.name);
      return !somewhere;
    });
  }
  std::erase_if(policy.rules, [](const Rule& r) { return r.syscalls.empty(); });
  if (!gone.empty() && !quiet) {
    std::vector<std::string_view> names;
    for (Arch a : targets) names.push_back(Info(a).name);
    std::cerr << fmt::format(
        "sysgate: warning: left out {} syscall{} that {} not exist on {}: {}\n", gone.size(),
        gone.size() == 1 ? "" : "s", gone.size() == 1 ? "does" : "do", fmt::join(names, ", "),
        base::Abbreviate(fmt::format("{}", fmt::join(gone, ", ")), 200));
  }
  return ResolveOrReport(policy, sources);
}

bool ResolveOrReport(Policy& policy, const std::map<std::string, std::string>& sources) {
  std::vector<Diagnostic> errors = ResolveAndValidate(policy);
  std::erase_if(errors, [](const Diagnostic& d) { return d.severity != Severity::kError; });
  if (errors.empty()) return true;
  std::cerr << RenderDiagnostics(errors, sources, ColorStderr());
  return false;
}

bool LoadFrequencies(const std::string& path, std::map<std::string, double>& out) {
  Result<std::string> text = base::ReadFile(path);
  if (!text) {
    PrintError(text.error().ToString());
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
  cmd->add_option("--caps", o.caps,
                  "Capabilities for Docker profiles' includes/excludes (CAP_SYS_ADMIN,...)")
      ->delimiter(',')
      ->allow_extra_args(false);
  cmd->add_option("--kernel", o.kernel,
                  "Kernel version for Docker profiles' minKernel (default: running)");
  cmd->add_flag("--strict-names", o.strict, "Unknown syscall names are errors, not warnings");
  cmd->add_flag("--strict", o.old_strict, "Deprecated: --strict-names")->group("");
  cmd->add_option("--section", o.section,
                  "Part of the file: Firecracker thread category, SPO profile name");
  cmd->add_option(
         "-D,--define", o.defines,
         "NAME=VALUE: a constant the policy uses but its program gives when loading it (ROOT_FD=3)")
      ->allow_extra_args(false);
  // Bad values are usage errors (exit 2), found before the command runs.
  cmd->parse_complete_callback([&o] {
    if (o.old_strict) {
      std::cerr << "sysgate: warning: --strict is deprecated: say --strict-names (unknown syscall "
                   "names are errors)\n";
      o.strict = true;
    }
    if (Result<CheckedInput> c = CheckInputOptions(o); !c)
      throw CLI::ValidationError(c.error().message);
  });
}

std::string DecidedBy(const Policy& policy, const Verdict& v) {
  switch (v.reason) {
    case Verdict::Reason::kRule: {
      const Rule& r = policy.rules[static_cast<size_t>(v.rule)];
      // Imported formats locate rules by file and JSON path, without a line.
      bool located = r.loc.known() || !r.loc.file.empty();
      return located ? fmt::format("rule {}", r.loc.ToString())
                     : fmt::format("rule {}", v.rule + 1);
    }
    case Verdict::Reason::kDefault: return "default action";
    case Verdict::Reason::kUnknown: return "unknown syscall number: the unknown action";
    case Verdict::Reason::kBadArch: return "arch not targeted by the policy";
  }
  return "";
}

std::string DecidingGroup(const Policy& policy, const Verdict& v, std::string_view syscall) {
  if (v.reason != Verdict::Reason::kRule) return "";
  const SyscallSpec* s = policy::SpecNaming(policy.rules[static_cast<size_t>(v.rule)], syscall);
  return s && s->kind == SyscallSpec::Kind::kGroup ? s->name : "";
}

std::string RuleText(const std::string& rule, const std::string& group) {
  return group.empty() ? rule : fmt::format("{} ({})", rule, group);
}

CallNames NamesOf(const SeccompData& d) {
  auto abi = ArchFromAudit(d.arch, d.nr);
  auto name = abi ? SyscallName(*abi, d.nr) : std::nullopt;
  return {abi ? std::string(Info(*abi).name) : fmt::format("arch {:#x}", d.arch),
          name ? std::string(*name) : fmt::format("#{}", d.nr), name.has_value()};
}

bool IsDefineName(std::string_view name) {
  auto letter = [](char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; };
  return !name.empty() && letter(name[0]) && std::ranges::all_of(name, [&](char c) {
    return letter(c) || std::isdigit(static_cast<unsigned char>(c));
  });
}

std::vector<std::string> DefinedNames(const InputOptions& input) {
  std::vector<std::string> out;
  for (const std::string& d : input.defines) out.push_back(d.substr(0, d.find('=')));
  return out;
}

std::optional<Result<int32_t>> SyscallNumberArg(std::string_view text) {
  if (text.empty() || !(std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-')) {
    return std::nullopt;  // syscall names start with a letter
  }
  if (auto n = base::ParseInt32(text)) return Result<int32_t>(*n);
  return Result<int32_t>(MakeError(
      ErrorCode::kInvalidArgument,
      fmt::format("'{}' is not a syscall number (a 32-bit integer)", base::Abbreviate(text))));
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

Result<CheckedInput> CheckInputOptions(const InputOptions& input) {
  auto bad = [](std::string msg) { return MakeError(ErrorCode::kInvalidArgument, std::move(msg)); };
  CheckedInput out;
  formats::ImportOptions& o = out.import;
  o.include_dirs = input.include_dirs;
  o.strict = input.strict;
  o.section = input.section;
  for (const std::string& c : input.caps) {
    std::string up = base::ToUpper(c);
    if (!up.starts_with("CAP_")) up = "CAP_" + up;
    const std::vector<std::string_view>& known = formats::CapabilityNames();
    if (std::ranges::find(known, up) == known.end()) {
      std::string msg = fmt::format("--caps: unknown capability '{}'", base::Abbreviate(c));
      if (auto m = base::ClosestMatch(up, known)) msg += fmt::format("; did you mean '{}'?", *m);
      return bad(msg);
    }
    o.caps.push_back(up);
  }
  if (!input.kernel.empty()) {
    o.kernel = formats::ParseKernelVersion(input.kernel);
    if (!o.kernel) {
      return bad("--kernel: expected a version such as 5.15, not '" +
                 base::Abbreviate(input.kernel) + "'");
    }
  }
  for (const std::string& d : input.defines) {
    size_t eq = d.find('=');
    std::string name = d.substr(0, eq);
    std::optional<uint64_t> value;
    if (eq != std::string::npos) value = ParseValue(std::string_view(d).substr(eq + 1));
    if (!IsDefineName(name) || !value) {
      return bad(
          "--define: expected NAME=NUMBER (NAME of letters, digits and _, not starting "
          "with a digit), not '" +
          base::Abbreviate(d) + "'");
    }
    if (!o.constants.emplace(name, *value).second) {
      return bad(fmt::format("--define: {} is given twice", name));
    }
  }
  if (!input.format.empty()) {
    out.format = formats::FormatFromName(input.format);
    if (!out.format) {
      return bad("--format: unknown format '" + base::Abbreviate(input.format) + "' (" +
                 formats::FormatNames(false) + ")");
    }
  }
  return out;
}

PolicyChoice LoadPolicyOrProfile(const std::string& path, const std::string& profile,
                                 const InputOptions& input,
                                 const std::vector<std::string>& arches) {
  if (profile.empty()) return {LoadAndReport(path, input, /*quiet_warnings=*/true, arches), false};
  PolicyChoice out;
  ParsedPolicy parsed = ParseBuiltinProfile(profile);
  if (!parsed.ok()) {
    PrintError(UnknownProfileMessage(profile));
    out.usage = true;
    return out;
  }
  static_cast<ParsedPolicy&>(out.r) = std::move(parsed);
  return out;
}

void AddProfileOption(CLI::App* cmd, std::string& profile, const std::string& what) {
  std::string names;
  for (std::string_view n : BuiltinProfileNames())
    names += (names.empty() ? "" : ", ") + std::string(n);
  cmd->add_option("--profile", profile, what + ": " + names);
}

bool ExactlyOneSource(std::initializer_list<const std::string*> given, std::string_view names) {
  if (std::ranges::count_if(given, [](const std::string* s) { return !s->empty(); }) == 1)
    return true;
  PrintError(fmt::format("give {} (one of them)", names));
  return false;
}

formats::Imported LoadAndReport(const std::string& path, const InputOptions& input,
                                bool quiet_warnings, const std::vector<std::string>& arches,
                                bool show_notes) {
  Result<CheckedInput> checked = CheckInputOptions(input);
  if (!checked) {  // AddInputOptions has made these usage errors already
    formats::Imported bad;
    bad.diagnostics.push_back(
        {Severity::kError, SourceLoc{path, 0, 0}, checked.error().message, 1});
    std::cerr << bad.RenderDiagnostics(ColorStderr());
    return bad;
  }
  formats::ImportOptions& o = checked->import;
  std::optional<formats::Format> format = checked->format;
  static bool stdin_read = false;  // one standard input: a second "-" would read nothing
  if (path == "-" && std::exchange(stdin_read, true)) {
    formats::Imported bad;
    bad.diagnostics.push_back({Severity::kError, SourceLoc{"<stdin>", 0, 0},
                               "standard input is read once: '-' is given twice", 1});
    std::cerr << bad.RenderDiagnostics(ColorStderr());
    return bad;
  }
  if (!arches.empty()) {  // an unknown name is reported when the command applies --arch
    o.arch = arches.front() == "native" ? std::optional(HostArch()) : ArchFromName(arches.front());
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
