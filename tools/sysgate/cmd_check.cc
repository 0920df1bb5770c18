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

// The answer to an fs or net question: "denied  [read on /etc/shadow: no fs rule grants it]".
struct AccessAnswer {
  std::string verdict, why, what;
  std::vector<std::string> rules;
};

// The fs access rights that --access names ("read,write"); none after a usage error.
std::optional<uint64_t> WantedFsAccess(const std::string& access) {
  uint64_t want = 0;
  for (std::string_view w : base::Split(access, ',')) {
    w = base::Trim(w);
    auto bits = FsAccessFromName(w);
    if (!bits) {
      PrintError(fmt::format("--access: unknown fs access right '{}' ({})", base::Abbreviate(w),
                             fmt::join(FsAccessNames(), ", ")));
      return std::nullopt;
    }
    want |= *bits;
  }
  return want;
}

// What the fs rules say about --access on --path; none after a usage error.
std::optional<AccessAnswer> AnswerPath(const AccessRules& a, const Options& o) {
  if (auto problem = FsPathProblem(o.path)) {  // as rules are written: no ".." to follow lexically
    PrintError("--path: " + *problem);
    return std::nullopt;
  }
  std::optional<uint64_t> want = WantedFsAccess(o.access);
  if (!want) return std::nullopt;
  AccessAnswer ans;
  ans.what = fmt::format("{} on {}", FsAccessText(*want), o.path);
  PathGrant g = GrantedOnResolved(a, o.path);
  for (const PathRule* rule : g.rules) {
    ans.rules.push_back(
        fmt::format("{} (fs {} {})", rule->loc.ToString(), FsAccessText(rule->access), rule->path));
  }
  const uint64_t missing = *want & a.handled_fs & ~g.access;
  if (a.handled_fs == 0) {
    ans.verdict = "allowed";
    ans.why = "the policy has no fs rules";
  } else if (missing == 0) {
    ans.verdict = "allowed";
    ans.why = "rule " + fmt::format("{}", fmt::join(ans.rules, ", rule "));
  } else {
    ans.verdict = "denied";
    ans.why = g.rules.empty() ? "no fs rule grants it"
                              : fmt::format("{} not granted; rule {}", FsAccessText(missing),
                                            fmt::join(ans.rules, ", rule "));
  }
  return ans;
}

// What the net rules say about binding --bind or connecting to --connect.
AccessAnswer AnswerPort(const AccessRules& a, const Options& o) {
  const uint64_t bit = o.bind >= 0 ? net_access::kBindTcp : net_access::kConnectTcp;
  const int port = o.bind >= 0 ? o.bind : o.connect;
  AccessAnswer ans;
  ans.what = fmt::format("{} to TCP port {}", NetAccessName(bit), port);
  const PortRule* by = PortGrantedBy(a, bit, static_cast<uint16_t>(port));  // 0..65535, checked
  if (!(a.handled_net & bit)) {
    ans.verdict = "allowed";
    ans.why = fmt::format("the policy has no net {} rules", NetAccessName(bit));
  } else if (by) {
    ans.verdict = "allowed";
    ans.why = "rule " + by->loc.ToString();
    ans.rules.push_back(by->loc.ToString());
  } else {
    ans.verdict = "denied";
    ans.why = fmt::format("no net {} rule names it", NetAccessName(bit));
  }
  return ans;
}

void PrintAccessAnswer(const AccessAnswer& ans, bool json) {
  if (json) {
    std::cout << nlohmann::json{{"check", ans.what},
                                {"verdict", ans.verdict},
                                {"reason", ans.why},
                                {"rules", ans.rules}}
                     .dump(2)
              << "\n";
  } else {
    std::cout << fmt::format("{}  [{}: {}]\n", ans.verdict, ans.what, ans.why);
  }
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
  std::optional<AccessAnswer> ans = o.path.empty() ? AnswerPort(a, o) : AnswerPath(a, o);
  if (!ans) return kExitUsage;
  PrintAccessAnswer(*ans, o.json);
  return kExitOk;
}

// What a syscall is checked against: the program, and the policy it was compiled from (none
// for --bpf); `call` is the rest of the command line, SYSCALL [ARG...].
struct Subject {
  std::optional<Policy> policy;
  bpf::Program prog;
  std::vector<std::string> call;
};

// The policy POLICY names, compiled; the exit status when there is none.
std::optional<int> LoadPolicy(const Options& o, Subject& s) {
  if (o.positional.size() < 2) {
    PrintError("usage: sysgate check POLICY SYSCALL [ARG...] (or --bpf FILE SYSCALL [ARG...])");
    return kExitUsage;
  }
  const std::vector<std::string> arches =
      o.arch == "native" ? std::vector<std::string>{} : std::vector{o.arch};
  formats::Imported r = LoadAndReport(o.positional[0], o.input, /*quiet_warnings=*/true, arches);
  if (!r.ok()) return kExitInvalid;
  s.policy = std::move(*r.policy);
  auto compiled = Compile(*s.policy);
  if (!compiled) {
    PrintError(compiled.error().ToString());
    return kExitInvalid;
  }
  s.prog = std::move(*compiled);
  s.call.assign(o.positional.begin() + 1, o.positional.end());
  return std::nullopt;
}

// The program of --bpf, if the kernel would load it; the exit status when there is none.
std::optional<int> LoadBpf(const Options& o, Subject& s) {
  if (o.positional.empty()) {
    PrintError("usage: sysgate check --bpf FILE SYSCALL [ARG...]");
    return kExitUsage;
  }
  std::optional<bpf::Program> loaded = ReadBpfToLoad(o.bpf_file, Unloadable::kRefuse);
  if (!loaded) return kExitInvalid;
  s.prog = std::move(*loaded);
  s.call = o.positional;
  return std::nullopt;
}

// SYSCALL [ARG...] on `arch` as the filter sees it, in `d`; the exit status when it is not a
// call.
std::optional<int> ParseCall(const std::vector<std::string>& call, Arch arch, SeccompData& d) {
  const std::string& sys = call[0];
  int32_t nr;
  if (auto n = SyscallNumberArg(sys)) {
    if (!*n) {
      PrintError(n->error().message);
      return kExitUsage;
    }
    nr = **n;
  } else if (auto found = SyscallNumber(arch, sys)) {
    nr = *found;
  } else {
    PrintError(NoSyscallMessage(sys, arch));
    return kExitInvalid;
  }
  if (call.size() - 1 > 6) {
    PrintError("a syscall has at most 6 arguments");
    return kExitUsage;
  }
  d = SeccompData::For(arch, nr);
  for (size_t i = 1; i < call.size(); ++i) {
    auto v = ParseValue(call[i], arch);
    if (!v) {
      PrintError(fmt::format(
          "argument {} ('{}') is not a number, a known constant or several joined by '|'", i - 1,
          call[i]));
      return kExitUsage;
    }
    d.args[i - 1] = *v;
  }
  return std::nullopt;
}

// The action a filter returned, its errno (the ABI's number) named as policies name it.
Action AsPoliciesNameIt(Action action, Arch arch) {
  if (action.kind() == ActionKind::kErrno) {
    auto name = ErrnoName(arch, static_cast<int>(action.data()));
    auto generic = name ? ErrnoFromName(Arch::kX86_64, *name) : std::nullopt;
    if (generic) action = Action::Errno(static_cast<uint32_t>(*generic));
  }
  return action;
}

// What in the policy decided the call ("rule web.sgp:7:1"); none, after an error, when the
// compiled filter's verdict `ret` is not the policy's.
std::optional<std::string> DecidedInPolicy(const Policy& policy, const SeccompData& d,
                                           uint32_t ret) {
  Verdict v = Interpreter(policy).Evaluate(d);
  if (bpf::RetOf(v.action, d) != ret) {
    PrintError(
        fmt::format("internal error: the compiled filter returns {} but the policy says "
                    "{}; please report this",
                    bpf::RetName(ret), v.action.ToString()));
    return std::nullopt;
  }
  return DecidedBy(policy, v);
}

// "allow  [openat #257 on x86_64: rule web.sgp:7:1; 14 instructions]", or its JSON; `why` is
// empty for --bpf.
void PrintVerdict(bool json, Arch arch, const SeccompData& d, const Action& action,
                  const analysis::EmulateResult& run, const std::string& why) {
  auto name = SyscallName(arch, d.nr);
  if (json) {
    nlohmann::json j = {{"arch", Info(arch).name},
                        {"nr", d.nr},
                        {"syscall", name ? std::string(*name) : std::string()},
                        {"action", action.ToString()},
                        {"ret", run.ret},
                        {"instructions", run.executed}};
    if (!why.empty()) j["reason"] = why;
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << fmt::format("{}  [{} #{} on {}: {}{} instructions]\n", action.ToString(),
                             name ? *name : std::string_view("?"), d.nr, Info(arch).name,
                             why.empty() ? "" : why + "; ", run.executed);
  }
}

int Run(const Options& o) {
  if (!o.path.empty() || o.bind >= 0 || o.connect >= 0) return CheckAccess(o);
  auto arch = ParseArchOption(o.arch);
  if (!arch) return kExitUsage;
  Subject s;
  if (auto stop = o.bpf_file.empty() ? LoadPolicy(o, s) : LoadBpf(o, s)) return *stop;
  SeccompData d;
  if (auto stop = ParseCall(s.call, *arch, d)) return *stop;
  auto run = analysis::Emulate(s.prog, d);
  if (!run) {
    PrintError(run.error().message);
    return kExitInvalid;
  }
  std::string why;
  if (s.policy) {
    std::optional<std::string> by = DecidedInPolicy(*s.policy, d, run->ret);
    if (!by) return kExitInvalid;
    why = *by;
  }
  PrintVerdict(o.json, *arch, d, AsPoliciesNameIt(bpf::ActionOfRet(run->ret), *arch), *run, why);
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
