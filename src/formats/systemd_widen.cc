#include "formats/systemd_widen.h"

#include <cerrno>

#include <algorithm>
#include <string>

#include <fmt/format.h>

namespace sysgate::formats {
namespace {

// How much of the call a verdict lets run: allow (and log) run it; a tracer or supervisor may
// let it run; the denials, from the one the program survives to the one that kills it.
int Permissiveness(const Action& a) {
  switch (a.kind()) {
    case ActionKind::kAllow: return 6;
    case ActionKind::kLog: return 5;
    case ActionKind::kNotify:
    case ActionKind::kTrace: return 4;
    case ActionKind::kErrno: return 3;
    case ActionKind::kTrap: return 2;
    case ActionKind::kKillThread: return 1;
    case ActionKind::kKillProcess: return 0;
  }
  return 0;
}

}  // namespace

Policy WidenForSystemd(const Policy& p, const std::vector<FlatRule>& flat, std::vector<Diagnostic>& diags) {
  const bool allow_list = p.default_action != Action::Allow();
  std::vector<std::string> names;
  for (const FlatRule& r : flat) {
    for (const std::string& n : r.names) {
      if (std::ranges::find(names, n) == names.end()) names.push_back(n);
    }
  }
  Policy w = p;
  w.rules.clear();
  for (const std::string& name : names) {
    // The verdicts the syscall gets: its rules' (disjoint), and the default's where they test
    // arguments and none holds.
    std::vector<Action> verdicts;
    bool conditional = true;
    for (const FlatRule& r : flat) {
      if (std::ranges::find(r.names, name) == r.names.end()) continue;
      verdicts.push_back(r.action);
      conditional = conditional && !r.args.empty();
    }
    if (conditional) verdicts.push_back(p.default_action);
    Action widest = verdicts.front();
    for (const Action& a : verdicts) {
      if (Permissiveness(a) > Permissiveness(widest) || (a == p.default_action && Permissiveness(a) == Permissiveness(widest))) {
        widest = a;
      }
    }
    // What systemd can give it (an allow list allows or gives the default; a deny list
    // allows, fails with an errno or kills the process), never less permissive than `widest`:
    // two errnos are as permissive, but a program may count on one (ENOSYS makes glibc try the
    // older call), so the call is allowed rather than failed otherwise.
    auto at_least = [&](const Action& a) {
      return a == widest || (Permissiveness(a) > Permissiveness(widest) && !(a.kind() == ActionKind::kErrno &&
                                                                           widest.kind() == ActionKind::kErrno));
    };
    Action said = Action::Allow();
    if (Permissiveness(widest) >= 4) {
      said = Action::Allow();
    } else if (allow_list) {
      said = at_least(p.default_action) ? p.default_action : Action::Allow();
    } else if (widest.kind() == ActionKind::kErrno || widest.kind() == ActionKind::kKillProcess) {
      said = widest;
    } else {  // trap, kill-thread: failing the call is what systemd has nearest
      said = Action::Errno(EPERM);
    }
    if (conditional || said != verdicts.front()) {
      std::vector<std::string> texts;
      for (const Action& a : verdicts) {
        std::string t = a.ToString();
        if (std::ranges::find(texts, t) == texts.end()) texts.push_back(t);
      }
      std::string why = conditional ? fmt::format("{} by its arguments", fmt::join(texts, " or "))
                                    : verdicts.front().ToString();
      diags.push_back({Severity::kWarning, {},
                       fmt::format("--widen: {} gets {} (the policy: {})", name, said.ToString(), why), 1});
    }
    if (said != p.default_action) w.rules.push_back(Rule{said, {SyscallSpec::Name(name)}, {}, std::nullopt, {}});
  }
  ResolveAndValidate(w);
  return w;
}

}  // namespace sysgate::formats
