// sysgate stats: what a filter costs per syscall.
//   sysgate stats web.sgp                       # compiled as sysgate compiles it
//   sysgate stats --bpf web.bpf --arch x86_64
//   sysgate stats web.sgp --freq counts.txt     # laid out for, and weighted by, a syscall mix
#include <iostream>
#include <optional>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bpf_io.h"
#include "cli_util.h"
#include "commands.h"
#include "sysgate/analysis.h"
#include "sysgate/compiler.h"

namespace sysgate::cli {
namespace {

struct Options {
  std::string policy;
  std::string bpf;
  std::string arch;
  std::string freq;
  InputOptions input;
  int top = 10;
  bool json = false;
};

// The program measured and, with --freq, what the mix costs under the default layout.
struct Measured {
  bpf::Program prog;
  std::optional<double> default_layout;
};

// The program of --bpf, if the kernel would load it, or the policy compiled with `copts`
// (Compile checks that the kernel would load it); none after an error.
std::optional<Measured> LoadProgram(const Options& o, Arch arch, const CompileOptions& copts) {
  Measured m;
  if (!o.bpf.empty()) {
    std::optional<bpf::Program> p = ReadBpfToLoad(o.bpf, Unloadable::kRefuse);
    if (!p) return std::nullopt;
    m.prog = std::move(*p);
  } else {
    formats::Imported r = LoadAndReport(o.policy, o.input, /*quiet_warnings=*/true);
    if (!r.ok()) return std::nullopt;
    auto p = Compile(*r.policy, copts);
    if (!p) {
      PrintError(p.error().ToString());
      return std::nullopt;
    }
    m.prog = *p;
    if (!copts.frequencies.empty()) {
      if (auto plain = Compile(*r.policy)) {
        m.default_layout = analysis::ComputeStats(*plain, arch, copts.frequencies).weighted_mean;
      }
    }
  }
  return m;
}

// The `top` syscalls that run the most instructions, the first of equals first.
std::vector<const analysis::SyscallCost*> Costliest(const analysis::ProgramStats& s, int top) {
  std::vector<const analysis::SyscallCost*> costly;
  for (const auto& c : s.per_syscall) costly.push_back(&c);
  std::ranges::stable_sort(costly, [](auto* a, auto* b) { return a->executed > b->executed; });
  costly.resize(std::min<size_t>(costly.size(), static_cast<size_t>(std::max(top, 0))));
  return costly;
}

void PrintJson(Arch arch, const analysis::ProgramStats& s, bool weighted,
               std::optional<double> default_layout,
               const std::vector<const analysis::SyscallCost*>& costly) {
  nlohmann::ordered_json j;
  j["length"] = s.length;
  j["arch"] = Info(arch).name;
  j["syscalls"] = s.per_syscall.size();
  j["mean"] = s.mean;
  j["max"] = s.max;
  if (weighted) j["weighted_mean"] = s.weighted_mean;
  if (default_layout) j["weighted_mean_default_layout"] = *default_layout;
  j["cacheable"] = s.cacheable;
  j["may_allow"] = s.may_allow;
  for (auto* c : costly)
    j["costliest"].push_back({{"name", c->name},
                              {"nr", c->nr},
                              {"instructions", c->executed},
                              {"reads_args", c->reads_args}});
  std::cout << j.dump(2) << "\n";
}

void PrintText(const Options& o, Arch arch, const analysis::ProgramStats& s, bool weighted,
               std::optional<double> default_layout,
               const std::vector<const analysis::SyscallCost*>& costly) {
  std::cout << fmt::format("length                 {} instructions\n", s.length);
  std::cout << fmt::format(
      "per {} syscall          mean {:.1f}, max {} (over {} syscalls, arguments zero)\n",
      Info(arch).name, s.mean, s.max, s.per_syscall.size());
  if (weighted) {
    std::cout << fmt::format(
        "expected per call      {:.2f} (weighted by {}{})\n", s.weighted_mean, o.freq,
        default_layout
            ? fmt::format("; {:.2f} without laying the dispatch out for it", *default_layout)
            : "");
  }
  std::cout << fmt::format(
      "kernel cache           {} of the {} syscalls that can be allowed are allowed without "
      "running the filter\n",
      s.cacheable, s.may_allow);
  std::cout << "costliest:\n";
  for (auto* c : costly) {
    std::cout << fmt::format("  {:<24} #{:<5} {:>3} instructions{}\n", c->name, c->nr, c->executed,
                             c->reads_args ? " (reads arguments)" : "");
  }
}

int Run(const Options& o) {
  if (o.policy.empty() == o.bpf.empty()) {
    PrintError("give a policy or --bpf FILE (one of them)");
    return kExitUsage;
  }
  std::optional<Arch> chosen = ArchOrHost(o.arch);
  if (!chosen) return kExitUsage;
  const Arch arch = *chosen;
  CompileOptions copts;
  if (!o.freq.empty() && !LoadFrequencies(o.freq, copts.frequencies)) return kExitInvalid;
  std::optional<Measured> m = LoadProgram(o, arch, copts);
  if (!m) return kExitInvalid;
  analysis::ProgramStats s = analysis::ComputeStats(m->prog, arch, copts.frequencies);
  const std::vector<const analysis::SyscallCost*> costly = Costliest(s, o.top);
  const bool weighted = !copts.frequencies.empty();
  if (o.json) {
    PrintJson(arch, s, weighted, m->default_layout, costly);
  } else {
    PrintText(o, arch, s, weighted, m->default_layout, costly);
  }
  return kExitOk;
}

void Define(CLI::App* cmd, int* exit_code) {
  auto opts = std::make_shared<Options>();
  cmd->add_option("policy", opts->policy, "Policy file (any format)");
  cmd->add_option("--bpf", opts->bpf, "A BPF file (raw or hex) instead of a policy");
  cmd->add_option("-a,--arch", opts->arch, "The ABI whose syscalls are measured (default: native)");
  cmd->add_option("--freq", opts->freq,
                  "Syscall frequencies: 'name count' lines or strace -c output");
  cmd->add_option("--top", opts->top, "How many of the costliest syscalls to list (default 10)")
      ->check(CLI::Validator(
          [](std::string& v) { return v.starts_with('-') ? "must be 0 or more" : ""; }, "N"));
  cmd->add_flag("--json", opts->json, "Print JSON");
  AddInputOptions(cmd, opts->input);
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

const Registration kRegistration{{.name = "stats",
                                  .order = 120,
                                  .description = "What a filter costs per syscall",
                                  .define = Define}};

}  // namespace

}  // namespace sysgate::cli
