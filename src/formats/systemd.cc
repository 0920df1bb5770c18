// systemd unit-file lines: SystemCallFilter=, SystemCallErrorNumber=, SystemCallArchitectures=.
//
// Reading follows systemd.exec(5): the first SystemCallFilter= decides between an allow list
// (which also allows @default) and a deny list (~); later lines of the same kind add to the set,
// of the other kind take away from it; an empty assignment resets. Entries are names and @groups,
// deny-list entries may carry :ERRNO. Syscalls outside an allow list get SystemCallErrorNumber=
// (an errno, "kill" or "log"), or kill the process when it is unset.
#include <algorithm>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "base/strings.h"
#include "formats/flatten.h"
#include "formats/registry.h"
#include "formats/systemd_widen.h"
#include "policy/groups.h"

namespace sysgate::formats {
namespace {

#include "formats/generated/libseccomp_unknown.inc"

// systemd reads each name with libseccomp and ignores those it does not know: in a deny list
// the call is then not denied, in an allow list not allowed. Which names depends on the
// libseccomp systemd links; the list is Debian 12's (tools/gen/gen_libseccomp_names.py).
bool SystemdIgnores(std::string_view name) {
  return std::ranges::find(kLibseccompUnknown, name) != std::end(kLibseccompUnknown);
}

std::optional<Diagnostic> IgnoredNames(const std::vector<std::string>& names, bool deny) {
  std::vector<std::string_view> ignored;
  for (const std::string& n : names) {
    if (SystemdIgnores(n)) ignored.push_back(n);
  }
  if (ignored.empty()) return std::nullopt;
  std::ranges::sort(ignored);
  ignored.erase(std::unique(ignored.begin(), ignored.end()), ignored.end());
  return Diagnostic{
      Severity::kWarning,
      {},
      fmt::format("systemd ignores the syscall names its libseccomp does not know, so with "
                  "Debian 12's (systemd 252, libseccomp {}) {} {} {}",
                  kLibseccompVersion, fmt::join(ignored, ", "), ignored.size() == 1 ? "is" : "are",
                  deny ? "not denied" : "not allowed"),
      1};
}

struct Item {
  std::string name;        // syscall or @group
  std::optional<int> err;  // deny list: name:ERRNO
  SourceLoc loc;
};

// systemd's architecture names (seccomp_arch_to_string) for the ones that differ from ours.
constexpr std::pair<std::string_view, Arch> kSystemdArchNames[] = {
    {"x86-64", Arch::kX86_64},
    {"x86", Arch::kI386},
    {"x32", Arch::kX32},
    {"arm64", Arch::kAarch64},
    {"arm", Arch::kArm},
    {"ppc64-le", Arch::kPpc64le},
    {"mips64-le", Arch::kMips64el},
    {"mips-le", Arch::kMipsel},
    {"mips64-n32-le", Arch::kMips64n32el},
    {"mips64-n32", Arch::kMips64n32},
    {"loongarch64", Arch::kLoongarch64},
};

std::optional<Arch> SystemdArch(std::string_view name) {
  for (auto [n, a] : kSystemdArchNames) {
    if (n == name) return a;
  }
  return ArchFromName(name);
}

std::string_view SystemdArchName(Arch a) {
  for (auto [n, arch] : kSystemdArchNames) {
    if (arch == a) return n;
  }
  return Info(a).name;
}

std::vector<std::string> Members(const std::string& item) {
  if (item.starts_with('@')) {
    const policy::SyscallGroup* g = policy::FindGroup(item);
    if (!g) return {};
    return {g->members.begin(), g->members.end()};
  }
  return {item};
}

class SystemdReader {
 public:
  explicit SystemdReader(const ImportOptions& o) : o_(o) {}

  Imported Run(std::string_view text) {
    std::istringstream in{std::string(text)};
    std::string line, logical;
    int lineno = 0, start = 0;
    while (std::getline(in, line)) {
      ++lineno;
      // systemd skips comment lines, also those inside a continued line.
      std::string_view t = base::Trim(line);
      if (!t.empty() && (t[0] == '#' || t[0] == ';')) continue;
      if (logical.empty()) start = lineno;
      if (!line.empty() && line.back() == '\\') {  // continuation
        logical += line.substr(0, line.size() - 1) + " ";
        continue;
      }
      logical += line;
      Line(logical, start);
      logical.clear();
    }
    if (!logical.empty()) Line(logical, start);
    if (HasErrors(out_.diagnostics)) return std::move(out_);
    Policy p = Build();
    return Finish(std::move(p), std::move(out_));
  }

 private:
  void Diag(Severity s, SourceLoc loc, std::string msg, int len = 1) {
    loc.file = o_.filename;
    out_.diagnostics.push_back({s, loc, std::move(msg), len});
  }

  void Line(const std::string& raw, int lineno) {
    std::string_view l = base::Trim(raw);
    if (l.empty() || l[0] == '#' || l[0] == ';') return;
    if (l[0] == '[') {  // a section: only [Service] (or lines before any section) are read
      in_service_ = l == "[Service]";
      return;
    }
    if (!in_service_) return;
    size_t eq = l.find('=');
    if (eq == std::string_view::npos) return;
    std::string key(base::Trim(l.substr(0, eq)));
    std::string_view value = base::Trim(l.substr(eq + 1));
    int col = static_cast<int>(raw.find('=') + 2);
    SourceLoc loc{o_.filename, lineno, col};
    if (key == "SystemCallFilter")
      Filter(value, loc);
    else if (key == "SystemCallErrorNumber")
      ErrorNumber(value, loc);
    else if (key == "SystemCallArchitectures")
      Architectures(value, loc);
    else if (key == "SystemCallLog") {
      Diag(Severity::kWarning, loc,
           "SystemCallLog= is not read: sysgate policies log with the log action");
    }
  }

  // Words with their columns, quotes taken off.
  std::vector<std::pair<std::string, SourceLoc>> Words(std::string_view v, SourceLoc loc) {
    std::vector<std::pair<std::string, SourceLoc>> out;
    size_t i = 0;
    while (i < v.size()) {
      while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i]))) ++i;
      size_t s = i;
      while (i < v.size() && !std::isspace(static_cast<unsigned char>(v[i]))) ++i;
      if (i > s) {
        SourceLoc l = loc;
        l.column += static_cast<int>(s);
        std::string w(v.substr(s, i - s));
        if (w.size() >= 2 && (w.front() == '"' || w.front() == '\'') && w.back() == w.front()) {
          w = w.substr(1, w.size() - 2);
        }
        out.emplace_back(w, l);
      }
    }
    return out;
  }

  void Filter(std::string_view v, SourceLoc loc) {
    if (v.empty()) {  // reset
      mode_.reset();
      items_.clear();
      return;
    }
    bool deny = v.front() == '~';
    if (deny) {
      v.remove_prefix(1);
      ++loc.column;
    }
    if (!mode_) {
      mode_ = deny ? 'd' : 'a';
      if (!deny) items_.push_back({"@default", std::nullopt, loc});  // systemd adds it
    }
    bool adding = (*mode_ == 'd') == deny;
    for (auto& [w, wl] : Words(v, loc)) {
      Item it{w, std::nullopt, wl};
      if (auto colon = w.find(':'); colon != std::string::npos) {
        std::string e = w.substr(colon + 1);
        it.name = w.substr(0, colon);
        auto n = base::ParseInteger(e);
        auto named = ErrnoFromName(base::ToUpper(e));
        if (n && *n <= 4095)
          it.err = static_cast<int>(*n);
        else if (named)
          it.err = *named;
        else if (e == "kill")
          it.err = -1;
        else {
          Diag(Severity::kError, wl,
               fmt::format("unknown errno '{}' (an errno name, a number 0..4095, or kill)", e),
               static_cast<int>(w.size()));
          continue;
        }
        if (*mode_ == 'a') {
          Diag(Severity::kWarning, wl, "systemd ignores :ERRNO in an allow list",
               static_cast<int>(w.size()));
          it.err.reset();
        }
      }
      if (it.name.starts_with('@') ? !policy::FindGroup(it.name) : !IsSyscallName(it.name)) {
        if (it.name.starts_with('@')) {
          Diag(Severity::kError, wl, fmt::format("unknown syscall group '{}'", it.name),
               static_cast<int>(it.name.size()));
        } else {
          out_.diagnostics.push_back(
              UnknownSyscallDiagnostic(o_, wl, it.name, "skipped, as systemd does"));
        }
        continue;
      }
      if (!adding) {
        Remove(it.name);
      } else if (std::ranges::none_of(
                     items_, [&](const Item& x) { return x.name == it.name && x.err == it.err; })) {
        items_.push_back(std::move(it));  // once: a repeated entry changes nothing
      }
    }
  }

  // Takes the syscalls of `name` out of the set, splitting groups that contain them.
  void Remove(const std::string& name) {
    std::vector<std::string> gone = Members(name);
    std::vector<Item> next;
    for (Item& it : items_) {
      std::vector<std::string> m = Members(it.name);
      bool hit = std::ranges::any_of(
          m, [&](const std::string& s) { return std::ranges::find(gone, s) != gone.end(); });
      if (!hit) {
        next.push_back(std::move(it));
        continue;
      }
      for (const std::string& s : m) {
        if (std::ranges::find(gone, s) == gone.end()) next.push_back({s, it.err, it.loc});
      }
    }
    items_ = std::move(next);
  }

  void ErrorNumber(std::string_view v, SourceLoc loc) {
    std::string s(v);
    error_number_loc_ = loc;
    if (s.empty())
      error_number_.reset();
    else if (s == "kill")
      error_number_ = Action::KillProcess();
    else if (s == "log")
      error_number_ = Action::Log();
    else if (auto n = base::ParseInteger(s); n && *n <= 4095)
      error_number_ = Action::Errno(static_cast<uint32_t>(*n));
    else if (auto e = ErrnoFromName(base::ToUpper(s)))
      error_number_ = Action::Errno(static_cast<uint32_t>(*e));
    else
      Diag(
          Severity::kError, loc,
          fmt::format(
              "SystemCallErrorNumber=: unknown value '{}' (an errno name or number, kill, log)", s),
          static_cast<int>(s.size()));
  }

  void Architectures(std::string_view v, SourceLoc loc) {
    if (v.empty()) {
      arches_.clear();
      return;
    }
    for (auto& [w, wl] : Words(v, loc)) {
      std::optional<Arch> a = w == "native" ? std::optional(HostArch()) : SystemdArch(w);
      if (!a) {
        Diag(Severity::kError, wl, UnknownArchMessage(w), static_cast<int>(w.size()));
        continue;
      }
      if (std::ranges::find(arches_, *a) == arches_.end()) arches_.push_back(*a);
    }
  }

  Policy Build() {
    Policy p;
    p.arches = arches_;
    // Names that came out of a split group and exist on none of the targets: systemd skips them.
    std::vector<Arch> targets = p.TargetArches();
    std::erase_if(items_, [&](const Item& it) {
      return !it.name.starts_with('@') && std::ranges::none_of(targets, [&](Arch a) {
        return SyscallNumber(a, it.name).has_value();
      });
    });
    Action blocked = error_number_.value_or(Action::KillProcess());
    if (!mode_ || *mode_ == 'a') {
      p.default_action = mode_ ? blocked : Action::Allow();
      if (mode_) p.default_loc = error_number_loc_;
      if (!mode_) {
        if (!arches_.empty())
          Diag(Severity::kNote, {},
               "no SystemCallFilter=: every syscall is allowed on the listed architectures");
        return p;
      }
      Rule r;
      r.action = Action::Allow();
      r.loc = items_.empty() ? SourceLoc{o_.filename, 0, 0} : items_.front().loc;
      for (const Item& it : items_) r.syscalls.push_back(Spec(it));
      if (!r.syscalls.empty()) p.rules.push_back(std::move(r));
      return p;
    }
    p.default_action = Action::Allow();
    // One rule per action, in the order the actions first appear.
    for (const Item& it : items_) {
      Action a = !it.err         ? blocked
                 : *it.err == -1 ? Action::KillProcess()
                                 : Action::Errno(static_cast<uint32_t>(*it.err));
      auto rule = std::ranges::find_if(p.rules, [&](const Rule& r) { return r.action == a; });
      if (rule == p.rules.end()) {
        p.rules.push_back(Rule{a, {}, {}, std::nullopt, it.loc});
        rule = p.rules.end() - 1;
      }
      rule->syscalls.push_back(Spec(it));
    }
    return p;
  }

  static SyscallSpec Spec(const Item& it) {
    SyscallSpec s =
        it.name.starts_with('@') ? SyscallSpec::Group(it.name) : SyscallSpec::Name(it.name);
    s.loc = it.loc;
    return s;
  }

  const ImportOptions& o_;
  Imported out_;
  std::optional<char> mode_;  // 'a' allow list, 'd' deny list
  std::vector<Item> items_;
  std::optional<Action> error_number_;
  SourceLoc error_number_loc_;
  std::vector<Arch> arches_;
  bool in_service_ = true;
};

// Lines of "Key=" + words, wrapped near 100 columns.
void PutList(std::string& out, std::string_view key, std::string_view prefix,
             const std::vector<std::string>& words) {
  std::string line;
  for (const std::string& w : words) {
    if (!line.empty() && line.size() + w.size() > 100) {
      out += line + "\n";
      line.clear();
    }
    line += line.empty() ? fmt::format("{}={}{}", key, prefix, w) : " " + w;
  }
  if (!line.empty()) out += line + "\n";
}

void AddError(std::vector<Diagnostic>& diagnostics, std::string message) {
  diagnostics.push_back({Severity::kError, {}, std::move(message), 1});
}

// The errno of an errno action as systemd reads it: its name, or its number when it has none.
std::string ErrnoWord(const Action& a) {
  auto n = ErrnoName(static_cast<int>(a.data()));
  return n ? std::string(*n) : std::to_string(a.data());
}

// False, with an error, when a rule tests arguments: systemd has no way to say it.
bool FiltersBySyscallOnly(const std::vector<FlatRule>& flat, std::vector<Diagnostic>& diagnostics) {
  for (const FlatRule& r : flat) {
    if (!r.args.empty()) {
      AddError(diagnostics,
               fmt::format("systemd filters by syscall only: the rule for {} tests arguments",
                           r.names.front()));
      return false;
    }
  }
  return true;
}

// A policy that allows by default, as "SystemCallFilter=~name[:ERRNO] ...". False, with an error,
// when a rule's action is neither an errno nor kill-process; `out` is then unfinished.
bool PutDenyList(std::string& out, const std::vector<FlatRule>& flat,
                 std::vector<Diagnostic>& diagnostics) {
  std::vector<std::string> words;
  for (const FlatRule& r : flat) {
    std::string suffix;
    if (r.action.kind() == ActionKind::kErrno) {
      suffix = ":" + ErrnoWord(r.action);
    } else if (r.action.kind() != ActionKind::kKillProcess) {
      AddError(diagnostics,
               fmt::format("a systemd deny list fails syscalls with an errno or kills the process; "
                           "{} for {} cannot be written",
                           r.action.ToString(), r.names.front()));
      return false;
    }
    for (const std::string& n : r.names) words.push_back(n + suffix);
  }
  PutList(out, "SystemCallFilter", "~", words);
  std::vector<std::string> names;
  for (const FlatRule& r : flat) names.insert(names.end(), r.names.begin(), r.names.end());
  if (auto d = IgnoredNames(names, /*deny=*/true)) diagnostics.push_back(*d);
  return true;
}

// Warns of the @default syscalls that systemd allows along with an allow list of `words`.
void WarnOfImplicitDefault(const std::vector<std::string>& words,
                           std::vector<Diagnostic>& diagnostics) {
  std::vector<std::string> implicit;
  for (std::string_view m : policy::FindGroup("@default")->members) {
    if (std::ranges::find(words, m) == words.end() && !SystemdIgnores(m)) implicit.emplace_back(m);
  }
  if (!implicit.empty()) {
    diagnostics.push_back(
        {Severity::kWarning,
         {},
         fmt::format(
             "systemd always allows @default in an allow list, so these will be allowed too: {}",
             fmt::join(implicit, ", ")),
         1});
  }
}

// The SystemCallErrorNumber= line for the action of the syscalls outside an allow list (none for
// kill-process, systemd's own default). False, with an error, when systemd cannot give it.
bool PutErrorNumber(std::string& out, const Action& outside, std::vector<Diagnostic>& diagnostics) {
  switch (outside.kind()) {
    case ActionKind::kKillProcess: return true;
    case ActionKind::kErrno:
      out += fmt::format("SystemCallErrorNumber={}\n", ErrnoWord(outside));
      return true;
    case ActionKind::kLog:
      // Seen under systemd 252 (Debian 12): "Failed to parse error number, ignoring: log",
      // and the calls outside the list are then killed.
      AddError(
          diagnostics,
          "systemd 252 (Debian 12) does not take SystemCallErrorNumber=log: it ignores the line "
          "and kills the calls outside the allow list; --widen writes a deny list instead (the "
          "calls run, unlogged)");
      return false;
    default:
      AddError(diagnostics,
               fmt::format("systemd cannot give {} to the syscalls outside an allow list (errno, "
                           "kill-process or log)",
                           outside.ToString()));
      return false;
  }
}

// A policy that does not allow by default, as "SystemCallFilter=name ..." and the action for the
// rest. False, with an error, when a rule does anything but allow or systemd cannot give the
// default; `out` is then unfinished.
bool PutAllowList(std::string& out, const Policy& p, const std::vector<FlatRule>& flat,
                  std::vector<Diagnostic>& diagnostics) {
  std::vector<std::string> words;
  for (const FlatRule& r : flat) {
    if (r.action != Action::Allow()) {
      AddError(diagnostics,
               fmt::format("a systemd allow list gives every other syscall the same action; {} for "
                           "{} differs from the default {}",
                           r.action.ToString(), r.names.front(), p.default_action.ToString()));
      return false;
    }
    words.insert(words.end(), r.names.begin(), r.names.end());
  }
  WarnOfImplicitDefault(words, diagnostics);
  PutList(out, "SystemCallFilter", "",
          words.empty() ? std::vector<std::string>{"@default"} : words);
  if (auto d = IgnoredNames(words, /*deny=*/false)) diagnostics.push_back(*d);
  return PutErrorNumber(out, p.default_action, diagnostics);
}

// What the written lines do under systemd: `p` with the unknown action ImportSystemd gives and,
// in an allow list, @default allowed first.
Policy MeaningUnderSystemd(const Policy& p, std::vector<Diagnostic>& diagnostics) {
  Policy means = p;
  if (p.unknown_action != Policy{}.unknown_action) {  // what ImportSystemd gives them
    diagnostics.push_back(
        {Severity::kWarning,
         {},
         fmt::format("systemd cannot set the action for unknown syscall numbers ({}): they get {}",
                     p.unknown_action.ToString(), Policy{}.unknown_action.ToString()),
         1});
    means.unknown_action = Policy{}.unknown_action;
  }
  if (p.default_action != Action::Allow()) {  // systemd allows @default first
    means.rules.insert(
        means.rules.begin(),
        Rule{Action::Allow(), {SyscallSpec::Group("@default")}, {}, std::nullopt, {}});
    ResolveAndValidate(means);
  }
  return means;
}

}  // namespace

Imported ImportSystemd(std::string_view text, const ImportOptions& o) {
  return SystemdReader(o).Run(text);
}

Exported ExportSystemd(const Policy& p, const ExportOptions& o) {
  Exported e;
  FlattenOptions fo;
  fo.format = "systemd";
  std::vector<FlatRule> flat = Flatten(p, fo, e.diagnostics);
  if (HasErrors(e.diagnostics)) return e;
  if (o.widen) {
    Policy wide = WidenForSystemd(p, flat, e.diagnostics);
    ExportOptions once = o;
    once.widen = false;
    Exported w = ExportSystemd(wide, once);
    w.diagnostics.insert(w.diagnostics.begin(), e.diagnostics.begin(), e.diagnostics.end());
    return w;
  }
  if (!FiltersBySyscallOnly(flat, e.diagnostics)) return e;
  std::string out = "# Generated by sysgate from a policy; for the [Service] section of a unit.\n";
  std::vector<std::string> arches;
  for (Arch a : p.TargetArches()) arches.emplace_back(SystemdArchName(a));
  PutList(out, "SystemCallArchitectures", "", arches);
  bool written = p.default_action == Action::Allow() ? PutDenyList(out, flat, e.diagnostics)
                                                     : PutAllowList(out, p, flat, e.diagnostics);
  if (!written) return e;
  e.text = out;
  e.means = MeaningUnderSystemd(p, e.diagnostics);
  return e;
}

}  // namespace sysgate::formats
