// sysgate check: what a filter does with one syscall, which rule decides it, and how many
// instructions the kernel runs for it.
//   sysgate check web.sgp openat AT_FDCWD 0 O_RDONLY
//   allow  [openat #257 on x86_64: rule web.sgp:7:1; 14 instructions]
//   sysgate check --bpf web.bpf --arch i386 execve
//   sysgate check web.sgp --path /etc/shadow --access read
//   denied  [read on /etc/shadow: no fs rule grants it]
// Arguments are numbers or constant names. A policy is compiled, and the program's verdict
// is checked against the policy's reference interpreter.
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/files.h"
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
  std::string path;             // --path: an fs question instead of a syscall
  std::string access = "read";  // --access
  int bind = -1, connect = -1;  // --bind, --connect: a port question
};

// What the rules grant on `path`: as written, and, as the kernel sees them, with the symlinks
// of the rules' paths and of `path` resolved where they exist (/lib64 is /usr/lib64 on Debian).
PathGrant GrantedOnResolved(const AccessRules& a, const std::string& path) {
  PathGrant g = GrantedOn(a, path);
  const std::string real = base::RealPathOr(path);
  for (const PathRule& r : a.paths) {
    if (std::ranges::find(g.rules, &r) != g.rules.end() ||
        !PathIsBeneath(real, base::RealPathOr(r.path)))
      continue;
    g.access |= r.access;
    g.rules.push_back(&r);
  }
  return g;
}

// What the policy's fs or net rules say about one path or port.
int CheckAccess(const Options& o) {
  if (o.positional.size() != 1 || !o.bpf_file.empty()) {
    PrintError(
        "usage: sysgate check POLICY --path PATH [--access RIGHTS] | --bind PORT | --connect PORT");
    return kExitUsage;
  }
  formats::Imported r = LoadAndReport(o.positional[0], o.input, /*quiet_warnings=*/true, {});
  if (!r.ok()) return kExitInvalid;
  const AccessRules& a = r.policy->access;
  std::string verdict, why, what;
  std::vector<std::string> rules;
  if (!o.path.empty()) {
    if (auto problem =
            FsPathProblem(o.path)) {  // as rules are written: no ".." to follow lexically
      PrintError("--path: " + *problem);
      return kExitUsage;
    }
    uint64_t want = 0;
    for (std::string_view w : base::Split(o.access, ',')) {
      w = base::Trim(w);
      auto bits = FsAccessFromName(w);
      if (!bits) {
        PrintError(fmt::format("--access: unknown fs access right '{}' ({})", base::Abbreviate(w),
                               fmt::join(FsAccessNames(), ", ")));
        return kExitUsage;
      }
      want |= *bits;
    }
    what = fmt::format("{} on {}", FsAccessText(want), o.path);
    PathGrant g = GrantedOnResolved(a, o.path);
    for (const PathRule* rule : g.rules) {
      rules.push_back(fmt::format("{} (fs {} {})", rule->loc.ToString(), FsAccessText(rule->access),
                                  rule->path));
    }
    const uint64_t missing = want & a.handled_fs & ~g.access;
    if (a.handled_fs == 0) {
      verdict = "allowed";
      why = "the policy has no fs rules";
    } else if (missing == 0) {
      verdict = "allowed";
      why = "rule " + fmt::format("{}", fmt::join(rules, ", rule "));
    } else {
      verdict = "denied";
      why = g.rules.empty() ? "no fs rule grants it"
                            : fmt::format("{} not granted; rule {}", FsAccessText(missing),
                                          fmt::join(rules, ", rule "));
    }
  } else {
    const uint64_t bit = o.bind >= 0 ? net_access::kBindTcp : net_access::kConnectTcp;
    const int port = o.bind >= 0 ? o.bind : o.connect;
    what = fmt::format("{} to TCP port {}", NetAccessName(bit), port);
    const PortRule* by = nullptr;
    for (const PortRule& p : a.ports) {
      if ((p.access & bit) && p.first <= port && port <= p.last) {
        by = &p;
        break;
      }
    }
    if (!(a.handled_net & bit)) {
      verdict = "allowed";
      why = fmt::format("the policy has no net {} rules", NetAccessName(bit));
    } else if (by) {
      verdict = "allowed";
      why = "rule " + by->loc.ToString();
      rules.push_back(by->loc.ToString());
    } else {
      verdict = "denied";
      why = fmt::format("no net {} rule names it", NetAccessName(bit));
    }
  }
  if (o.json) {
    std::cout << nlohmann::json{{"check", what},
                                {"verdict", verdict},
                                {"reason", why},
                                {"rules", rules}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << fmt::format("{}  [{}: {}]\n", verdict, what, why);
  }
  return kExitOk;
}

int Run(const Options& o) {
  if (!o.path.empty() || o.bind >= 0 || o.connect >= 0) return CheckAccess(o);
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
    const std::vector<std::string> arches =
        o.arch == "native" ? std::vector<std::string>{} : std::vector{o.arch};
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
      PrintError(fmt::format(
          "argument {} ('{}') is not a number, a known constant or several joined by '|'", i - 1,
          pos[i]));
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
      PrintError(
          fmt::format("internal error: the compiled filter returns {} but the policy says "
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

void Define(CLI::App* cmd, int* exit_code) {
  auto opts = std::make_shared<Options>();
  cmd->add_option("args", opts->positional,
                  "[POLICY] SYSCALL [ARG...]: arguments are numbers or constant names")
      ->required();
  cmd->add_option("--bpf", opts->bpf_file, "Check a BPF file (raw or hex) instead of a policy");
  cmd->add_option("-a,--arch", opts->arch, "Architecture of the syscall (default: native)");
  AddInputOptions(cmd, opts->input);
  cmd->add_flag("--json", opts->json, "Print JSON");
  auto* path =
      cmd->add_option("--path", opts->path, "Check an fs access to PATH instead of a syscall");
  cmd->add_option("--access", opts->access,
                  "Rights for --path: read, write, exec, ... (default: read)")
      ->needs(path);
  auto* bind = cmd->add_option("--bind", opts->bind, "Check binding TCP PORT instead of a syscall")
                   ->check(CLI::Range(0, 65535))
                   ->excludes(path);
  cmd->add_option("--connect", opts->connect, "Check connecting to TCP PORT instead of a syscall")
      ->check(CLI::Range(0, 65535))
      ->excludes(path)
      ->excludes(bind);
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

const Registration kRegistration{{.name = "check",
                                  .order = 50,
                                  .description = "Show what a filter does with one syscall",
                                  .define = Define}};

}  // namespace

}  // namespace sysgate::cli
