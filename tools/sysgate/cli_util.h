// Helpers the subcommands share.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "sysgate/arch.h"
#include "sysgate/formats.h"
#include "sysgate/interpreter.h"
#include "sysgate/policy_text.h"

namespace sysgate::cli {

// "sysgate: <message>" on stderr.
void PrintError(const std::string& message);
// The first word of the command line: none if it is an option or names a subcommand; else the
// usage exit code, after an error with the closest name if there is one.
std::optional<int> CheckCommandName(const CLI::App& app, std::string_view word);
// After CLI11 has printed a parse error of subcommand `cmd`: a hint where one helps (options
// after the program of `run` or `learn`, which need a `--` before the program).
void UsageHint(const CLI::ParseError& e, const CLI::App& cmd, int argc, char** argv);
// True when stderr is a terminal that takes colours (and NO_COLOR is unset).
bool ColorStderr();
// Why `name` has no number on `arch`: "open does not exist on aarch64", or an unknown name
// with the closest known one.
std::string NoSyscallMessage(std::string_view name, Arch arch);
// Parses --arch, printing an error (with suggestions) when it is not an arch name.
std::optional<Arch> ParseArchOption(const std::string& name);
// The ABI of an --arch that defaults to this host's: ParseArchOption(name), HostArch() when
// `name` is empty.
std::optional<Arch> ArchOrHost(const std::string& name);
// Replaces the policy's target arches with `names` (if any); false (with a message) for an
// unknown name.
bool OverrideArches(Policy& policy, const std::vector<std::string>& names);
// After OverrideArches: leaves out the syscalls none of the new targets has (a warning names
// them unless `quiet`) and checks the policy again; false, with the errors printed against
// `sources`, if it fails.
bool ValidForNewArches(Policy& policy, const std::map<std::string, std::string>& sources,
                       bool quiet);
// Resolves and checks a changed policy; false, with the errors printed against `sources`, if
// it fails.
bool ResolveOrReport(Policy& policy, const std::map<std::string, std::string>& sources);
// Reads a syscall frequency file (--freq) into `out`; false (with a message) on error.
bool LoadFrequencies(const std::string& path, std::map<std::string, double>& out);

// How a policy file is read: the options every command that reads one shares.
struct InputOptions {
  std::vector<std::string> include_dirs;
  std::string format;                // empty: detected from the content
  std::vector<std::string> caps;     // Docker's includes/excludes.caps
  std::string kernel;                // Docker's minKernel, "5.15"; empty: the running kernel
  bool strict = false;               // unknown syscall names are errors (--strict-names)
  bool old_strict = false;           // ... said as --strict, its deprecated spelling
  std::string section;               // Firecracker thread category, SPO profile name
  std::vector<std::string> defines;  // NAME=VALUE: constants the policy leaves to its program
};
// What InputOptions say, checked: capability names, the kernel version, -D names and values,
// the format name. An error names the option.
struct CheckedInput {
  formats::ImportOptions import;
  std::optional<formats::Format> format;
};
Result<CheckedInput> CheckInputOptions(const InputOptions& input);
// `format_flag` names the input-format option ("-f,--format"; compile, whose -f is the output
// encoding, uses "--from").
void AddInputOptions(CLI::App* cmd, InputOptions& o,
                     const std::string& format_flag = "-f,--format");

// What decided a verdict, for reports: "rule web.sgp:3:1", "default action", ...
std::string DecidedBy(const Policy& policy, const Verdict& v);
// The group through which the deciding rule of `v` names `syscall` ("@privileged"); empty when
// the verdict is not a rule's or the rule names the call by its name.
std::string DecidingGroup(const Policy& policy, const Verdict& v, std::string_view syscall);
// A rule as reports show it, with that group if there is one: "rule web.sgp:3:1 (@privileged)".
std::string RuleText(const std::string& rule, const std::string& group);

// The ABI and syscall of a call as reports name them: "x86_64" and "openat", or "arch 0x1234"
// and "#1000" where they have no name.
struct CallNames {
  std::string arch, syscall;
  bool named = false;  // the syscall has a name on its ABI
};
CallNames NamesOf(const SeccompData& d);

// A syscall argument or constant value on the command line: a number, a constant name, or
// several of them or'ed (O_WRONLY|O_CREAT), with `arch`'s values.
std::optional<uint64_t> ParseValue(std::string_view text, Arch arch = HostArch());
// Whether -D may define `name`: letters, digits and _, not starting with a digit.
bool IsDefineName(std::string_view name);
// The names the -D options define.
std::vector<std::string> DefinedNames(const InputOptions& input);
// A syscall given by number on the command line ("257", "0x101", "-1"), not by name: none for
// a name; an error (printed by the caller) for a number that is not a 32-bit integer.
std::optional<Result<int32_t>> SyscallNumberArg(std::string_view text);

// A built-in profile (`--profile NAME`, when `profile` is set) or else the policy file `path`,
// read as LoadAndReport reads it. On failure, after the errors are printed, `r.policy` is
// unset and `usage` says whether it was the command line's fault (an unknown profile: exit 2).
struct PolicyChoice {
  formats::Imported r;
  bool usage = false;
};
PolicyChoice LoadPolicyOrProfile(const std::string& path, const std::string& profile,
                                 const InputOptions& input,
                                 const std::vector<std::string>& arches = {});
// `--profile NAME` on `cmd`, with `what` for its help ("A built-in profile instead").
void AddProfileOption(CLI::App* cmd, std::string& profile,
                      const std::string& what = "A built-in profile instead");
// Checks that exactly one of the given sources is set (a policy file, --profile, --bpf);
// false after a usage error naming them.
bool ExactlyOneSource(std::initializer_list<const std::string*> given, std::string_view names);

// Reads and parses a policy file in any format; prints its diagnostics to stderr. `arches`
// (the command's --arch, if any) picks the target for formats resolved per architecture.
// Notes are shown only with `show_notes` (validate).
formats::Imported LoadAndReport(const std::string& path, const InputOptions& input,
                                bool quiet_warnings = false,
                                const std::vector<std::string>& arches = {},
                                bool show_notes = false);

}  // namespace sysgate::cli
