#include "lang/parser.h"

#include <algorithm>
#include <deque>
#include <map>
#include <memory>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "base/files.h"
#include "base/nesting.h"
#include "base/strings.h"
#include "lang/lexer.h"
#include "policy/resolve.h"
#include "sysgate/limits.h"

namespace sysgate::lang {
namespace {

constexpr int kMaxErrors = 50;

// What all files of one parse share.
struct Context {
  const ParseOptions* options;
  ParsedPolicy* out;
  Policy policy;
  std::optional<base::IncludeReader> includes;
  std::optional<SourceLoc> default_loc, unknown_loc, foreign_loc, arch_loc;
  std::map<std::string, SourceLoc> const_locs;
  // `fs none`, `net bind none`, `net connect none` and the first rule that grants each (they
  // contradict each other).
  std::optional<SourceLoc> fs_none_loc, fs_grant_loc;
  std::map<uint64_t, SourceLoc> net_none_loc, net_grant_loc;
  int errors = 0;
  bool stop = false;  // a limit was reached: read no further

  void Diag(Severity s, SourceLoc loc, std::string msg, int length = 1) {
    if (s == Severity::kError) ++errors;
    if (errors > kMaxErrors) return;
    out->diagnostics.push_back({s, std::move(loc), std::move(msg), std::max(length, 1)});
  }
};

// Raised (as a return value) when a statement cannot be parsed; the parser then skips to the
// next line.
struct Failed {};

class FileParser {
 public:
  FileParser(Context& ctx, std::string file, std::string_view text)
      : ctx_(ctx), file_(std::move(file)), reader_(text) {}

  void Run() {
    while (true) {
      SkipSeparators();
      // Tokens of earlier statements are done with: only this one's are held.
      toks_.erase(toks_.begin(), toks_.begin() + static_cast<std::ptrdiff_t>(pos_));
      pos_ = 0;
      if (Peek().kind == Tok::kEnd) return;
      if (ctx_.errors > kMaxErrors || ctx_.stop) return;
      size_t start = pos_;
      if (!Statement()) {
        // Recover: skip the rest of this line (at least one token).
        if (pos_ == start) ++pos_;
        while (TokAt(pos_).kind != Tok::kNewline && TokAt(pos_).kind != Tok::kSemicolon &&
               TokAt(pos_).kind != Tok::kEnd) {
          ++pos_;
        }
        nest_ = 0;
        continue;
      }
      const Token& t = Peek();
      if (t.kind != Tok::kNewline && t.kind != Tok::kSemicolon && t.kind != Tok::kEnd) {
        Error(t, fmt::format("expected the end of the statement, found {}", Describe(t)));
        while (TokAt(pos_).kind != Tok::kNewline && TokAt(pos_).kind != Tok::kEnd) {
          ++pos_;
        }
      }
    }
  }

 private:
  // ---- tokens ----

  // The token at `i`, read from the source when first asked for; kEnd past the end.
  const Token& TokAt(size_t i) {
    while (toks_.size() <= i) {
      if (!toks_.empty() && toks_.back().kind == Tok::kEnd) return toks_.back();
      toks_.push_back(reader_.Next());
    }
    return toks_[i];
  }

  const Token& Peek(size_t ahead = 0) {
    size_t i = pos_;
    while (true) {  // the token list ends with kEnd, so these loops stop
      while (nest_ > 0 && TokAt(i).kind == Tok::kNewline) ++i;
      if (ahead == 0 || TokAt(i).kind == Tok::kEnd) return TokAt(i);
      ++i;
      --ahead;
    }
  }

  const Token& Take() {
    while (nest_ > 0 && TokAt(pos_).kind == Tok::kNewline) ++pos_;
    const Token& t = TokAt(pos_);
    if (t.kind != Tok::kEnd) ++pos_;
    if (t.kind == Tok::kLParen || t.kind == Tok::kLBrace) ++nest_;
    if ((t.kind == Tok::kRParen || t.kind == Tok::kRBrace) && nest_ > 0) --nest_;
    return t;
  }

  bool At(Tok k) { return Peek().kind == k; }
  bool AtWord(std::string_view w) { return Peek().kind == Tok::kIdent && Peek().text == w; }

  bool Accept(Tok k) {
    if (!At(k)) return false;
    Take();
    return true;
  }
  bool AcceptWord(std::string_view w) {
    if (!AtWord(w)) return false;
    Take();
    return true;
  }

  // After a token that cannot end a statement (',', '|', '&&', 'if', ...), a line break
  // continues it.
  void SkipNewlines() {
    while (TokAt(pos_).kind == Tok::kNewline) ++pos_;
  }
  void SkipSeparators() {
    while (TokAt(pos_).kind == Tok::kNewline || TokAt(pos_).kind == Tok::kSemicolon) ++pos_;
  }

  SourceLoc Loc(const Token& t) const { return SourceLoc{file_, t.line, t.column}; }

  std::string Describe(const Token& t) const {
    switch (t.kind) {
      case Tok::kIdent: return fmt::format("'{}'", t.text);
      case Tok::kNumber: return fmt::format("number {}", t.text);
      case Tok::kGroup: return fmt::format("group {}", t.text);
      case Tok::kString: return fmt::format("string \"{}\"", t.text);
      case Tok::kPath: return fmt::format("path {}", base::Abbreviate(t.text));
      default: return std::string(TokName(t.kind));
    }
  }

  bool Error(const Token& t, std::string msg) {
    if (t.kind == Tok::kError) {
      ctx_.Diag(Severity::kError, Loc(t), t.text, t.length);  // the lexer's message
    } else {
      ctx_.Diag(Severity::kError, Loc(t), std::move(msg), t.length);
    }
    return false;
  }

  bool Expect(Tok k, std::string_view what) {
    if (Accept(k)) return true;
    return Error(Peek(), fmt::format("expected {}, found {}", what, Describe(Peek())));
  }

  // ---- statements ----

  bool Statement() {
    const Token& t = Peek();
    if (t.kind != Tok::kIdent) {
      return Error(
          t,
          fmt::format(
              "expected a rule (`allow read, write`) or a statement "
              "(default, unknown, foreign, arch, include, const, option, fs, net, scope), found {}",
              Describe(t)));
    }
    if (t.text == "include") return Include();
    if (t.text == "arch") return ArchStatement();
    if (t.text == "default" || t.text == "unknown" || t.text == "foreign")
      return DefaultStatement();
    if (t.text == "const") return ConstStatement();
    if (t.text == "option") return OptionStatement();
    if (t.text == "fs") return FsStatement();
    if (t.text == "net") return NetStatement();
    if (t.text == "scope") return ScopeStatement();
    return RuleStatement();
  }

  bool Include() {
    Take();
    const Token& path_tok = Peek();
    if (!Accept(Tok::kString)) {
      return Error(path_tok, fmt::format("expected a quoted file name after include, found {}",
                                         Describe(path_tok)));
    }
    auto parse = [&](const std::string& name, const std::string& text) {
      FileParser(ctx_, name, text).Run();
    };
    if (auto inc = ctx_.includes->Include(path_tok.text, file_, ctx_.out->sources, parse); !inc) {
      ctx_.Diag(Severity::kError, Loc(path_tok), inc.error().message, path_tok.length);
    }
    return true;
  }

  bool ArchStatement() {
    const Token& kw = Take();
    if (ctx_.arch_loc) {
      return Error(
          kw, fmt::format("the target arches are already set at {}", ctx_.arch_loc->ToString()));
    }
    std::vector<Arch> arches;
    if (!ArchList(arches, /*allow_native=*/true)) return false;
    ctx_.arch_loc = Loc(kw);
    ctx_.policy.arches = arches;
    return true;
  }

  bool ArchList(std::vector<Arch>& out, bool allow_native) {
    do {
      SkipNewlines();
      const Token& t = Peek();
      if (t.kind != Tok::kIdent) {
        return Error(t, fmt::format("expected an arch name (x86_64, aarch64, i386, ...), found {}",
                                    Describe(t)));
      }
      Take();
      std::vector<Arch> add;
      if (t.text == "native" && allow_native) {
        add = DefaultArches();
      } else if (auto a = ArchFromName(t.text)) {
        add = {*a};
      } else {
        return Error(t, UnknownArchMessage(t.text));
      }
      for (Arch a : add) {
        if (std::ranges::find(out, a) == out.end()) out.push_back(a);
      }
    } while (Accept(Tok::kComma));
    return true;
  }

  // `default`, `unknown` or `foreign` (the action for calls of ABIs the policy does not target).
  bool DefaultStatement() {
    const Token& kw = Take();
    const bool is_default = kw.text == "default", is_foreign = kw.text == "foreign";
    auto& first = is_default ? ctx_.default_loc : is_foreign ? ctx_.foreign_loc : ctx_.unknown_loc;
    if (first) {
      return Error(kw,
                   fmt::format("the {} action is already set at {}", kw.text, first->ToString()));
    }
    std::optional<Action> a = ParseAction();
    if (!a) return false;
    first = Loc(kw);
    if (is_foreign) {
      ctx_.policy.foreign_abi_action = *a;
      return true;
    }
    (is_default ? ctx_.policy.default_action : ctx_.policy.unknown_action) = *a;
    (is_default ? ctx_.policy.default_loc : ctx_.policy.unknown_loc) = Loc(kw);
    return true;
  }

  bool ConstStatement() {
    Take();
    const Token& name = Peek();
    if (!Accept(Tok::kIdent)) {
      return Error(name,
                   fmt::format("expected a constant name after const, found {}", Describe(name)));
    }
    if (auto it = ctx_.const_locs.find(name.text); it != ctx_.const_locs.end()) {
      if (!it->second.known()) {
        return Error(name, fmt::format("constant {} is also given by the program loading the "
                                       "policy (sysgate's -D {}=VALUE, ParseOptions::constants)",
                                       name.text, name.text));
      }
      return Error(name, fmt::format("constant {} is already defined at {}", name.text,
                                     it->second.ToString()));
    }
    if (!Expect(Tok::kAssign, "'='")) return false;
    SkipNewlines();
    std::optional<Operand> v = Expr();
    if (!v) return false;
    if (IsConstantName(name.text)) {
      ctx_.Diag(Severity::kWarning, Loc(name),
                fmt::format("const {} hides the system constant of that name", name.text),
                name.length);
    }
    ctx_.const_locs[name.text] = Loc(name);
    ctx_.policy.constants.push_back({name.text, *v});
    return true;
  }

  bool OptionStatement() {
    Take();
    const Token& t = Peek();
    if (!Accept(Tok::kIdent)) {
      return Error(t, fmt::format("expected an option name, found {}", Describe(t)));
    }
    if (t.text == "allow-errno-zero") {
      ctx_.policy.allow_errno_zero = true;
      return true;
    }
    return Error(t, fmt::format("unknown option '{}' (known: allow-errno-zero)", t.text));
  }

  // ---- fs, net, scope: Landlock (sysgate/access_rules.h) ----

  AccessRules& Access(const Token& kw) {
    AccessRules& a = ctx_.policy.access;
    if (!a.loc.known()) a.loc = Loc(kw);
    return a;
  }

  // A contradiction between `none` and a rule that grants: an error at the later one.
  bool Contradicts(const Token& at, std::optional<SourceLoc>& other, std::string_view what) {
    if (!other) return false;
    Error(at, fmt::format("{} contradicts the statement at {}", what, other->ToString()));
    return true;
  }

  // fs best-effort | fs none | fs RIGHTS... PATH, PATH...
  bool FsStatement() {
    const Token& kw = Take();
    if (AcceptWord("best-effort")) {
      Access(kw).best_effort = true;
      return true;
    }
    if (AtWord("none")) {
      const Token& none = Take();
      if (Contradicts(none, ctx_.fs_grant_loc, "fs none")) return false;
      ctx_.fs_none_loc = Loc(none);
      Access(kw).handled_fs = fs_access::kAll;
      return true;
    }
    uint64_t access = 0;
    while (Peek().kind == Tok::kIdent) {
      const Token& w = Take();
      auto bits = FsAccessFromName(w.text);
      if (!bits) {
        std::string msg = fmt::format("unknown fs access right '{}'", base::Abbreviate(w.text));
        if (auto near = base::ClosestMatch(w.text, FsAccessNames())) {
          msg += fmt::format("; did you mean '{}'?", *near);
        } else if (access != 0) {  // after the rights: a path without its '/'
          msg = fmt::format("expected an absolute path (/usr, \"/srv/my files\"), found {}",
                            Describe(w));
        } else {
          msg += " (read, write, exec, create, remove, all, or a right: docs/landlock.md)";
        }
        return Error(w, msg);
      }
      access |= *bits;
    }
    if (access == 0) {
      return Error(Peek(), fmt::format("expected fs access rights (read, write, exec, ...), "
                                       "best-effort or none, found {}",
                                       Describe(Peek())));
    }
    if (Contradicts(kw, ctx_.fs_none_loc, "a rule that grants fs access")) return false;
    if (!ctx_.fs_grant_loc) ctx_.fs_grant_loc = Loc(kw);
    AccessRules& a = Access(kw);
    a.handled_fs = fs_access::kAll;
    bool first_item = true;
    do {
      if (!std::exchange(first_item, false)) SkipNewlines();  // only after a ','
      const Token& p = Peek();
      if (p.kind != Tok::kPath && p.kind != Tok::kString) {
        return Error(p, fmt::format("expected an absolute path (/usr, \"/srv/my files\"), found {}",
                                    Describe(p)));
      }
      Take();
      a.paths.push_back({access, p.text, Loc(p)});
    } while (Accept(Tok::kComma));
    return true;
  }

  // net bind|connect... none | net bind|connect... PORT[..PORT], ...
  bool NetStatement() {
    const Token& kw = Take();
    uint64_t access = 0;
    while (AtWord("bind") || AtWord("connect")) {
      access |= Take().text == "bind" ? net_access::kBindTcp : net_access::kConnectTcp;
    }
    if (access == 0) {
      return Error(Peek(),
                   fmt::format("expected bind or connect after net, found {}", Describe(Peek())));
    }
    AccessRules& a = Access(kw);
    const bool none = AtWord("none");
    const Token& at = none ? Take() : kw;
    auto& mine = none ? ctx_.net_none_loc : ctx_.net_grant_loc;
    auto& other = none ? ctx_.net_grant_loc : ctx_.net_none_loc;
    for (uint64_t bit : {net_access::kBindTcp, net_access::kConnectTcp}) {
      if (!(access & bit)) continue;
      std::optional<SourceLoc> seen;
      if (auto it = other.find(bit); it != other.end()) seen = it->second;
      std::string what = none ? fmt::format("net {} none", NetAccessName(bit))
                              : fmt::format("a rule that grants net {}", NetAccessName(bit));
      if (Contradicts(at, seen, what)) return false;
      mine.emplace(bit, Loc(at));
    }
    if (none) {
      a.handled_net |= access;
      return true;
    }
    a.handled_net |= access;
    bool first_item = true;
    do {
      if (!std::exchange(first_item, false)) SkipNewlines();  // only after a ','
      const Token& first = Peek();
      auto lo = Port();
      if (!lo) return false;
      uint16_t hi = *lo;
      if (Accept(Tok::kDotDot)) {
        auto h = Port();
        if (!h) return false;
        hi = *h;
      }
      a.ports.push_back({access, *lo, hi, Loc(first)});
    } while (Accept(Tok::kComma));
    return true;
  }

  std::optional<uint16_t> Port() {
    const Token& t = Peek();
    if (t.kind != Tok::kNumber) {
      Error(t, fmt::format("expected a TCP port (80, 8000..8080) or none, found {}", Describe(t)));
      return std::nullopt;
    }
    Take();
    auto v = base::ParseInteger(t.text);
    if (!v || *v > 65535 || t.text.front() == '-') {
      Error(t, fmt::format("'{}' is not a TCP port (0..65535)", base::Abbreviate(t.text)));
      return std::nullopt;
    }
    return static_cast<uint16_t>(*v);
  }

  // scope signals, abstract-unix
  bool ScopeStatement() {
    const Token& kw = Take();
    uint64_t bits = 0;
    bool first_item = true;
    do {
      if (!std::exchange(first_item, false)) SkipNewlines();  // only after a ','
      const Token& w = Peek();
      auto b = w.kind == Tok::kIdent ? ScopeFromName(w.text) : std::nullopt;
      if (!b) {
        return Error(
            w, fmt::format("expected a scope (signals, abstract-unix), found {}", Describe(w)));
      }
      Take();
      bits |= *b;
    } while (Accept(Tok::kComma));
    Access(kw).scoped |= bits;
    return true;
  }

  // ---- actions ----

  std::optional<Action> ParseAction() {
    const Token& t = Peek();
    if (t.kind != Tok::kIdent) {
      Error(t, fmt::format("expected an action (allow, errno(EPERM), kill-process, ...), found {}",
                           Describe(t)));
      return std::nullopt;
    }
    static const std::vector<std::string_view> kNames = {
        "allow", "errno", "kill", "kill-process", "kill-thread", "trap", "trace", "log", "notify"};
    const std::string& w = t.text;
    if (std::ranges::find(kNames, w) == kNames.end()) {
      std::string msg = fmt::format("unknown action '{}'", w);
      if (auto m = base::ClosestMatch(w, kNames)) msg += fmt::format("; did you mean '{}'?", *m);
      Error(t, msg +
                   " (actions: allow, errno(E), kill-process, kill-thread, trap, trace, log, "
                   "notify)");
      return std::nullopt;
    }
    Take();
    if (w == "allow") return Action::Allow();
    if (w == "log") return Action::Log();
    if (w == "notify") return Action::Notify();
    if (w == "kill" || w == "kill-process") return Action::KillProcess();
    if (w == "kill-thread") return Action::KillThread();
    bool needs_value = w == "errno";
    if (!At(Tok::kLParen)) {
      if (needs_value) {
        Error(Peek(), "errno needs a value: errno(EPERM) or errno(13)");
        return std::nullopt;
      }
      return w == "trap" ? Action::Trap(0) : Action::Trace(0);
    }
    Take();
    const Token& vt = Peek();
    std::optional<Operand> v = Expr();
    if (!v) return std::nullopt;
    if (!Expect(Tok::kRParen, "')'")) return std::nullopt;
    if (static_cast<int64_t>(v->value) < 0) {
      Error(vt, fmt::format("{} needs a value of 0 or more", w));
      return std::nullopt;
    }
    if (v->value > 0xffffffffULL) {  // validation checks the range of what fits 32 bits
      Error(vt, fmt::format("{}({}) is out of range ({})", w, v->spelling,
                            w == "errno" ? "1..4095" : "0..65535"));
      return std::nullopt;
    }
    uint32_t data = static_cast<uint32_t>(v->value);
    if (w == "errno") return Action::Errno(data);
    return w == "trap" ? Action::Trap(data) : Action::Trace(data);
  }

  // ---- rules ----

  bool RuleStatement() {
    const Token& first = Peek();
    if (ctx_.policy.rules.size() >= limits::kMaxRules) {
      Error(first, fmt::format("the policy has more than {} rules, sysgate's rule limit "
                               "(docs/limits.md)",
                               limits::kMaxRules));
      ctx_.stop = true;  // the rest would be refused too
      return false;
    }
    std::optional<Action> action = ParseAction();
    if (!action) return false;
    Rule rule;
    rule.action = *action;
    rule.loc = Loc(first);
    rule_terms_ = 0;
    if (!SyscallList(rule.syscalls)) return false;
    if (AcceptWord("on")) {
      if (!ArchList(rule.arches, /*allow_native=*/false)) return false;
    }
    if (AtWord("if")) {
      Take();
      SkipNewlines();
      std::optional<Condition> c = Cond();
      if (!c) return false;
      rule.condition = std::move(*c);
    }
    ctx_.policy.rules.push_back(std::move(rule));
    return true;
  }

  bool SyscallList(std::vector<SyscallSpec>& out) {
    bool braced = Accept(Tok::kLBrace);
    do {
      SkipNewlines();
      if (braced && At(Tok::kRBrace)) break;  // trailing comma
      const Token& t = Peek();
      SyscallSpec s;
      s.loc = Loc(t);
      if (t.kind == Tok::kIdent && !(t.text == "if" || t.text == "on")) {
        s = SyscallSpec::Name(t.text);
      } else if (t.kind == Tok::kGroup) {
        s = SyscallSpec::Group(t.text);
      } else if (t.kind == Tok::kNumber) {
        std::optional<int32_t> v = base::ParseInt32(t.text);
        if (!v) {
          return Error(t, fmt::format("syscall number {} is not a 32-bit integer", t.text));
        }
        s = SyscallSpec::Number(*v);
      } else {
        return Error(
            t, fmt::format("expected a syscall name, @group or number, found {}", Describe(t)));
      }
      s.loc = Loc(t);
      Take();
      out.push_back(std::move(s));
    } while (Accept(Tok::kComma));
    if (braced && !Expect(Tok::kRBrace, "'}'")) return false;
    return true;
  }

  // ---- conditions ----

  std::optional<Condition> Cond() {
    std::vector<Condition> terms;
    do {
      SkipNewlines();
      auto t = AndCond();
      if (!t) return std::nullopt;
      terms.push_back(std::move(*t));
    } while (Accept(Tok::kOrOr) || AcceptWord("or"));
    if (terms.size() == 1) return std::move(terms.front());
    return Condition::Or(std::move(terms));
  }

  std::optional<Condition> AndCond() {
    std::vector<Condition> terms;
    do {
      SkipNewlines();
      auto t = Unary();
      if (!t) return std::nullopt;
      terms.push_back(std::move(*t));
    } while (Accept(Tok::kAndAnd) || AcceptWord("and"));
    if (terms.size() == 1) return std::move(terms.front());
    return Condition::And(std::move(terms));
  }

  std::optional<Condition> Unary() {
    base::NestingLevel level(depth_);
    if (level.TooDeep()) {
      Error(Peek(), base::TooDeepMessage("condition"));
      return std::nullopt;
    }
    if (Accept(Tok::kBang) || AcceptWord("not")) {
      auto c = Unary();
      if (!c) return std::nullopt;
      return Condition::Not(std::move(*c));
    }
    return Atom();
  }

  bool MaskedAhead() {
    // '(' arg ['(:' type] '&' ...  — a masked comparison, not a nested condition.
    if (Peek(1).kind != Tok::kIdent) return false;
    if (Peek(2).kind == Tok::kAmp) return true;
    return Peek(2).kind == Tok::kColon && Peek(3).kind == Tok::kIdent && Peek(4).kind == Tok::kAmp;
  }

  std::optional<Condition> Atom() {
    if (At(Tok::kLParen)) {
      if (MaskedAhead()) return MaskedComparison();
      Take();
      auto c = Cond();
      if (!c) return std::nullopt;
      if (!Expect(Tok::kRParen, "')'")) return std::nullopt;
      return c;
    }
    const Token& at = Peek();
    if (!Term(at)) return std::nullopt;
    std::optional<ArgRef> arg = ParseArg();
    if (!arg) return std::nullopt;
    Comparison cmp;
    cmp.arg = *arg;
    cmp.loc = Loc(at);
    const Token& op = Peek();
    static const std::map<Tok, CmpOp> kOps = {{Tok::kEq, CmpOp::kEq}, {Tok::kNe, CmpOp::kNe},
                                              {Tok::kLt, CmpOp::kLt}, {Tok::kLe, CmpOp::kLe},
                                              {Tok::kGt, CmpOp::kGt}, {Tok::kGe, CmpOp::kGe}};
    if (auto it = kOps.find(op.kind); it != kOps.end()) {
      Take();
      SkipNewlines();
      auto v = Expr();
      if (!v) return std::nullopt;
      cmp.op = it->second;
      cmp.operands = {*v};
      return Condition::Compare(std::move(cmp));
    }
    if (op.kind == Tok::kAmp) {  // `flags & O_CLOEXEC`: any of the bits set
      Take();
      SkipNewlines();
      auto m = Expr();
      if (!m) return std::nullopt;
      cmp.op = CmpOp::kMaskedEq;
      cmp.operands = {*m, Operand{0, "0"}};
      return Condition::Not(Condition::Compare(std::move(cmp)));
    }
    bool negate = false;
    if (AtWord("not") && Peek(1).kind == Tok::kIdent && Peek(1).text == "in") {
      Take();
      negate = true;
    }
    if (AcceptWord("in")) {
      SkipNewlines();
      if (!SetOrRange(cmp)) return std::nullopt;
      Condition c = Condition::Compare(std::move(cmp));
      return negate ? Condition::Not(std::move(c)) : c;
    }
    Error(op, fmt::format("expected a comparison after the argument (==, !=, <, <=, >, >=, &, "
                          "in), found {}",
                          Describe(op)));
    return std::nullopt;
  }

  bool SetOrRange(Comparison& cmp) {
    if (Accept(Tok::kLBrace)) {
      cmp.op = CmpOp::kIn;
      while (!At(Tok::kRBrace)) {
        if (cmp.operands.size() == limits::kMaxSetValues) {
          return Error(Peek(), fmt::format("the set has more than {} values, sysgate's limit "
                                           "(docs/limits.md)",
                                           limits::kMaxSetValues));
        }
        auto v = Expr();
        if (!v) return false;
        cmp.operands.push_back(*v);
        if (!Accept(Tok::kComma)) break;
      }
      if (!Expect(Tok::kRBrace, "'}'")) return false;
      if (cmp.operands.empty()) return Error(Peek(), "an empty set can never match");
      return true;
    }
    auto lo = Expr();
    if (!lo) return false;
    if (!Expect(Tok::kDotDot, "'..' of a range (low..high) or a set {a, b}")) return false;
    auto hi = Expr();
    if (!hi) return false;
    cmp.op = CmpOp::kRange;
    cmp.operands = {*lo, *hi};
    return true;
  }

  std::optional<Condition> MaskedComparison() {
    Take();  // '('
    const Token& at = Peek();
    if (!Term(at)) return std::nullopt;
    auto arg = ParseArg();
    if (!arg) return std::nullopt;
    if (!Expect(Tok::kAmp, "'&'")) return std::nullopt;
    auto mask = Expr();
    if (!mask) return std::nullopt;
    if (!Expect(Tok::kRParen, "')'")) return std::nullopt;
    Comparison cmp;
    cmp.arg = *arg;
    cmp.loc = Loc(at);
    cmp.op = CmpOp::kMaskedEq;
    bool negate = false;
    Operand value{0, "0"};
    bool has_value = Accept(Tok::kEq);
    if (!has_value && Accept(Tok::kNe)) has_value = negate = true;
    if (has_value) {
      SkipNewlines();
      auto v = Expr();
      if (!v) return std::nullopt;
      value = *v;
    } else if (At(Tok::kLt) || At(Tok::kLe) || At(Tok::kGt) || At(Tok::kGe)) {
      Error(Peek(), "a masked argument compares only with == or !=");
      return std::nullopt;
    } else {
      negate = true;  // `(flags & X)` alone: any of the bits set
    }
    cmp.operands = {*mask, value};
    Condition c = Condition::Compare(std::move(cmp));
    return negate ? Condition::Not(std::move(c)) : c;
  }

  std::optional<ArgRef> ParseArg() {
    const Token& t = Peek();
    if (t.kind != Tok::kIdent) {
      Error(t, fmt::format("expected an argument (arg0..arg5 or a name such as flags), found {}",
                           Describe(t)));
      return std::nullopt;
    }
    Take();
    ArgRef arg;
    if (t.text.size() >= 4 && t.text.starts_with("arg") &&
        std::all_of(t.text.begin() + 3, t.text.end(),
                    [](char c) { return c >= '0' && c <= '9'; })) {
      auto n = base::ParseInteger(t.text.substr(3));
      if (!n || *n > 5 || (t.text.size() > 4 && t.text[3] == '0')) {
        Error(t, fmt::format("there is no argument {}: syscalls have arg0..arg5",
                             base::Abbreviate(t.text)));
        return std::nullopt;
      }
      arg.index = static_cast<int>(*n);
    } else {
      arg.name = t.text;
    }
    if (Accept(Tok::kColon)) {
      const Token& ty = Peek();
      static const std::map<std::string_view, std::pair<Width, bool>> kTypes = {
          {"u32", {Width::k32, false}},
          {"s32", {Width::k32, true}},
          {"u64", {Width::k64, false}},
          {"s64", {Width::k64, true}}};
      auto it = ty.kind == Tok::kIdent ? kTypes.find(ty.text) : kTypes.end();
      if (it == kTypes.end()) {
        Error(ty, fmt::format("expected an argument type (u32, s32, u64, s64), found {}",
                              Describe(ty)));
        return std::nullopt;
      }
      Take();
      arg.width = it->second.first;
      arg.is_signed = it->second.second;
      arg.explicit_type = true;
    }
    return arg;
  }

  // Counts one more comparison in the rule's condition, within the limit (checked here too, so
  // that an endless condition is not read to its end first).
  bool Term(const Token& at) {
    if (++rule_terms_ <= limits::kMaxConditionTerms) return true;
    Error(at, fmt::format("the condition has more than {} comparisons, sysgate's limit per rule "
                          "(docs/limits.md)",
                          limits::kMaxConditionTerms));
    return false;
  }

  // ---- constant expressions: | << ~ - ( ) numbers and names ----

  std::optional<Operand> Expr() {
    auto lhs = ShiftExpr();
    if (!lhs) return std::nullopt;
    while (Accept(Tok::kPipe)) {
      SkipNewlines();
      auto rhs = ShiftExpr();
      if (!rhs) return std::nullopt;
      lhs = OnEveryAbi(*lhs, *rhs, lhs->spelling + " | " + rhs->spelling,
                       [](uint64_t a, uint64_t b) { return a | b; });
    }
    return lhs;
  }

  std::optional<Operand> ShiftExpr() {
    auto lhs = UnaryExpr();
    if (!lhs) return std::nullopt;
    while (At(Tok::kShl)) {
      const Token& op = Take();
      auto rhs = UnaryExpr();
      if (!rhs) return std::nullopt;
      if (rhs->value > 63) {
        Error(op, fmt::format("shift by {} is out of range (0..63)", rhs->value));
        return std::nullopt;
      }
      lhs = OnEveryAbi(*lhs, *rhs, lhs->spelling + " << " + rhs->spelling,
                       [](uint64_t a, uint64_t b) { return b > 63 ? 0 : a << b; });
    }
    return lhs;
  }

  std::optional<Operand> UnaryExpr() {
    base::NestingLevel level(depth_);
    if (level.TooDeep()) {
      Error(Peek(), base::TooDeepMessage("expression"));
      return std::nullopt;
    }
    if (Accept(Tok::kTilde)) {
      auto v = UnaryExpr();
      if (!v) return std::nullopt;
      return OnEveryAbi(*v, *v, "~" + v->spelling, [](uint64_t a, uint64_t) { return ~a; });
    }
    const Token& t = Peek();
    if (t.kind == Tok::kNumber) {
      Take();
      auto v = base::ParseInteger(t.text);
      if (!v) {
        Error(t, fmt::format("'{}' is not a valid number", t.text));
        return std::nullopt;
      }
      return Operand{*v, t.text};
    }
    if (t.kind == Tok::kIdent) {
      Take();
      for (const NamedConstant& c : ctx_.policy.constants) {
        if (c.name == t.text) return Operand{c.value.value, t.text, c.value.per_abi};
      }
      if (IsConstantName(t.text)) return SystemConstant(t.text);
      std::string msg = fmt::format("unknown constant '{}'", t.text);
      std::vector<std::string_view> names = ConstantNames();
      for (const NamedConstant& c : ctx_.policy.constants) names.push_back(c.name);
      if (auto m = base::ClosestMatch(t.text, names))
        msg += fmt::format("; did you mean '{}'?", *m);
      Error(t, msg);
      return std::nullopt;
    }
    if (At(Tok::kLParen)) {
      Take();
      auto v = Expr();
      if (!v) return std::nullopt;
      if (!Expect(Tok::kRParen, "')'")) return std::nullopt;
      return Operand{v->value, "(" + v->spelling + ")", v->per_abi};
    }
    Error(t, fmt::format("expected a number or a constant name, found {}", Describe(t)));
    return std::nullopt;
  }

  // A system constant with each ABI's value (O_DIRECTORY differs between x86_64 and aarch64).
  static Operand SystemConstant(const std::string& name) {
    auto abi_values = std::make_shared<AbiValues>();
    std::optional<uint64_t> first;
    for (Arch a : AllArches()) {
      auto v = FindConstant(a, name);
      if (!v) {
        abi_values->missing |= uint32_t{1} << static_cast<unsigned>(a);
        continue;
      }
      abi_values->values[static_cast<size_t>(a)] = static_cast<uint64_t>(*v);
      if (!first) first = static_cast<uint64_t>(*v);  // x86_64's, the first ABI
    }
    Operand out{*first, name, nullptr};
    bool same = abi_values->missing == 0 &&
                std::ranges::all_of(abi_values->values, [&](uint64_t v) { return v == *first; });
    if (!same) out.per_abi = std::move(abi_values);
    return out;
  }

  // `f` applied to the values of a and b on every ABI.
  template <class F>
  static Operand OnEveryAbi(const Operand& a, const Operand& b, std::string spelling, F f) {
    Operand out{f(a.value, b.value), std::move(spelling), nullptr};
    if (!a.per_abi && !b.per_abi) return out;
    auto abi_values = std::make_shared<AbiValues>();
    for (Arch abi : AllArches()) {
      auto x = a.On(abi), y = b.On(abi);
      if (x && y) {
        abi_values->values[static_cast<size_t>(abi)] = f(*x, *y);
      } else {
        abi_values->missing |= uint32_t{1} << static_cast<unsigned>(abi);
      }
    }
    out.per_abi = std::move(abi_values);
    return out;
  }

  Context& ctx_;
  std::string file_;
  TokenReader reader_;
  std::deque<Token> toks_;  // from the current statement's first on (references stay valid)
  size_t pos_ = 0;
  int nest_ = 0;           // open ( and { : newlines inside them do not end the statement
  int depth_ = 0;          // recursion depth of conditions and expressions (base::NestingLevel)
  size_t rule_terms_ = 0;  // comparisons in the rule being read
};

}  // namespace

Diagnostic UnreadableFile(const Error& read_error) {
  Error e = read_error;
  SourceLoc loc = std::move(e.loc);
  e.loc = {};
  return {Severity::kError, std::move(loc), e.ToString(), 1};
}

void Parse(std::string_view text, std::string_view filename, const ParseOptions& options,
           ParsedPolicy& out) {
  Context ctx;
  ctx.options = &options;
  ctx.out = &out;
  for (const auto& [cname, value] : options.constants) {
    ctx.const_locs[cname] = SourceLoc{};  // given by the program: no location
    ctx.policy.constants.push_back({cname, Operand{value, std::to_string(value)}});
  }
  std::string name(filename);
  out.sources[name] = std::string(text);
  ctx.includes.emplace(options.include_dirs, options.max_include_depth, name);
  FileParser(ctx, name, out.sources[name]).Run();
  if (ctx.errors > kMaxErrors) {
    out.diagnostics.push_back({Severity::kNote, {}, "too many errors; stopped", 1});
  }
  if (ctx.errors > 0) return;
  std::vector<Diagnostic> more =
      options.validate ? ResolveAndValidate(ctx.policy) : policy::Resolve(ctx.policy);
  std::ranges::stable_sort(more, [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.loc.file, a.loc.line, a.loc.column) <
           std::tie(b.loc.file, b.loc.line, b.loc.column);
  });
  out.diagnostics.insert(out.diagnostics.end(), more.begin(), more.end());
  if (!HasErrors(out.diagnostics)) out.policy = std::move(ctx.policy);
}

}  // namespace sysgate::lang
