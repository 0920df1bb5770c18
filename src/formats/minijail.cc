// minijail0 .policy files (one architecture each):
//   name: 1 | allow                       allow
//   name: EXPR [; return N | ; ACTION]    allow where EXPR holds; else errno N / ACTION / default
//   name: return N | kill | kill-process | kill-thread | trap | trace | log | user-notify
//   {a, b}: ...                           several syscalls
//   @include PATH   @frequency PATH (ordering hint; ignored)   @default ACTION   @denylist
// EXPR: argN OP VALUE joined by && (tighter) and ||, OP one of == != < <= > >= & (some bit of
// VALUE set) in (no bit outside VALUE); !EXPR is not minijail's. VALUE: numbers and named
// constants joined by |, each optionally ~. Comparisons are 64-bit and unsigned.
#include <algorithm>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "base/files.h"
#include "base/strings.h"
#include "formats/registry.h"

namespace sysgate::formats {
namespace {

class MinijailReader {
 public:
  explicit MinijailReader(const ImportOptions& o)
      : o_(o), arch_(TargetArch(o)), includes_(o.include_dirs, o.max_include_depth, o.filename) {}

  Imported Run(std::string_view text) {
    File(std::string(text), o_.filename);
    if (HasErrors(out_.diagnostics)) return std::move(out_);
    Policy p;
    p.arches = {arch_};
    p.default_action =
        default_action_.value_or(denylist_ ? Action::Allow() : Action::KillProcess());
    p.unknown_action = p.default_action;  // minijail has no separate action for unknown numbers
    p.default_loc = p.unknown_loc = default_loc_;
    p.rules = std::move(rules_);
    return Finish(std::move(p), std::move(out_));
  }

 private:
  void Diag(Severity s, const SourceLoc& loc, std::string msg, int len = 1) {
    out_.diagnostics.push_back({s, loc, std::move(msg), len});
  }
  void Error(const SourceLoc& loc, std::string msg, int len = 1) {
    Diag(Severity::kError, loc, std::move(msg), len);
  }

  void File(const std::string& text, const std::string& name) {
    std::istringstream in(text);
    std::string line;
    int lineno = 0;
    while (std::getline(in, line)) {
      ++lineno;
      size_t hash = line.find('#');
      std::string_view l = base::Trim(std::string_view(line).substr(0, hash));
      if (l.empty()) continue;
      SourceLoc loc{name, lineno, static_cast<int>(line.find_first_not_of(" \t") + 1)};
      if (l.front() == '@')
        Directive(l, loc, name);
      else
        Entry(l, loc);
    }
  }

  void Directive(std::string_view l, const SourceLoc& loc, const std::string& file) {
    size_t sp = l.find_first_of(" \t");
    std::string_view word = l.substr(0, sp);
    std::string_view arg = sp == l.npos ? std::string_view() : base::Trim(l.substr(sp));
    if (word == "@denylist") {
      if (!rules_.empty()) Error(loc, "@denylist must come before the rules");
      denylist_ = true;
    } else if (word == "@frequency") {
      Diag(Severity::kNote, loc,
           "@frequency is an ordering hint; sysgate orders by its own cost model");
    } else if (word == "@default") {
      auto a = ActionWord(std::string(arg), loc);
      if (a) default_action_ = *a;
      default_loc_ = loc;
    } else if (word == "@include") {
      Include(std::string(arg), loc, file);
    } else {
      Error(loc,
            fmt::format("unknown directive '{}' (@include, @frequency, @default, @denylist)", word),
            static_cast<int>(word.size()));
    }
  }

  void Include(const std::string& path, const SourceLoc& loc, const std::string& from) {
    auto read = [&](const std::string& name, const std::string& text) { File(text, name); };
    if (auto inc = includes_.Include(path, from, out_.sources, read); !inc) {
      Error(loc, inc.error().message, static_cast<int>(path.size()) + 9);
    }
  }

  std::optional<Action> ActionWord(const std::string& w, const SourceLoc& loc) {
    std::string_view s = base::Trim(w);
    if (s == "allow" || s == "1") return Action::Allow();
    if (s == "kill" || s == "kill-process") return Action::KillProcess();
    if (s == "kill-thread") return Action::KillThread();
    if (s == "trap") return Action::Trap(0);
    if (s == "trace") return Action::Trace(0);
    if (s == "log") return Action::Log();
    if (s == "user-notify") return Action::Notify();
    if (s.starts_with("return")) {
      std::string_view v = base::Trim(s.substr(6));
      auto n = base::ParseInteger(v);
      auto e = ErrnoFromName(v);
      if (n && *n <= 4095) return Action::Errno(static_cast<uint32_t>(*n));
      if (e) return Action::Errno(static_cast<uint32_t>(*e));
      Error(loc, fmt::format("return needs an errno number or name, not '{}'", v));
      return std::nullopt;
    }
    Error(loc, fmt::format("unknown action '{}' (allow, return N, kill, kill-process, kill-thread, "
                           "trap, trace, log, user-notify)",
                           s));
    return std::nullopt;
  }

  void Entry(std::string_view l, const SourceLoc& loc) {
    size_t colon = l.find(':');
    if (colon == l.npos) {
      Error(loc, "expected 'syscall: action or filter'");
      return;
    }
    std::string_view names = base::Trim(l.substr(0, colon));
    std::string_view body = base::Trim(l.substr(colon + 1));
    std::vector<std::string> list;
    if (names.starts_with('{') && names.ends_with('}')) {
      std::string inner(names.substr(1, names.size() - 2));
      std::istringstream ss(inner);
      for (std::string n; std::getline(ss, n, ',');) list.emplace_back(base::Trim(n));
    } else {
      list.emplace_back(names);
    }
    Rule r;
    r.loc = loc;
    for (const std::string& n : list) {
      std::string name = n.substr(0, n.find('['));  // name[arch=...] metadata
      if (name.find('@') != std::string::npos) {
        Error(loc, fmt::format("syscall groups ('{}') are not supported", name),
              static_cast<int>(name.size()));
        return;
      }
      if (!IsSyscallName(name)) {
        out_.diagnostics.push_back(UnknownSyscallDiagnostic(o_, loc, name, "skipped"));
        continue;
      }
      if (!SyscallNumber(arch_, name)) {
        Diag(Severity::kWarning, loc,
             fmt::format("{} does not exist on {}; skipped", name, Info(arch_).name));
        continue;
      }
      if (!seen_.insert(name).second) {
        Error(loc, fmt::format("{} is listed twice (minijail refuses this)", name),
              static_cast<int>(name.size()));
        return;
      }
      r.syscalls.push_back(SyscallSpec::Name(name));
    }
    if (r.syscalls.empty()) return;
    // "EXPR; return N" or "EXPR; ACTION": what happens where EXPR fails.
    std::optional<Action> on_fail;
    if (size_t semi = body.find(';'); semi != body.npos) {
      on_fail = ActionWord(std::string(body.substr(semi + 1)), loc);
      if (!on_fail) return;
      body = base::Trim(body.substr(0, semi));
    }
    if (!body.starts_with("arg")) {
      auto a = ActionWord(std::string(body), loc);
      if (!a) return;
      if (denylist_ && *a == Action::Allow()) {
        Error(loc, "a @denylist policy lists what is denied; 'allow' makes no sense here");
        return;
      }
      r.action = *a;
      rules_.push_back(std::move(r));
      return;
    }
    if (denylist_) {
      Error(loc, "argument filters are not allowed in a @denylist policy");
      return;
    }
    auto cond = Expr(body, loc);
    if (!cond) return;
    r.action = Action::Allow();
    r.condition = *cond;
    Rule fail = r;
    rules_.push_back(std::move(r));
    if (on_fail) {
      fail.action = *on_fail;
      fail.condition.reset();
      rules_.push_back(std::move(fail));
    }
  }

  // a || b || c, each a && b && c of comparisons.
  std::optional<Condition> Expr(std::string_view s, const SourceLoc& loc) {
    std::vector<Condition> ors;
    for (std::string_view disj : Split(s, "||")) {
      std::vector<Condition> ands;
      for (std::string_view atom : Split(disj, "&&")) {
        auto c = Atom(base::Trim(atom), loc);
        if (!c) return std::nullopt;
        ands.push_back(*c);
      }
      ors.push_back(ands.size() == 1 ? ands[0] : Condition::And(std::move(ands)));
    }
    return ors.size() == 1 ? ors[0] : Condition::Or(std::move(ors));
  }

  static std::vector<std::string_view> Split(std::string_view s, std::string_view sep) {
    std::vector<std::string_view> out;
    size_t pos = 0;
    while (true) {
      size_t at = s.find(sep, pos);
      out.push_back(s.substr(pos, at == s.npos ? s.npos : at - pos));
      if (at == s.npos) return out;
      pos = at + sep.size();
    }
  }

  std::optional<Condition> Atom(std::string_view a, const SourceLoc& loc) {
    // argN OP VALUE
    size_t i = 3;
    while (i < a.size() && std::isdigit(static_cast<unsigned char>(a[i]))) ++i;
    if (!a.starts_with("arg") || i == 3 || i - 3 > 1 || a[3] > '5') {
      Error(loc, fmt::format("expected argN (N 0..5) in '{}'", a));
      return std::nullopt;
    }
    Comparison c;
    c.arg.index = a[3] - '0';
    c.arg.width = Width::k64;
    c.arg.explicit_type = true;
    std::string_view rest = base::Trim(a.substr(i));
    static const std::pair<std::string_view, CmpOp> kOps[] = {
        {"==", CmpOp::kEq}, {"!=", CmpOp::kNe}, {"<=", CmpOp::kLe},      {">=", CmpOp::kGe},
        {"<", CmpOp::kLt},  {">", CmpOp::kGt},  {"&", CmpOp::kMaskedEq}, {"in", CmpOp::kIn}};
    for (auto [sym, op] : kOps) {
      if (!rest.starts_with(sym)) continue;
      auto v = Value(base::Trim(rest.substr(sym.size())), loc);
      if (!v) return std::nullopt;
      c.op = op;
      c.operands = {{*v, {}}};
      if (sym == "&") {  // some bit of v is set: !((arg & v) == 0)
        c.op = CmpOp::kMaskedEq;
        c.operands = {{*v, {}}, {0, {}}};
        return Condition::Not(Condition::Compare(c));
      }
      if (sym == "in") {  // no bit outside v: (arg & ~v) == 0
        c.op = CmpOp::kMaskedEq;
        c.operands = {{~*v, {}}, {0, {}}};
      }
      return Condition::Compare(c);
    }
    Error(loc, fmt::format("expected an operator (== != < <= > >= & in) in '{}'", a));
    return std::nullopt;
  }

  // Numbers and constants joined by |, each optionally ~.
  std::optional<uint64_t> Value(std::string_view v, const SourceLoc& loc) {
    uint64_t out = 0;
    for (std::string_view part : Split(v, "|")) {
      part = base::Trim(part);
      bool inv = part.starts_with('~');
      if (inv) part = base::Trim(part.substr(1));
      if (part.starts_with('(') && part.ends_with(')'))
        part = base::Trim(part.substr(1, part.size() - 2));
      std::optional<uint64_t> x = base::ParseInteger(part);
      if (!x) {
        if (auto c = FindConstant(part)) x = static_cast<uint64_t>(*c);
      }
      if (!x) {
        Error(loc,
              fmt::format("unknown value '{}' (a number or a constant such as PROT_EXEC)", part));
        return std::nullopt;
      }
      out |= inv ? ~*x : *x;
    }
    return out;
  }

  const ImportOptions& o_;
  Arch arch_;
  Imported out_;
  std::vector<Rule> rules_;
  std::set<std::string> seen_;
  bool denylist_ = false;
  std::optional<Action> default_action_;
  SourceLoc default_loc_;
  base::IncludeReader includes_;
};

}  // namespace

Imported ImportMinijail(std::string_view text, const ImportOptions& o) {
  return MinijailReader(o).Run(text);
}

}  // namespace sysgate::formats
