// sysgate check: what a policy does with one syscall, and which rule decides it.
//   sysgate check web.sgp openat AT_FDCWD 0 O_RDONLY
//   allow  [rule web.sgp:7: allow openat if ...]
// Arguments are numbers or constant names. Until the compiler exists this asks the policy's
// reference interpreter.
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "cli_util.h"
#include "commands.h"
#include "sysgate/interpreter.h"

namespace sysgate::cli {
namespace {

struct Options {
  std::string policy;
  std::string arch = "native";
  std::string syscall;
  std::vector<std::string> args;
  std::vector<std::string> include_dirs;
  bool json = false;
};

std::optional<uint64_t> ParseValue(const std::string& s) {
  if (auto v = base::ParseInteger(s)) return v;
  if (auto c = FindConstant(s)) return static_cast<uint64_t>(*c);
  return std::nullopt;
}

int Run(const Options& o) {
  auto arch = ParseArchOption(o.arch);
  if (!arch) return kExitUsage;
  ParsedPolicy r = LoadAndReport(o.policy, o.include_dirs, /*quiet_warnings=*/true);
  if (!r.ok()) return kExitInvalid;
  int32_t nr;
  if (auto n = base::ParseInteger(o.syscall)) {
    nr = static_cast<int32_t>(*n);
  } else if (auto found = SyscallNumber(*arch, o.syscall)) {
    nr = *found;
  } else {
    PrintError(fmt::format("no syscall '{}' on {}", o.syscall, Info(*arch).name));
    return kExitInvalid;
  }
  if (o.args.size() > 6) {
    PrintError("a syscall has at most 6 arguments");
    return kExitUsage;
  }
  SeccompData d = SeccompData::For(*arch, nr);
  for (size_t i = 0; i < o.args.size(); ++i) {
    auto v = ParseValue(o.args[i]);
    if (!v) {
      PrintError(fmt::format("argument {} ('{}') is not a number or a known constant", i, o.args[i]));
      return kExitUsage;
    }
    d.args[i] = *v;
  }
  Verdict v = Interpreter(*r.policy).Evaluate(d);
  std::string why;
  switch (v.reason) {
    case Verdict::Reason::kRule: {
      const Rule& rule = r.policy->rules[static_cast<size_t>(v.rule)];
      why = fmt::format("rule {}", rule.loc.ToString());
      break;
    }
    case Verdict::Reason::kDefault: why = "default action"; break;
    case Verdict::Reason::kUnknown: why = "unknown syscall number: the unknown action"; break;
    case Verdict::Reason::kBadArch: why = "arch not targeted by the policy"; break;
  }
  auto name = SyscallName(*arch, nr);
  if (o.json) {
    nlohmann::json j = {{"arch", Info(*arch).name}, {"nr", nr},
                        {"syscall", name ? std::string(*name) : std::string()},
                        {"action", v.action.ToString()}, {"reason", why}};
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << fmt::format("{}  [{} #{} on {}: {}]\n", v.action.ToString(),
                             name ? *name : std::string_view("?"), nr, Info(*arch).name, why);
  }
  return kExitOk;
}

}  // namespace

void RegisterCheck(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("check", "Show what a policy does with one syscall");
  cmd->add_option("policy", opts->policy, "Policy file")->required();
  cmd->add_option("syscall", opts->syscall, "Syscall name or number")->required();
  cmd->add_option("args", opts->args, "Arguments: numbers or constant names");
  cmd->add_option("-a,--arch", opts->arch, "Architecture of the syscall (default: native)");
  cmd->add_option("-I,--include-dir", opts->include_dirs, "Directory to search for includes");
  cmd->add_flag("--json", opts->json, "Print JSON");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

}  // namespace sysgate::cli
