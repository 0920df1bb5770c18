// sysgate lint: the bypass classes and traps of THREATS.md that a policy can have. Most checks
// ask the reference interpreter what the policy does with a probing call (ptrace(PTRACE_ATTACH),
// ioctl(fd, TIOCSTI | 1 << 32), ...), so they hold for every format the same way; the rest read
// the rules (argument widths, actions) or reuse the validator's findings.
#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "base/strings.h"
#include "policy/resolve.h"
#include "policy/validate.h"
#include "sysgate/interpreter.h"
#include "sysgate/lint.h"

namespace sysgate::analysis {
namespace {

constexpr std::array kChecks = {
    LintCheck{"default-allow", Severity::kWarning,
              "the default action allows: a deny list, which every new syscall and every one "
              "forgotten gets through",
              "make the default errno(EPERM) (or kill-process) and allow what the program needs; "
              "`sysgate learn` writes that list"},
    LintCheck{
        "foreign-abi-allowed", Severity::kError,
        "calls from ABIs the policy does not target (other arches, i386 on x86_64) are allowed",
        "let calls of other ABIs be killed (`foreign kill-process`, the default of sysgate's "
        "policies)"},
    LintCheck{"abi-not-targeted", Severity::kNote,
              "an ABI the host kernel runs (i386 on x86_64) is not targeted: its calls are killed",
              "add the ABI to the policy's arches if the program may use it (32-bit helpers, int "
              "0x80); nothing to do otherwise"},
    LintCheck{"pointer-argument", Severity::kWarning,
              "an argument that is a pointer is compared: seccomp sees the address, never the data",
              "decide on the call as a whole, or supervise it (notify) and inspect the memory"},
    LintCheck{"wide-compare-32bit-arg", Severity::kWarning,
              "a deny rule compares a 32-bit argument at 64 bits: high bits the kernel ignores get "
              "the call past it (ioctl TIOCSTI | 1 << 32)",
              "compare the argument at its 32-bit width (`cmd:u32`; in OCI JSON "
              "SCMP_CMP_MASKED_EQ with 0xffffffff)"},
    LintCheck{"multiplexer-allowed", Severity::kWarning,
              "socketcall or ipc is allowed beside argument rules on the calls it multiplexes, "
              "which it reaches without those rules seeing the arguments",
              "errno(ENOSYS) socketcall, ipc (libc then makes the direct calls the rules see)"},
    LintCheck{"exec-left-open", Severity::kWarning,
              "execve is denied but execveat is allowed: a program still executes (fileless, from "
              "a memfd)",
              "deny execveat (and execve) alike: `@exec`"},
    LintCheck{"io-uring-allowed", Severity::kWarning,
              "io_uring is allowed under a restrictive policy: its submissions open, read and "
              "connect without entering the filter",
              "errno(ENOSYS) @io-uring (libraries fall back to plain syscalls)"},
    LintCheck{
        "clone3-not-enosys", Severity::kWarning,
        "clone has flag rules but clone3 does not fail with ENOSYS: clone3's flags sit "
        "behind a pointer (a bypass if allowed), and glibc falls back to clone only on ENOSYS",
        "errno(ENOSYS) clone3"},
    LintCheck{"allows-ptrace", Severity::kWarning,
              "ptrace is allowed: a process can attach to others of its user and change their "
              "code, filters notwithstanding",
              "deny ptrace (`@ptrace`) unless the program is a debugger"},
    LintCheck{"allows-process-vm-writev", Severity::kWarning,
              "process_vm_writev is allowed: a process writes the memory of others of its user",
              "deny process_vm_writev"},
    LintCheck{
        "allows-personality", Severity::kWarning,
        "personality(READ_IMPLIES_EXEC) is allowed: readable mappings become executable "
        "(and ADDR_NO_RANDOMIZE turns ASLR off)",
        "allow personality only with Docker's values: 0x0, 0x8, 0x20000, 0x20008, 0xffffffff"},
    LintCheck{"allows-userfaultfd", Severity::kWarning,
              "userfaultfd is allowed: it stalls kernel accesses to user memory at will, the "
              "usual aid of kernel exploits",
              "deny userfaultfd"},
    LintCheck{"allows-open-by-handle-at", Severity::kWarning,
              "open_by_handle_at is allowed: it opens files by handle, outside the mount "
              "namespace and chroot (the shocker container escape)",
              "deny open_by_handle_at"},
    LintCheck{"allows-tiocsti", Severity::kWarning,
              "ioctl TIOCSTI (or TIOCLINUX) is allowed: a program pushes keystrokes into the "
              "terminal it shares with its parent's shell",
              "deny ioctl with cmd:u32 == TIOCSTI and TIOCLINUX, or run the program in a new "
              "session (sysgate run does)"},
    LintCheck{"kill-thread", Severity::kWarning,
              "kill-thread ends one thread of a multi-threaded program; the others go on, "
              "holding its locks",
              "use kill-process"},
    LintCheck{"notify-without-listener", Severity::kNote,
              "notify needs a supervisor listening: without one (a runtime with no listenerPath) "
              "the calls fail with ENOSYS",
              "run under `sysgate run`, or give the runtime a listener (`sysgate agent`)"},
    LintCheck{"unreachable-rule", Severity::kWarning,
              "a rule can never apply: earlier rules decide all it names, or its condition is "
              "never true",
              "remove it, or move it before the rules that shadow it"},
};

bool Allows(const Action& a) {
  return a.kind() == ActionKind::kAllow || a.kind() == ActionKind::kLog;
}

class Linter {
 public:
  Linter(const Policy& policy, Arch host) : policy_(policy), host_(host), interp_(policy) {
    for (Arch a : policy.TargetArches()) targets_.push_back(a);
  }

  std::vector<LintFinding> Run() {
    Defaults();
    Abis();
    FromValidator();
    Multiplexers();
    ExecLeftOpen();
    IoUring();
    Clone3();
    DangerousCalls();
    KillThread();
    Notify();
    std::ranges::stable_sort(findings_, [](const LintFinding& a, const LintFinding& b) {
      return a.check < b.check;  // the checks' order (kChecks is one array)
    });
    return std::move(findings_);
  }

 private:
  void Add(std::string_view id, SourceLoc loc, std::string message) {
    findings_.push_back({FindLintCheck(id), std::move(loc), std::move(message)});
  }

  bool Targets(Arch a) const { return std::ranges::find(targets_, a) != targets_.end(); }

  // What the policy does with `name(args)` on `abi`; nothing if the ABI has no such call.
  std::optional<Verdict> On(Arch abi, std::string_view name,
                            std::initializer_list<uint64_t> args = {}) const {
    auto nr = SyscallNumber(abi, name);
    if (!nr) return std::nullopt;
    return interp_.Evaluate(SeccompData::For(abi, *nr, args));
  }

  SourceLoc Where(const Verdict& v) const {
    if (v.reason == Verdict::Reason::kRule) return policy_.rules[static_cast<size_t>(v.rule)].loc;
    return {};
  }
  std::string By(const Verdict& v) const {
    if (v.reason == Verdict::Reason::kRule) return "by this rule";
    return "by the default action";
  }

  // A target ABI on which the call is allowed: the verdict, with the ABI.
  std::optional<std::pair<Arch, Verdict>> AllowedSomewhere(
      std::string_view name, std::initializer_list<uint64_t> args = {}) const {
    for (Arch a : targets_) {
      if (auto v = On(a, name, args); v && Allows(v->action)) return std::pair{a, *v};
    }
    return std::nullopt;
  }

  // Rules with a condition on one of `names`: the first one.
  const Rule* ConditionalRuleOn(const std::vector<std::string_view>& names) const {
    for (const Rule& r : policy_.rules) {
      if (!r.condition) continue;
      for (std::string_view n : policy::RuleSyscallNames(r)) {
        if (std::ranges::find(names, n) != names.end()) return &r;
      }
    }
    return nullptr;
  }

  void Defaults() {
    if (Allows(policy_.default_action)) {
      Add("default-allow", {},
          fmt::format("the default action is {}: every syscall no rule names is allowed, new ones "
                      "included",
                      policy_.default_action.ToString()));
    }
  }

  void Abis() {
    if (Allows(policy_.foreign_abi_action)) {
      Add("foreign-abi-allowed", {},
          fmt::format("calls of ABIs other than {} get {}", fmt::join(Names(targets_), ", "),
                      policy_.foreign_abi_action.ToString()));
    }
    for (Arch a : CompatArches(host_)) {
      // x32 is refused unless named: sysgate's choice, not a finding.
      if (a == Arch::kX32 || Targets(a) || !Targets(host_)) continue;
      Add("abi-not-targeted", {},
          fmt::format("{} runs {} programs, which this policy kills: it targets only {}",
                      Info(host_).name, Info(a).name, fmt::join(Names(targets_), ", ")));
    }
  }

  static std::vector<std::string_view> Names(const std::vector<Arch>& arches) {
    std::vector<std::string_view> out;
    for (Arch a : arches) out.push_back(Info(a).name);
    return out;
  }

  // The validator already finds pointer comparisons and unreachable rules; lint gives them ids.
  void FromValidator() {
    for (const Diagnostic& d : policy::Validate(policy_)) {
      if (d.severity != Severity::kWarning) continue;
      if (d.message.find(" is a pointer: ") != std::string::npos) {
        Add("pointer-argument", d.loc, d.message);
      } else if (d.message.starts_with("this rule is unreachable") ||
                 d.message.starts_with("the condition can never be true")) {
        Add("unreachable-rule", d.loc, d.message);
      }
    }
    for (const Rule& r : policy_.rules) {
      if (Allows(r.action) || !r.condition) continue;
      WideCompares(*r.condition, r);
    }
  }

  void WideCompares(const Condition& c, const Rule& r) {
    if (c.kind() != Condition::Kind::kCompare) {
      for (const Condition& ch : c.children()) WideCompares(ch, r);
      return;
    }
    const Comparison& cmp = c.comparison();
    if (cmp.arg.width != Width::k64 || cmp.arg.index < 0) return;
    for (std::string_view n : policy::RuleSyscallNames(r)) {
      const Signature* sig = FindSignature(n);
      if (!sig || cmp.arg.index >= sig->nargs) continue;
      const ArgInfo& arg = sig->args[static_cast<size_t>(cmp.arg.index)];
      if (arg.bits != 32) continue;
      std::string arg_name =
          arg.name.empty() ? fmt::format("arg{}", cmp.arg.index) : std::string(arg.name);
      Add("wide-compare-32bit-arg", cmp.loc.known() ? cmp.loc : r.loc,
          fmt::format(
              "{}'s {} is 32 bits to the kernel but compared at 64 here: with high bits "
              "set, the call gets past this {} rule and the kernel still reads the low half",
              n, arg_name, r.action.ToString()));
      return;
    }
  }

  // socketcall(SYS_SOCKET, args) and ipc(SHMGET, ...) make the calls that rules on socket or
  // shmget test, with the arguments in memory: probe the sub-call each such rule is about.
  void Multiplexers() {
    struct Mux {
      std::string_view name;
      std::string_view prefix;  // of the sub-call constants: SYS_SOCKET; SHMGET
      std::vector<std::string_view> calls;
    };
    static const Mux kMuxes[] = {
        {"socketcall",
         "SYS_",
         {"socket", "socketpair", "bind", "connect", "listen", "accept", "accept4", "sendto",
          "recvfrom", "sendmsg", "recvmsg", "sendmmsg", "recvmmsg", "setsockopt", "getsockopt",
          "shutdown", "getsockname", "getpeername"}},
        {"ipc",
         "",
         {"semop", "semget", "semctl", "semtimedop", "msgsnd", "msgrcv", "msgget", "msgctl",
          "shmat", "shmdt", "shmget", "shmctl"}},
    };
    for (const Mux& m : kMuxes) MultiplexerOf(m.name, m.prefix, m.calls);
  }

  // The first sub-call of `mux` that gets past a rule on the call it makes; one finding each.
  void MultiplexerOf(std::string_view mux, std::string_view prefix,
                     const std::vector<std::string_view>& calls) {
    for (std::string_view call : calls) {
      const Rule* ruled = ConditionalRuleOn({call});
      if (!ruled) continue;
      std::string sub_name = std::string(prefix) + base::ToUpper(call);
      for (Arch a : targets_) {
        auto sub = FindConstant(a, sub_name);
        if (!sub) continue;
        auto v = On(a, mux, {static_cast<uint64_t>(*sub)});
        if (!v || !Allows(v->action)) continue;
        Add("multiplexer-allowed", Where(*v),
            fmt::format("{}({}) is allowed on {} ({}): it makes {} calls whose arguments the rule "
                        "at {} never sees",
                        mux, sub_name, Info(a).name, By(*v), call, ruled->loc.ToString()));
        return;
      }
    }
  }

  void ExecLeftOpen() {
    auto execve = On(host_, "execve");
    auto execveat = On(host_, "execveat");
    if (!execve || !execveat || Allows(execve->action) || !Allows(execveat->action)) return;
    Add("exec-left-open", Where(*execveat),
        fmt::format("execveat is allowed ({}) while execve gets {}", By(*execveat),
                    execve->action.ToString()));
  }

  void IoUring() {
    if (Allows(policy_.default_action)) return;  // not restrictive: default-allow says it
    auto allowed = AllowedSomewhere("io_uring_setup");
    if (!allowed) return;
    Add("io-uring-allowed", Where(allowed->second),
        fmt::format("io_uring_setup is allowed on {} ({})", Info(allowed->first).name,
                    By(allowed->second)));
  }

  void Clone3() {
    const Rule* ruled = ConditionalRuleOn({"clone"});
    if (!ruled) return;
    for (Arch a : targets_) {
      auto v = On(a, "clone3");
      if (!v) continue;
      const Action& act = v->action;
      if (act.kind() == ActionKind::kErrno &&
          act.data() == 38 /* ENOSYS: policies hold the generic numbers */)
        continue;
      if (act.kind() == ActionKind::kKillProcess || act.kind() == ActionKind::kKillThread ||
          act.kind() == ActionKind::kTrap) {
        continue;  // no bypass; and a program that needs threads fails visibly
      }
      Add("clone3-not-enosys", Where(*v),
          fmt::format("clone3 gets {} on {} ({}), while the rule at {} tests clone's flags",
                      act.ToString(), Info(a).name, By(*v), ruled->loc.ToString()));
      return;
    }
  }

  uint64_t Const(std::string_view name) const {
    return static_cast<uint64_t>(FindConstant(host_, name).value_or(0));
  }

  void Dangerous(std::string_view id, std::string_view name, std::initializer_list<uint64_t> args,
                 std::string_view call) {
    auto v = On(host_, name, args);
    if (!v || !Allows(v->action)) return;
    Add(id, Where(*v), fmt::format("{} is allowed ({})", call, By(*v)));
  }

  void DangerousCalls() {
    Dangerous("allows-ptrace", "ptrace", {Const("PTRACE_ATTACH")}, "ptrace(PTRACE_ATTACH)");
    Dangerous("allows-process-vm-writev", "process_vm_writev", {}, "process_vm_writev");
    Dangerous("allows-personality", "personality", {Const("READ_IMPLIES_EXEC")},
              "personality(READ_IMPLIES_EXEC)");
    Dangerous("allows-userfaultfd", "userfaultfd", {}, "userfaultfd");
    Dangerous("allows-open-by-handle-at", "open_by_handle_at", {}, "open_by_handle_at");
    const uint64_t tiocsti = Const("TIOCSTI"), tioclinux = Const("TIOCLINUX");
    auto sti = On(host_, "ioctl", {0, tiocsti});
    auto sti_high = On(host_, "ioctl", {0, tiocsti | (uint64_t{1} << 32)});
    auto linux_ = On(host_, "ioctl", {0, tioclinux});
    if (sti && Allows(sti->action)) {
      Add("allows-tiocsti", Where(*sti),
          fmt::format("ioctl(fd, TIOCSTI) is allowed ({})", By(*sti)));
    } else if (sti_high && Allows(sti_high->action)) {
      Add("allows-tiocsti", Where(*sti_high),
          fmt::format("ioctl(fd, TIOCSTI | 1 << 32) is allowed ({}): the kernel reads cmd as 32 "
                      "bits and runs TIOCSTI",
                      By(*sti_high)));
    } else if (linux_ && Allows(linux_->action)) {
      Add("allows-tiocsti", Where(*linux_),
          fmt::format("ioctl(fd, TIOCLINUX) is allowed ({})", By(*linux_)));
    }
  }

  void KillThread() {
    if (policy_.default_action.kind() == ActionKind::kKillThread) {
      Add("kill-thread", {}, "the default action is kill-thread");
    }
    for (const Rule& r : policy_.rules) {
      if (r.action.kind() == ActionKind::kKillThread)
        Add("kill-thread", r.loc, "this rule kills the calling thread only");
    }
  }

  void Notify() {
    for (ActionKind k : policy_.ActionKinds()) {
      if (k == ActionKind::kNotify) {
        Add("notify-without-listener", {},
            "the policy notifies a supervisor: it works under sysgate run or with a listener, "
            "and fails calls with ENOSYS elsewhere");
      }
    }
  }

  const Policy& policy_;
  Arch host_;
  Interpreter interp_;
  std::vector<Arch> targets_;
  std::vector<LintFinding> findings_;
};

}  // namespace

std::span<const LintCheck> LintChecks() { return kChecks; }

const LintCheck* FindLintCheck(std::string_view id) {
  for (const LintCheck& c : kChecks) {
    if (c.id == id) return &c;
  }
  return nullptr;
}

std::vector<LintFinding> Lint(const Policy& policy, Arch host) {
  return Linter(policy, host).Run();
}

}  // namespace sysgate::analysis
