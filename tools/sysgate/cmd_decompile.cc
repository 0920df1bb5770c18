// sysgate decompile: a seccomp BPF program back to a native policy, proven equal to it.
//   sysgate decompile filter.bpf                 # raw, hex, or a `disasm`/`dump` listing
//   sysgate decompile --filter 2 dump.txt        # one filter of a dumped stack
//   sysgate decompile --json -o p.sgp filter.bpf
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bpf_io.h"
#include "cli_util.h"
#include "commands.h"
#include "sysgate/decompile.h"

namespace sysgate::cli {
namespace {

struct Options {
  std::string file;
  std::string output = "-";
  size_t filter = 0;  // 1-based; 0: the only one
  bool json = false;
};

std::string Json(const std::string& path, size_t length, const analysis::Decompiled& d) {
  nlohmann::ordered_json rules = nlohmann::json::array();
  for (size_t i = 0; i < d.policy.rules.size(); ++i) {
    rules.push_back({{"line", d.policy.rules[i].loc.line}, {"instructions", d.rule_insns[i]}});
  }
  nlohmann::ordered_json out = {{"input", path},
                                {"policy", d.text},
                                {"rules", rules},
                                {"stats",
                                 {{"instructions", length},
                                  {"paths", d.paths},
                                  {"rules", d.policy.rules.size()},
                                  {"recompiled_instructions", d.recompiled_length},
                                  {"inputs_checked", d.inputs_checked}}}};
  return out.dump(2) + "\n";
}

int Run(const Options& o) {
  auto loaded = ReadBpfFilter(o.file, o.filter);
  if (!loaded) {
    PrintError(loaded.error().ToString());
    return kExitInvalid;
  }
  const bpf::Program& prog = *loaded;
  auto d = analysis::Decompile(prog, {.name = o.file});
  if (!d) {
    PrintError(fmt::format("cannot decompile {}: {}", o.file, d.error().message));
    return kExitInvalid;
  }
  std::string out = o.json ? Json(o.file, prog.size(), *d) : d->text;
  if (auto w = WriteOutput(o.output, out); !w) {
    PrintError(w.error().ToString());
    return kExitInvalid;
  }
  if (!o.json) {
    std::cerr << fmt::format(
        "sysgate: {} instructions, {} paths -> {} rules; compiled again: {} instructions; the "
        "program, the policy and the recompiled program agree on {} inputs\n",
        prog.size(), d->paths, d->policy.rules.size(), d->recompiled_length, d->inputs_checked);
  }
  return kExitOk;
}

void Define(CLI::App* cmd, int* exit_code) {
  auto opts = std::make_shared<Options>();
  cmd->add_option("file", opts->file, "Raw BPF, hex text, or a `sysgate disasm`/`dump` listing")
      ->required();
  cmd->add_option("-o,--output", opts->output, "Write the policy here (default: stdout)");
  cmd->add_option("--filter", opts->filter,
                  "Which filter of a listing with several (1 = the first)");
  cmd->add_flag("--json", opts->json,
                "Print the policy, where each rule comes from, and stats as JSON");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

const Registration kRegistration{
    {.name = "decompile",
     .order = 170,
     .description = "Turn a seccomp BPF program back into a policy (proven equal)",
     .define = Define}};

}  // namespace

}  // namespace sysgate::cli
