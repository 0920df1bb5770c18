// sysgate diff: what two policies decide differently, syscall by syscall.
//   sysgate diff nginx-learned.sgp nginx.sgp
// Exit status as diff(1)'s: 0 when they decide alike, 1 when they differ, 2 on trouble.
#include <fcntl.h>

#include <algorithm>
#include <iostream>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli_util.h"
#include "commands.h"
#include "supervise/flag_names.h"
#include "sysgate/analysis.h"

namespace sysgate::cli {
namespace {

constexpr int kExitDiffer = 1;
constexpr int kExitTrouble = 2;

struct Options {
  std::string before, after;
  std::vector<std::string> arches;  // compare as these ABIs read the policies
  InputOptions input;
  bool json = false;
};

// "flags=O_WRONLY|O_CREAT|O_TRUNC, mode=0x1" for the arguments that are not zero.
std::string Arguments(std::string_view syscall, const SeccompData& d) {
  const Signature* sig = FindSignature(syscall);
  std::vector<std::string> parts;
  for (size_t i = 0; i < 6; ++i) {
    if (d.args[i] == 0) continue;
    std::string name = sig && i < static_cast<size_t>(sig->nargs) && !sig->args[i].name.empty()
                           ? std::string(sig->args[i].name)
                           : fmt::format("arg{}", i);
    std::optional<std::string> named = supervise::NameValue(syscall, name, d.args[i]);
    if (!named && sig && i < static_cast<size_t>(sig->nargs) && sig->args[i].kind == ArgKind::kFd) {
      int32_t fd = static_cast<int32_t>(d.args[i]);  // the kernel reads an int
      named = fd == AT_FDCWD ? std::string("AT_FDCWD") : std::to_string(fd);
    }
    parts.push_back(fmt::format("{}={}", name, named ? *named : fmt::format("{:#x}", d.args[i])));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

// The two policies, read for the ABIs of --arch if any; none after their errors are printed.
struct Policies {
  formats::Imported before, after;
};
std::optional<Policies> LoadPolicies(const Options& o) {
  // Both read for the first ABI, then targeting exactly the ABIs asked for.
  Policies p{LoadAndReport(o.before, o.input, /*quiet_warnings=*/true, o.arches),
             LoadAndReport(o.after, o.input, /*quiet_warnings=*/true, o.arches)};
  if (!p.before.ok() || !p.after.ok()) return std::nullopt;
  if (!o.arches.empty()) {  // both policies targeting exactly these ABIs, as compile would
    for (formats::Imported* r : {&p.before, &p.after}) {
      if (!OverrideArches(*r->policy, o.arches) ||
          !ValidForNewArches(*r->policy, r->sources, /*quiet=*/true)) {
        return std::nullopt;
      }
    }
  }
  return p;
}

void PrintJson(const Options& o, const analysis::PolicyDiff& diff, const Policies& p) {
  nlohmann::json changes = nlohmann::json::array();
  for (const analysis::PolicyDifference& d : diff.differences) {
    CallNames n = NamesOf(d.example);
    changes.push_back({{"arch", n.arch},
                       {"syscall", n.syscall},
                       {"nr", d.example.nr},
                       {"before", d.before.action.ToString()},
                       {"before_reason", DecidedBy(*p.before.policy, d.before)},
                       {"after", d.after.action.ToString()},
                       {"after_reason", DecidedBy(*p.after.policy, d.after)},
                       {"all_arguments", d.inputs == d.compared},
                       {"example_args", d.example.args},
                       {"inputs", d.inputs},
                       {"compared", d.compared}});
  }
  nlohmann::json access = nlohmann::json::array();
  for (const analysis::AccessDifference& d : diff.access)
    access.push_back({{"what", d.what}, {"before", d.before}, {"after", d.after}});
  std::cout << nlohmann::json{{"before", o.before},
                              {"after", o.after},
                              {"changes", changes},
                              {"access_changes", access},
                              {"inputs", diff.inputs}}
                   .dump(2)
            << "\n";
}

// The syscall differences, one line each: a change the same on several ABIs (the same call,
// verdicts and rules, and example) is one line naming them all, so that a multi-ABI profile's
// differences come once each.
std::string SyscallLines(const analysis::PolicyDiff& diff, const Policies& p) {
  struct Line {
    std::vector<std::string> arches;
    std::string rest;
  };
  std::vector<Line> lines;
  std::map<std::string, size_t> line_of;
  for (const analysis::PolicyDifference& d : diff.differences) {
    CallNames n = NamesOf(d.example);
    std::string rest =
        fmt::format("{:<18} {} ({})  ->  {} ({})", n.syscall, d.before.action.ToString(),
                    DecidedBy(*p.before.policy, d.before), d.after.action.ToString(),
                    DecidedBy(*p.after.policy, d.after));
    if (d.inputs != d.compared) {
      std::string args = Arguments(n.syscall, d.example);
      rest += fmt::format("\n{{indent}}for some arguments, e.g. {}",
                          args.empty() ? "all arguments zero" : args);
    }
    auto [it, is_new] = line_of.try_emplace(rest, lines.size());
    if (is_new) lines.push_back({{}, rest});
    lines[it->second].arches.push_back(n.arch);
  }
  size_t arch_width = 7;
  for (const Line& l : lines)
    arch_width = std::max(arch_width, fmt::format("{}", fmt::join(l.arches, ",")).size());
  std::string text;
  for (const Line& l : lines) {
    std::string rest = l.rest;
    if (size_t at = rest.find("{indent}"); at != std::string::npos)
      rest.replace(at, 8, std::string(arch_width + 20, ' '));
    text +=
        fmt::format("{:<{}} {}\n", fmt::format("{}", fmt::join(l.arches, ",")), arch_width, rest);
  }
  return text;
}

void PrintText(const Options& o, const analysis::PolicyDiff& diff, const Policies& p,
               size_t count) {
  std::string text = SyscallLines(diff, p);
  for (const analysis::AccessDifference& d : diff.access)
    text += fmt::format("{:<26} {}  ->  {}\n", d.what, d.before, d.after);
  if (count != 0) std::cout << fmt::format("--- {}\n+++ {}\n{}", o.before, o.after, text);
  std::cerr << fmt::format("sysgate: {} change{} ({} inputs compared)\n", count,
                           count == 1 ? "" : "s", diff.inputs);
}

int Run(const Options& o) {
  std::optional<Policies> p = LoadPolicies(o);
  if (!p) return kExitTrouble;
  analysis::PolicyDiff diff = analysis::DiffPolicies(*p->before.policy, *p->after.policy);
  const size_t count = diff.differences.size() + diff.access.size();
  if (o.json) {
    PrintJson(o, diff, *p);
  } else {
    PrintText(o, diff, *p, count);
  }
  return count == 0 ? kExitOk : kExitDiffer;
}

void Define(CLI::App* cmd, int* exit_code) {
  auto opts = std::make_shared<Options>();
  cmd->add_option("before", opts->before, "The first policy (any format)")->required();
  cmd->add_option("after", opts->after, "The second policy")->required();
  cmd->add_option("-a,--arch", opts->arches,
                  "Compare as these ABIs read both policies (repeatable)");
  AddInputOptions(cmd, opts->input);
  cmd->add_flag("--json", opts->json, "Print JSON");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

const Registration kRegistration{
    {.name = "diff",
     .order = 60,
     .description = "What two policies decide differently, syscall by syscall (exit 1 if anything)",
     .define = Define}};

}  // namespace

}  // namespace sysgate::cli
