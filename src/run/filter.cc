// run::Filter: a policy made into what a run installs, with every check that must pass before
// a program may start under it.
#include <mutex>
#include <optional>

#include <fmt/format.h>

#include "base/check.h"
#include "run/baked_profiles.h"
#include "supervise/policy_supervisor.h"
#include "sysgate/compiler.h"
#include "sysgate/kernel.h"
#include "sysgate/policy_text.h"
#include "sysgate/run.h"

namespace sysgate::run {

struct Filter::State {
  Supervision supervision = Supervision::kReport;
  bpf::Program program;
  // The policy as written: given, or parsed from a built-in profile on first use (a baked
  // profile's supervisor needs it only at the first blocked call, if ever).
  std::string builtin;
  mutable std::once_flag parse_once;
  mutable std::optional<Policy> policy;
  kernel::LandlockRuleset landlock;
};

namespace {

// Report needs user notification (and a listener); without it the kernel does everything.
Supervision Effective(Supervision s, const kernel::Features& f) {
  const bool notify = f.user_notif && (f.flags & kernel::FilterFlags({.new_listener = true}));
  if (s == Supervision::kReport && !notify) return Supervision::kNone;
  return s;
}

Result<void> CheckKernel(Supervision s, std::span<const ActionKind> kinds,
                         const kernel::Features& f) {
  if (!f.filter_mode)
    return MakeError(ErrorCode::kUnsupported, "this kernel does not support seccomp filters");
  if (s == Supervision::kAudit && Effective(Supervision::kReport, f) == Supervision::kNone) {
    return MakeError(ErrorCode::kUnsupported,
                     "audit mode needs seccomp user notification, which this kernel lacks");
  }
  for (ActionKind k : kinds) {
    if (!f.Supports(k)) {
      return MakeError(ErrorCode::kUnsupported,
                       fmt::format("the policy uses {}, which this kernel does not support ({})",
                                   ActionKindName(k), f.ToString()));
    }
  }
  return {};
}

// The rule FilterOptions::deny_terminal_injection puts in front of a policy; it names itself
// in reports.
Rule TerminalRule() {
  ParsedPolicy p = ParsePolicyText("errno(EPERM) ioctl if cmd == TIOCSTI || cmd == TIOCLINUX\n",
                                   "<sysgate: no terminal injection>");
  SG_CHECK(p.ok() && p.policy->rules.size() == 1, "the terminal rule parses");
  return p.policy->rules[0];
}

Policy Routed(const Policy& policy, Supervision s) {
  switch (s) {
    case Supervision::kReport: return supervise::RouteForReports(policy);
    case Supervision::kAudit: return supervise::RouteForAudit(policy);
    case Supervision::kNone: break;
  }
  return policy;
}

}  // namespace

Result<Filter> Filter::ForPolicy(const Policy& written, const FilterOptions& options) {
  const kernel::Features& features = kernel::Probe();
  const Supervision supervision = Effective(options.supervision, features);
  Policy policy = written;
  if (options.deny_terminal_injection && supervision != Supervision::kAudit) {
    policy.rules.insert(policy.rules.begin(), TerminalRule());
  }
  if (auto ok = CheckKernel(supervision, policy.ActionKinds(), features); !ok) return ok.error();
  // Paths opened and checked now: a missing one, or rules this kernel cannot enforce, stop the
  // run before anything starts. Audit mode lets every access happen, so it applies none.
  kernel::LandlockRuleset landlock;
  if (supervision != Supervision::kAudit) {
    auto made = kernel::LandlockRuleset::Make(policy.access);
    if (!made) return made.error();
    landlock = std::move(*made);
  }
  Policy installed = Routed(policy, supervision);
  if (supervision == Supervision::kReport && options.report_access && !policy.access.empty()) {
    installed = supervise::RouteAccessForReports(installed);
  }
  auto program = Compile(installed);
  if (!program) return program.error();
  auto s = std::make_shared<State>();
  s->supervision = supervision;
  s->program = std::move(*program);
  s->policy = std::move(policy);
  s->landlock = std::move(landlock);
  return Filter(std::move(s));
}

Result<Filter> Filter::Builtin(std::string_view name, const FilterOptions& options) {
  const BakedProfile* baked = FindBakedProfile(name);
  const kernel::Features& features = kernel::Probe();
  const Supervision effective = Effective(options.supervision, features);
  if (!baked || effective == Supervision::kAudit) {
    ParsedPolicy parsed = ParseBuiltinProfile(name);
    if (!parsed.ok()) {
      return MakeError(ErrorCode::kNotFound, UnknownProfileMessage(name));
    }
    // The profiles deny TIOCSTI and TIOCLINUX themselves (run/baked_profiles_test.cc).
    return ForPolicy(*parsed.policy,
                     {.supervision = options.supervision, .deny_terminal_injection = false});
  }
  if (auto ok = CheckKernel(effective, baked->actions, features); !ok) return ok.error();
  auto s = std::make_shared<State>();
  s->supervision = effective;
  auto insns = effective == Supervision::kReport ? baked->supervised : baked->unsupervised;
  s->program.assign(insns.begin(), insns.end());
  s->builtin = std::string(name);
  return Filter(std::move(s));
}

Supervision Filter::supervision() const { return s_->supervision; }

const kernel::LandlockRuleset& Filter::landlock() const { return s_->landlock; }

const bpf::Program& Filter::program() const { return s_->program; }

const Policy& Filter::policy() const {
  std::call_once(s_->parse_once, [&] {
    if (s_->policy) return;
    ParsedPolicy parsed = ParseBuiltinProfile(s_->builtin);
    // Baked from this very text when sysgate was built (run/baked_profiles_test.cc).
    SG_CHECK(parsed.ok(), "a built-in profile that parsed when sysgate was built must parse now");
    s_->policy = std::move(*parsed.policy);
  });
  return *s_->policy;
}

}  // namespace sysgate::run
