#include "formats/systemd_widen.h"

#include <cerrno>

#include <algorithm>
#include <string>

#include <fmt/format.h>

#include "policy/permissiveness.h"

namespace sysgate::formats {
namespace {

using policy::NotLessPermissive;

// Changes past this many are one warning naming the rest, so none is lost behind the
// diagnostics' display limit.
constexpr size_t kWarningsEach = 40;

// The default systemd can give: errno or kill-process outside an allow list, or allow (a deny
// list). A log, supervisor's or tracer's default may let calls run: allow; a trap or a killed
// thread: fail the call instead.
Action SayableDefault(const Action& a) {
  switch (a.kind()) {
    case ActionKind::kNotify:
    case ActionKind::kTrace:
    case ActionKind::kLog:
      return Action::Allow();  // systemd 252 takes no SystemCallErrorNumber=log
    case ActionKind::kTrap:
    case ActionKind::kKillThread: return Action::Errno(EPERM);
    default: return a;
  }
}

}  // namespace

Policy WidenForSystemd(const Policy& p, const std::vector<FlatRule>& flat,
                       std::vector<Diagnostic>& diags) {
  std::vector<std::string> changes;
  Policy w = p;
  w.rules.clear();
  w.default_action = SayableDefault(p.default_action);
  if (w.default_action != p.default_action) {
    changes.push_back(fmt::format("the default becomes {} (the policy: {})",
                                  w.default_action.ToString(), p.default_action.ToString()));
  }
  const bool allow_list = w.default_action != Action::Allow();
  std::vector<std::string> names;
  for (const FlatRule& r : flat) {
    for (const std::string& n : r.names) {
      if (std::ranges::find(names, n) == names.end()) names.push_back(n);
    }
  }
  for (const std::string& name : names) {
    // The verdicts the syscall gets: its rules' (disjoint), and the default's where they test
    // arguments and none holds.
    std::vector<Action> verdicts;
    bool conditional = true;
    for (const FlatRule& r : flat) {
      if (std::ranges::find(r.names, name) == r.names.end()) continue;
      if (std::ranges::find(verdicts, r.action) == verdicts.end()) verdicts.push_back(r.action);
      conditional = conditional && !r.args.empty();
    }
    if (conditional && std::ranges::find(verdicts, p.default_action) == verdicts.end()) {
      verdicts.push_back(p.default_action);
    }
    // The first verdict systemd can say that is not less permissive than any of them: an allow
    // list allows or gives its default; a deny list allows, fails with an errno or kills.
    std::vector<Action> choices;
    if (allow_list) {
      choices = {w.default_action, Action::Allow()};
    } else {
      for (const Action& v : verdicts) {
        if (v.kind() == ActionKind::kErrno || v.kind() == ActionKind::kKillProcess)
          choices.push_back(v);
      }
      choices.push_back(Action::Errno(EPERM));
      choices.push_back(Action::Allow());
    }
    Action said = Action::Allow();
    for (const Action& c : choices) {
      if (std::ranges::all_of(verdicts, [&](const Action& v) { return NotLessPermissive(v, c); })) {
        said = c;
        break;
      }
    }
    if (conditional || verdicts.size() > 1 || said != verdicts.front()) {
      std::vector<std::string> texts;
      for (const Action& a : verdicts) texts.push_back(a.ToString());
      changes.push_back(fmt::format("{} gets {} (the policy: {}{})", name, said.ToString(),
                                    fmt::join(texts, " or "),
                                    conditional ? " by its arguments" : ""));
    }
    if (said != w.default_action)
      w.rules.push_back(Rule{said, {SyscallSpec::Name(name)}, {}, std::nullopt, {}});
  }
  for (size_t i = 0; i < changes.size() && i < kWarningsEach; ++i) {
    diags.push_back({Severity::kWarning, {}, "--widen: " + changes[i], 1});
  }
  if (changes.size() > kWarningsEach) {
    std::vector<std::string> rest;
    for (size_t i = kWarningsEach; i < changes.size(); ++i)
      rest.push_back(changes[i].substr(0, changes[i].find(' ')));
    diags.push_back(
        {Severity::kWarning,
         {},
         fmt::format("--widen: {} more syscalls changed: {}", rest.size(), fmt::join(rest, ", ")),
         1});
  }
  ResolveAndValidate(w);
  return w;
}

}  // namespace sysgate::formats
