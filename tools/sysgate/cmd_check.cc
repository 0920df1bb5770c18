// sysgate check: what a filter does with one syscall, which rule decides it, and how many
// instructions the kernel runs for it.
//   sysgate check web.sgp openat AT_FDCWD 0 O_RDONLY
//   allow  [openat #257 on x86_64: rule web.sgp:7:1; 14 instructions]
//   sysgate check --bpf web.bpf --arch i386 execve
// Arguments are numbers or constant names. A policy is compiled, and the program's verdict
// is checked against the policy's reference interpreter.
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "bpf_io.h"
#include "cli_util.h"
#include "commands.h"
#include "sysgate/analysis.h"
#include "sysgate/compiler.h"

namespace sysgate::cli {
namespace {

struct Options {
  std::string bpf_file;
  std::string arch = "native";
  std::vector<std::string> positional;  // [POLICY] SYSCALL [ARG...]
  InputOptions input;
  bool json = false;
};

int Run(const Options& o) {
  auto arch = ParseArchOption(o.arch);
  if (!arch) return kExitUsage;
  std::vector<std::string> pos = o.positional;
  std::optional<Policy> policy;
  bpf::Program prog;
  if (o.bpf_file.empty()) {
    if (pos.size() < 2) {
      PrintError("usage: sysgate check POLICY SYSCALL [ARG...] (or --bpf FILE SYSCALL [ARG...])");
      return kExitUsage;
    }
    // A format resolved per host (Docker's profile) is read for the host that runs the ABI asked
    // about: this machine for its own ABIs (i386 here), arm64 for aarch64.
    const std::vector<std::string> arches = o.arch == "native" ? std::vector<std::string>{}
                                                               : std::vector{ReaderArchFor(o.arch)};
    formats::Imported r = LoadAndReport(pos[0], o.input, /*quiet_warnings=*/true, arches);
    if (!r.ok()) return kExitInvalid;
    policy = std::move(*r.policy);
    auto compiled = Compile(*policy);
    if (!compiled) {
      PrintError(compiled.error().ToString());
      return kExitInvalid;
    }
    prog = std::move(*compiled);
    pos.erase(pos.begin());
  } else {
    if (pos.empty()) {
      PrintError("usage: sysgate check --bpf FILE SYSCALL [ARG...]");
      return kExitUsage;
    }
    auto loaded = ReadBpfFile(o.bpf_file);
    if (!loaded) {
      PrintError(loaded.error().ToString());
      return kExitInvalid;
    }
    if (auto ok = analysis::VerifyLoadable(*loaded); !ok) {
      PrintError("the kernel would refuse this program: " + ok.error().message);
      return kExitInvalid;
    }
    prog = std::move(*loaded);
  }
  const std::string& sys = pos[0];
  int32_t nr;
  if (auto n = SyscallNumberArg(sys)) {
    if (!*n) {
      PrintError(n->error().message);
      return kExitUsage;
    }
    nr = **n;
  } else if (auto found = SyscallNumber(*arch, sys)) {
    nr = *found;
  } else {
    PrintError(NoSyscallMessage(sys, *arch));
    return kExitInvalid;
  }
  if (pos.size() - 1 > 6) {
    PrintError("a syscall has at most 6 arguments");
    return kExitUsage;
  }
  SeccompData d = SeccompData::For(*arch, nr);
  for (size_t i = 1; i < pos.size(); ++i) {
    auto v = ParseValue(pos[i], *arch);
    if (!v) {
      PrintError(fmt::format("argument {} ('{}') is not a number, a known constant or several joined by '|'", i - 1, pos[i]));
      return kExitUsage;
    }
    d.args[i - 1] = *v;
  }
  auto run = analysis::Emulate(prog, d);
  if (!run) {
    PrintError(run.error().message);
    return kExitInvalid;
  }
  Action action = bpf::ActionOfRet(run->ret);
  if (action.kind() == ActionKind::kErrno) {  // the ABI's number: named as policies name it
    auto name = ErrnoName(*arch, static_cast<int>(action.data()));
    auto generic = name ? ErrnoFromName(Arch::kX86_64, *name) : std::nullopt;
    if (generic) action = Action::Errno(static_cast<uint32_t>(*generic));
  }
  std::string why;
  if (policy) {
    Verdict v = Interpreter(*policy).Evaluate(d);
    if (bpf::RetOf(v.action, d) != run->ret) {
      PrintError(fmt::format("internal error: the compiled filter returns {} but the policy says "
                             "{}; please report this",
                             bpf::RetName(run->ret), v.action.ToString()));
      return kExitInvalid;
    }
    why = DecidedBy(*policy, v);
  }
  auto name = SyscallName(*arch, nr);
  if (o.json) {
    nlohmann::json j = {{"arch", Info(*arch).name},
                        {"nr", nr},
                        {"syscall", name ? std::string(*name) : std::string()},
                        {"action", action.ToString()},
                        {"ret", run->ret},
                        {"instructions", run->executed}};
    if (!why.empty()) j["reason"] = why;
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << fmt::format("{}  [{} #{} on {}: {}{} instructions]\n", action.ToString(),
                             name ? *name : std::string_view("?"), nr, Info(*arch).name,
                             why.empty() ? "" : why + "; ", run->executed);
  }
  return kExitOk;
}

}  // namespace

void RegisterCheck(CLI::App& app, int* exit_code) {
  auto opts = std::make_shared<Options>();
  CLI::App* cmd = app.add_subcommand("check", "Show what a filter does with one syscall");
  cmd->add_option("args", opts->positional, "[POLICY] SYSCALL [ARG...]: arguments are numbers or constant names")
      ->required();
  cmd->add_option("--bpf", opts->bpf_file, "Check a BPF file (raw or hex) instead of a policy");
  cmd->add_option("-a,--arch", opts->arch, "Architecture of the syscall (default: native)");
  AddInputOptions(cmd, opts->input);
  cmd->add_flag("--json", opts->json, "Print JSON");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

}  // namespace sysgate::cli
