// nsjail's Kafel language (github.com/google/kafel), the documented subset:
//   #define NAME VALUE         #include "file"
//   POLICY name { ACTION { rule, rule }, USE other, ... }
//   USE name, name DEFAULT ACTION        (or the entries themselves, then DEFAULT ACTION)
//   rule: name | name(a, b, c) { expr, expr } | SYSCALL[nr] ...   (comma between exprs = OR)
//   expr: || && ! ( ) and comparisons == != < <= > >= of an argument, optionally masked
//         (flags & MASK) == VALUE, with values joined by |.
//   ACTION: ALLOW LOG KILL KILL_THREAD KILL_PROCESS DENY USER_NOTIF ERRNO(n) TRAP(n) TRACE(n)
// Comparisons are 64-bit and unsigned; rules are tried in the order the policy expands to.
// Not supported (an error names them): arch-specific syscall definitions and 32-bit argument
// declarations.
#include <algorithm>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "base/files.h"
#include "base/nesting.h"
#include "base/strings.h"
#include "formats/registry.h"
#include "sysgate/limits.h"

namespace sysgate::formats {
namespace {

struct Tok {
  enum Kind { kIdent, kNumber, kPunct, kString, kEnd } kind = kEnd;
  std::string text;
  SourceLoc loc;
};

struct Entry {  // one ACTION { ... } block's rule, or a USE
  std::string use;
  Action action;
  SyscallSpec spec;
  std::optional<Condition> cond;
  SourceLoc loc;
};

class KafelReader {
 public:
  explicit KafelReader(const ImportOptions& o)
      : o_(o), arch_(TargetArch(o)), includes_(o.include_dirs, o.max_include_depth, o.filename) {}

  Imported Run(std::string_view text) {
    Lex(std::string(text), o_.filename);
    toks_.push_back({Tok::kEnd, "", {o_.filename, 0, 0}});
    Parse();
    if (failed_) return std::move(out_);
    Policy p;
    p.arches = {arch_};
    if (!default_) {
      Diag(Severity::kNote, {o_.filename, 0, 0},
           "no DEFAULT: Kafel kills (KILL) what no rule allows");
    }
    p.default_action = default_.value_or(Action::KillThread());
    p.unknown_action = p.default_action;
    p.default_loc = p.unknown_loc = default_loc_;
    std::vector<std::string> stack;
    Expand(top_, p, stack);
    if (failed_) return std::move(out_);
    return Finish(std::move(p), std::move(out_));
  }

 private:
  void Diag(Severity s, const SourceLoc& loc, std::string msg, int len = 1) {
    Add({s, loc, std::move(msg), len});
  }
  void Add(Diagnostic d) {
    failed_ = failed_ || d.severity == Severity::kError;
    out_.diagnostics.push_back(std::move(d));
  }
  void Error(const SourceLoc& loc, std::string msg, int len = 1) {
    if (!failed_) Diag(Severity::kError, loc, std::move(msg), len);
  }

  // ---- lexing (with #define and #include handled per line) ----
  void Lex(const std::string& text, const std::string& file) {
    std::istringstream in(text);
    std::string line;
    int lineno = 0;
    bool in_comment = false;
    SourceLoc comment_start;
    while (std::getline(in, line)) {
      ++lineno;
      std::string_view t = base::Trim(line);
      if (!in_comment && t.starts_with('#')) {
        Preprocess(t, {file, lineno, static_cast<int>(line.find('#') + 1)}, file);
        continue;
      }
      size_t i = 0;
      while (i < line.size()) {
        if (in_comment) {
          size_t end = line.find("*/", i);
          if (end == line.npos) {
            i = line.size();
            break;
          }
          in_comment = false;
          i = end + 2;
          continue;
        }
        char c = line[i];
        SourceLoc loc{file, lineno, static_cast<int>(i + 1)};
        if (std::isspace(static_cast<unsigned char>(c))) {
          ++i;
          continue;
        }
        if (line.compare(i, 2, "//") == 0) break;
        if (line.compare(i, 2, "/*") == 0) {
          in_comment = true;
          comment_start = loc;
          i += 2;
          continue;
        }
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
          size_t s = i;
          while (i < line.size() &&
                 (std::isalnum(static_cast<unsigned char>(line[i])) || line[i] == '_'))
            ++i;
          toks_.push_back({Tok::kIdent, line.substr(s, i - s), loc});
          continue;
        }
        if (std::isdigit(static_cast<unsigned char>(c))) {
          size_t s = i;
          while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])))) ++i;
          toks_.push_back({Tok::kNumber, line.substr(s, i - s), loc});
          continue;
        }
        for (std::string_view two : {"==", "!=", "<=", ">=", "&&", "||"}) {
          if (line.compare(i, 2, two) == 0) {
            toks_.push_back({Tok::kPunct, std::string(two), loc});
            i += 2;
            goto next;
          }
        }
        if (std::string_view("{}()[],<>&|!-").find(c) != std::string_view::npos) {
          toks_.push_back({Tok::kPunct, std::string(1, c), loc});
          ++i;
          continue;
        }
        Error(loc, fmt::format("unexpected character '{}'", c));
        return;
      next:;
      }
    }
    if (in_comment) Error(comment_start, "the comment is never closed (no */)", 2);
  }

  void Preprocess(std::string_view t, const SourceLoc& loc, const std::string& file) {
    std::istringstream ws{std::string(t)};
    std::string word, name, value;
    ws >> word;
    if (word == "#define") {
      ws >> name;
      std::getline(ws, value);
      value = std::string(base::Trim(value));
      auto v = base::ParseInteger(value);
      if (!v) {
        auto it = defines_.find(value);
        if (it == defines_.end()) {
          Error(loc,
                fmt::format("#define {}: '{}' is not a number or a defined name", name, value));
          return;
        }
        v = it->second;
      }
      defines_[name] = *v;
    } else if (word == "#include") {
      std::string path;
      std::getline(ws, path);
      path = std::string(base::Trim(path));
      if (path.size() >= 2 && (path.front() == '"' || path.front() == '<'))
        path = path.substr(1, path.size() - 2);
      auto lex = [&](const std::string& included, const std::string& text) { Lex(text, included); };
      if (auto inc = includes_.Include(path, file, out_.sources, lex); !inc) {
        Error(loc, inc.error().message);
      }
    } else {
      Error(loc, fmt::format("unknown directive '{}' (#define, #include)", word));
    }
  }

  // ---- parsing ----
  const Tok& Peek(size_t k = 0) const { return toks_[std::min(pos_ + k, toks_.size() - 1)]; }
  Tok Take() { return toks_[std::min(pos_++, toks_.size() - 1)]; }
  bool Is(std::string_view s, size_t k = 0) const {
    return Peek(k).kind != Tok::kEnd && Peek(k).text == s;
  }
  bool Accept(std::string_view s) {
    if (!Is(s)) return false;
    ++pos_;
    return true;
  }
  bool Expect(std::string_view s) {
    if (Accept(s)) return true;
    const Tok& t = Peek();
    Error(t.loc,
          fmt::format("expected '{}', found {}", s,
                      t.kind == Tok::kEnd ? "the end" : "'" + t.text + "'"),
          static_cast<int>(std::max<size_t>(1, t.text.size())));
    return false;
  }
  bool Failed() const { return failed_; }

  void Parse() {
    while (Peek().kind != Tok::kEnd && !Failed()) {
      if (Accept("POLICY")) {
        Tok name = Take();
        if (name.kind != Tok::kIdent) {
          Error(name.loc, "expected a policy name");
          return;
        }
        if (!Expect("{")) return;
        std::vector<Entry> body = Entries("}");
        if (!Expect("}")) return;
        if (!policies_.emplace(name.text, std::move(body)).second) {
          Error(name.loc, fmt::format("policy {} is defined twice", name.text));
        }
      } else if (Is("DEFAULT")) {
        default_loc_ = Take().loc;
        auto a = ParseAction();
        if (a) default_ = *a;
      } else {
        std::vector<Entry> e = Entries("DEFAULT");
        if (e.empty() && !Failed()) {
          Error(Peek().loc,
                fmt::format("expected POLICY, USE, an action or DEFAULT, found '{}'", Peek().text));
          return;
        }
        top_.insert(top_.end(), e.begin(), e.end());
      }
    }
  }

  // Entries up to (not including) `end`; commas between them are optional.
  std::vector<Entry> Entries(std::string_view end) {
    std::vector<Entry> out;
    while (!Failed() && Peek().kind != Tok::kEnd && !Is(end) && !Is("POLICY")) {
      if (Accept(",")) continue;
      if (Accept("USE")) {
        Tok n = Take();
        if (n.kind != Tok::kIdent) {
          Error(n.loc, "expected a policy name after USE");
          return out;
        }
        out.push_back({n.text, {}, {}, std::nullopt, n.loc});
        continue;
      }
      auto a = ParseAction();
      if (!a) return out;
      if (!Expect("{")) return out;
      while (!Failed() && !Is("}")) {
        if (Accept(",")) continue;
        SyscallRule(*a, out);
      }
      if (!Expect("}")) return out;
    }
    return out;
  }

  std::optional<Action> ParseAction() {
    Tok t = Take();
    auto arg = [&]() -> std::optional<uint32_t> {
      if (!Expect("(")) return std::nullopt;
      SourceLoc at = Peek().loc;
      auto v = Value();
      if (!v || !Expect(")")) return std::nullopt;
      if (*v > 0xffffffffULL) {  // validation checks the range of what fits 32 bits
        Error(at, fmt::format("{}({}) is out of range ({})", t.text, *v,
                              t.text == "ERRNO" ? "1..4095" : "0..65535"));
        return std::nullopt;
      }
      return static_cast<uint32_t>(*v);
    };
    if (t.text == "ALLOW") return Action::Allow();
    if (t.text == "LOG") return Action::Log();
    if (t.text == "KILL" || t.text == "KILL_THREAD" || t.text == "DENY")
      return Action::KillThread();
    if (t.text == "KILL_PROCESS") return Action::KillProcess();
    if (t.text == "USER_NOTIF") return Action::Notify();
    if (t.text == "ERRNO") {
      auto v = arg();
      if (v) return Action::Errno(*v);
      return std::nullopt;
    }
    if (t.text == "TRAP") {
      auto v = arg();
      if (v) return Action::Trap(*v);
      return std::nullopt;
    }
    if (t.text == "TRACE") {
      auto v = arg();
      if (v) return Action::Trace(*v);
      return std::nullopt;
    }
    Error(t.loc,
          fmt::format(
              "expected an action (ALLOW, LOG, KILL, KILL_PROCESS, ERRNO(n), ...), found '{}'",
              t.text),
          static_cast<int>(std::max<size_t>(1, t.text.size())));
    return std::nullopt;
  }

  void SyscallRule(const Action& action, std::vector<Entry>& out) {
    Tok t = Take();
    Entry e{"", action, {}, std::nullopt, t.loc};
    if (t.text == "SYSCALL") {
      if (!Expect("[")) return;
      SourceLoc at = Peek().loc;
      auto v = Value();
      if (!v || !Expect("]")) return;
      if (*v > static_cast<uint64_t>(INT32_MAX)) {
        Error(at, fmt::format("SYSCALL[{}]: syscall numbers go up to {}", *v, INT32_MAX));
        return;
      }
      e.spec = SyscallSpec::Number(static_cast<int32_t>(*v));
    } else if (t.kind == Tok::kIdent) {
      e.spec = SyscallSpec::Name(t.text);
    } else {
      Error(t.loc, fmt::format("expected a syscall name, found '{}'", t.text));
      return;
    }
    e.spec.loc = t.loc;
    args_.clear();
    if (Accept("(")) {
      int idx = 0;
      while (!Failed() && !Is(")")) {
        if (Accept(",")) continue;
        Tok a = Take();
        if (a.kind != Tok::kIdent) {
          Error(a.loc, "expected an argument name");
          return;
        }
        args_[a.text] = idx++;
      }
      if (!Expect(")")) return;
    }
    if (Accept("{")) {
      std::vector<Condition> ors;
      while (!Failed() && !Is("}")) {
        if (Accept(",")) continue;
        auto c = Or();
        if (!c) return;
        ors.push_back(*c);
      }
      if (!Expect("}")) return;
      if (!ors.empty()) e.cond = ors.size() == 1 ? ors[0] : Condition::Or(std::move(ors));
    }
    if (e.spec.kind == SyscallSpec::Kind::kName && !IsSyscallName(e.spec.name)) {
      Add(UnknownSyscallDiagnostic(o_, t.loc, t.text, "skipped"));
      return;
    }
    out.push_back(std::move(e));
  }

  std::optional<Condition> Or() {
    auto l = And();
    if (!l) return l;
    while (Accept("||")) {
      auto r = And();
      if (!r) return r;
      l = *l || *r;
    }
    return l;
  }
  std::optional<Condition> And() {
    auto l = Not();
    if (!l) return l;
    while (Accept("&&")) {
      auto r = Not();
      if (!r) return r;
      l = *l && *r;
    }
    return l;
  }
  std::optional<Condition> Not() {
    base::NestingLevel level(depth_);
    if (level.TooDeep()) {
      Error(Peek().loc, base::TooDeepMessage("condition"));
      return std::nullopt;
    }
    if (Accept("!")) {
      auto c = Not();
      if (!c) return c;
      return !*c;
    }
    // "(" starts a group unless it is a masked argument: (flags & MASK) == V
    if (Is("(") && !(Peek(1).kind == Tok::kIdent && IsArg(Peek(1).text) && Is("&", 2))) {
      Take();
      auto c = Or();
      if (!c || !Expect(")")) return std::nullopt;
      return c;
    }
    return Compare();
  }

  bool IsArg(const std::string& n) const { return args_.count(n) || !defines_.count(n); }

  // arg OP value, (arg & mask) OP value, or value OP arg.
  std::optional<Condition> Compare() {
    SourceLoc loc = Peek().loc;
    std::optional<ArgRef> arg;
    std::optional<uint64_t> mask;
    bool swapped = false;
    auto arg_side = [&]() -> bool {
      bool paren = Accept("(");
      Tok n = Take();
      ArgRef r;
      r.width = Width::k64;
      r.explicit_type = true;
      if (auto it = args_.find(n.text); it != args_.end())
        r.index = it->second;
      else
        r.name = n.text;  // the syscall's own argument names, resolved from its signature
      arg = r;
      if (Accept("&")) {
        mask = Value();
        if (!mask) return false;
      }
      return !paren || Expect(")");
    };
    std::optional<uint64_t> value;
    if (Peek().kind == Tok::kIdent && IsArg(Peek().text)) {
      if (!arg_side()) return std::nullopt;
    } else if (Is("(") && Peek(1).kind == Tok::kIdent && IsArg(Peek(1).text)) {
      if (!arg_side()) return std::nullopt;
    } else {
      value = Value();
      if (!value) return std::nullopt;
      swapped = true;
    }
    Tok op = Take();
    static const std::pair<std::string_view, CmpOp> kOps[] = {
        {"==", CmpOp::kEq}, {"!=", CmpOp::kNe}, {"<", CmpOp::kLt},
        {"<=", CmpOp::kLe}, {">", CmpOp::kGt},  {">=", CmpOp::kGe}};
    std::optional<CmpOp> cmp;
    for (auto [s, o] : kOps) {
      if (op.text == s) cmp = o;
    }
    if (!cmp) {
      Error(op.loc, fmt::format("expected a comparison (== != < <= > >=), found '{}'", op.text));
      return std::nullopt;
    }
    if (swapped) {
      if (!arg_side()) return std::nullopt;
      // v < arg is arg > v
      if (*cmp == CmpOp::kLt)
        cmp = CmpOp::kGt;
      else if (*cmp == CmpOp::kLe)
        cmp = CmpOp::kGe;
      else if (*cmp == CmpOp::kGt)
        cmp = CmpOp::kLt;
      else if (*cmp == CmpOp::kGe)
        cmp = CmpOp::kLe;
    } else {
      value = Value();
      if (!value) return std::nullopt;
    }
    Comparison c;
    c.arg = *arg;
    c.loc = loc;
    if (mask) {
      if (*cmp != CmpOp::kEq && *cmp != CmpOp::kNe) {
        Error(loc, "a masked argument can only be compared with == or !=");
        return std::nullopt;
      }
      c.op = CmpOp::kMaskedEq;
      c.operands = {{*mask, {}}, {*value, {}}};
      Condition m = Condition::Compare(c);
      return *cmp == CmpOp::kEq ? m : !m;
    }
    c.op = *cmp;
    c.operands = {{*value, {}}};
    return Condition::Compare(c);
  }

  // NUMBER or NAME, joined by |.
  std::optional<uint64_t> Value() {
    uint64_t v = 0;
    do {
      Tok t = Take();
      std::optional<uint64_t> x;
      if (t.kind == Tok::kNumber)
        x = base::ParseInteger(t.text);
      else if (auto it = defines_.find(t.text); it != defines_.end())
        x = it->second;
      else if (auto c = FindConstant(t.text))
        x = static_cast<uint64_t>(*c);
      if (!x) {
        Error(t.loc, fmt::format("'{}' is not a number or a #define'd name", t.text),
              static_cast<int>(std::max<size_t>(1, t.text.size())));
        return std::nullopt;
      }
      v |= *x;
    } while (Accept("|"));
    return v;
  }

  void Expand(const std::vector<Entry>& entries, Policy& p, std::vector<std::string>& stack) {
    for (const Entry& e : entries) {
      if (Failed()) return;
      if (stack.empty()) expanding_ = e.loc;
      if (++expanded_ > limits::kMaxRules) {  // USE can repeat a policy exponentially often
        Error(expanding_, fmt::format("the policy expands (through USE) to more than {} rules, "
                                      "sysgate's rule limit (docs/limits.md)",
                                      limits::kMaxRules));
        return;
      }
      if (!e.use.empty()) {
        auto it = policies_.find(e.use);
        if (it == policies_.end()) {
          Error(e.loc, fmt::format("USE {}: no such POLICY", e.use),
                static_cast<int>(e.use.size()));
          return;
        }
        if (std::ranges::find(stack, e.use) != stack.end()) {
          Error(e.loc, fmt::format("USE {}: the policy uses itself", e.use));
          return;
        }
        stack.push_back(e.use);
        Expand(it->second, p, stack);
        stack.pop_back();
        continue;
      }
      sysgate::Rule r;
      r.action = e.action;
      r.syscalls = {e.spec};
      r.condition = e.cond;
      r.loc = e.loc;
      p.rules.push_back(std::move(r));
    }
  }

  const ImportOptions& o_;
  Arch arch_;
  Imported out_;
  std::vector<Tok> toks_;
  size_t pos_ = 0;
  std::map<std::string, uint64_t> defines_;
  std::map<std::string, int> args_;  // the current rule's declared argument names
  std::map<std::string, std::vector<Entry>> policies_;
  std::vector<Entry> top_;
  std::optional<Action> default_;
  SourceLoc default_loc_;
  base::IncludeReader includes_;
  bool failed_ = false;  // an error was reported: the first one stops the reader
  int depth_ = 0;        // recursion depth of conditions (base::NestingLevel)
  size_t expanded_ = 0;  // entries expanded (rules and USEs)
  SourceLoc expanding_;  // the top-level entry being expanded
};

}  // namespace

Imported ImportKafel(std::string_view text, const ImportOptions& o) {
  return KafelReader(o).Run(text);
}

}  // namespace sysgate::formats
