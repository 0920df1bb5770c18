// The assembler of the disassembler's asm-able form. Two passes: statements to instructions
// with symbolic targets and syscall names, then labels to offsets and names to numbers (for
// the arch the program has checked at that point, found by the same analysis the
// disassembler uses).
#include <cctype>
#include <map>

#include <fmt/format.h>

#include "analysis/dataflow.h"
#include "base/strings.h"
#include "sysgate/analysis.h"

namespace sysgate::analysis {
namespace {

using namespace bpf::op;

// Reads one line of assembler text from left to right. (Hand-written rather than std::regex,
// whose matcher recurses once per character and overflows the stack on long lines.)
class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}

  static bool Blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }
  static bool WordChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

  void Blanks() {
    while (i_ < s_.size() && Blank(s_[i_])) ++i_;
  }
  bool AtEnd() const { return i_ == s_.size(); }
  bool Lit(std::string_view w) {
    if (!s_.substr(i_).starts_with(w)) return false;
    i_ += w.size();
    return true;
  }
  // `w` followed by at least one blank (consumed).
  bool Keyword(std::string_view w) {
    if (!s_.substr(i_).starts_with(w) || i_ + w.size() >= s_.size() || !Blank(s_[i_ + w.size()]))
      return false;
    i_ += w.size();
    Blanks();
    return true;
  }
  // The longest run of characters that `ok` accepts (possibly empty).
  template <class Pred>
  std::string_view Run(Pred ok) {
    size_t start = i_;
    while (i_ < s_.size() && ok(s_[i_])) ++i_;
    return s_.substr(start, i_ - start);
  }
  std::string_view NonBlanks() {
    return Run([](char c) { return !Blank(c); });
  }
  std::string_view Digits() {
    return Run([](char c) { return c >= '0' && c <= '9'; });
  }
  std::string_view Rest() {
    std::string_view r = s_.substr(i_);
    i_ = s_.size();
    return r;
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

// `v` as a whole is PREFIX[INNER] with INNER made of characters `ok` accepts; INNER, if so.
template <class Pred>
std::optional<std::string_view> Bracketed(std::string_view v, std::string_view prefix, Pred ok) {
  Cursor c(v);
  if (!c.Lit(prefix) || !c.Lit("[")) return std::nullopt;
  std::string_view inner = c.Run(ok);
  if (inner.empty() || !c.Lit("]") || !c.AtEnd()) return std::nullopt;
  return inner;
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

struct Pending {
  bpf::Insn insn;
  std::string jt_label, jf_label;  // conditional jumps and JA (jt_label)
  std::string syscall;             // K is this syscall's number (resolved in pass 2)
  int word = -1;                   // K is the offset of this seccomp_data word: ip/args (pass 2)
  bool high = false;               // ... its high half
  int line = 0;
};

class Assembler {
 public:
  Assembler(std::string_view text, std::string_view file, std::optional<Arch> arch)
      : text_(text), file_(file), arch_(arch) {}

  Result<bpf::Program> Run() {
    int line_no = 0;
    size_t pos = 0;
    while (pos <= text_.size()) {
      size_t end = text_.find('\n', pos);
      if (end == std::string_view::npos) end = text_.size();
      std::string line(text_.substr(pos, end - pos));
      pos = end + 1;
      ++line_no;
      if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
      line = Trim(line);
      // Labels: "name:" alone or before a statement.
      Cursor c(line);
      std::string_view label = c.Run(Cursor::WordChar);
      c.Blanks();
      if (!label.empty() && !IsDigit(label[0]) && c.Lit(":") && !line.starts_with("if")) {
        std::string name(label);
        if (labels_.count(name))
          return Err(line_no, fmt::format("label '{}' defined twice", base::Abbreviate(name)));
        labels_[name] = out_.size();
        line = Trim(std::string(c.Rest()));
      }
      if (line.empty()) continue;
      if (auto r = Statement(line, line_no); !r) return r.error();
    }
    if (out_.empty()) return Err(line_no, "no instructions");
    return Finish();
  }

 private:
  // A decimal index (digits); out of range values become UINT32_MAX, which the
  // verifier rejects with a message.
  static uint32_t Small(std::string_view digits) {
    auto v = base::ParseInteger(digits);
    return v && *v <= 0xffffffffULL ? static_cast<uint32_t>(*v) : UINT32_MAX;
  }

  static std::string Trim(std::string s) {
    size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    size_t e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
  }

  Error Err(int line, std::string msg) const {
    return MakeError(ErrorCode::kInvalidArgument, std::move(msg),
                     SourceLoc{std::string(file_), line, 1});
  }

  // A constant: number, ARCH_*, or (returned in *syscall) a syscall name.
  Result<uint32_t> Value(const std::string& s, int line, std::string* syscall) {
    if (auto v = base::ParseInteger(s)) {
      if (*v > 0xffffffffULL && static_cast<int64_t>(*v) < INT32_MIN)
        return Err(line, fmt::format("{} does not fit 32 bits", s));
      return static_cast<uint32_t>(*v);
    }
    if (s.starts_with("ARCH_")) {
      if (auto a = ArchFromName(base::ToLower(s.substr(5)))) return Info(*a).audit_arch;
      return Err(line, fmt::format("unknown arch constant {}", s));
    }
    if (syscall && (IsSyscallName(s) || s.find('.') != std::string::npos)) {
      *syscall = s;
      return 0U;
    }
    if (auto c = FindConstant(s)) return static_cast<uint32_t>(*c);
    return Err(line, fmt::format("'{}' is not a number, ARCH_* constant or syscall name",
                                 base::Abbreviate(s)));
  }

  Result<uint32_t> RetValue(const std::string& s, int line) {
    static const std::map<std::string, uint32_t> kPlain = {{"ALLOW", bpf::ret::kAllow},
                                                           {"KILL_PROCESS", bpf::ret::kKillProcess},
                                                           {"KILL_THREAD", bpf::ret::kKillThread},
                                                           {"KILL", bpf::ret::kKillThread},
                                                           {"LOG", bpf::ret::kLog},
                                                           {"USER_NOTIF", bpf::ret::kUserNotif},
                                                           {"TRAP", bpf::ret::kTrap},
                                                           {"TRACE", bpf::ret::kTrace}};
    if (auto it = kPlain.find(s); it != kPlain.end()) return it->second;
    std::string_view kind;
    for (std::string_view k : {"ERRNO", "TRAP", "TRACE"}) {
      if (s.starts_with(std::string(k) + "(") && s.size() > k.size() + 2 && s.ends_with(')'))
        kind = k;
    }
    if (!kind.empty()) {
      std::string d = Trim(s.substr(kind.size() + 1, s.size() - kind.size() - 2));
      std::optional<uint64_t> v = base::ParseInteger(d);
      if (!v) {
        if (auto e = ErrnoFromName(d)) v = static_cast<uint64_t>(*e);
      }
      if (!v || *v > 0xffff)
        return Err(line, fmt::format("bad data '{}' (0..65535)", base::Abbreviate(d)));
      uint32_t base = kind == "ERRNO"  ? bpf::ret::kErrno
                      : kind == "TRAP" ? bpf::ret::kTrap
                                       : bpf::ret::kTrace;
      return base | static_cast<uint32_t>(*v);
    }
    if (auto v = base::ParseInteger(s); v && *v <= 0xffffffffULL) return static_cast<uint32_t>(*v);
    return Err(line, fmt::format("unknown return value '{}'", base::Abbreviate(s)));
  }

  Result<void> Statement(const std::string& s, int line) {
    Pending p;
    p.line = line;
    Cursor c(s);
    if (c.Keyword("return")) {
      std::string v = Trim(std::string(c.Rest()));
      if (v == "A") {
        p.insn = bpf::Stmt(kRet | kA, 0);
      } else {
        auto r = RetValue(v, line);
        if (!r) return r.error();
        p.insn = bpf::Stmt(kRet | kK, *r);
      }
    } else if (Cursor g(s); g.Keyword("goto") && !g.NonBlanks().empty() && g.AtEnd()) {
      p.insn = bpf::Stmt(kJmp | kJa, 0);
      p.jt_label = Trim(s.substr(4));
    } else if (s.starts_with("if")) {
      auto r = If(s, line, p);
      if (!r) return r.error();
    } else if (auto store = Store(s)) {
      p.insn = bpf::Stmt(store->second == 'A' ? kSt : kStx, Small(store->first));
    } else if (auto alu = Alu(s)) {
      static const std::map<std::string_view, uint16_t> kAluOps = {
          {"+", kAdd}, {"-", kSub}, {"*", kMul},  {"/", kDiv},  {"&", kAnd},
          {"|", kOr},  {"^", kXor}, {"<<", kLsh}, {">>", kRsh}, {"%", kMod}};
      std::string v(alu->second);
      if (v == "X") {
        p.insn = bpf::Stmt(kAlu | kAluOps.at(alu->first) | kX, 0);
      } else {
        auto r = Value(v, line, nullptr);
        if (!r) return r.error();
        p.insn = bpf::Stmt(kAlu | kAluOps.at(alu->first) | kK, *r);
      }
    } else if (auto a = Assigned(s, "A")) {
      auto r = LoadA(Trim(std::string(*a)), line, p);
      if (!r) return r.error();
      p.insn = *r;
    } else if (auto x = Assigned(s, "X")) {
      std::string v = Trim(std::string(*x));
      if (v == "A") {
        p.insn = bpf::Stmt(kMisc | kTax, 0);
      } else if (v == "len") {
        p.insn = bpf::Stmt(kLdx | kW | kLen, 0);
      } else if (auto mem = Bracketed(v, "mem", IsDigit)) {
        p.insn = bpf::Stmt(kLdx | kMem, Small(*mem));
      } else {
        auto r = Value(v, line, nullptr);
        if (!r) return r.error();
        p.insn = bpf::Stmt(kLdx | kImm, *r);
      }
    } else {
      return Err(line, fmt::format("cannot read '{}'", base::Abbreviate(s)));
    }
    out_.push_back(std::move(p));
    return {};
  }

  // if (A OP K) goto L [else goto M]      if (!(A & K)) goto L
  Result<void> If(const std::string& s, int line, Pending& p) {
    Cursor c(s);
    auto bad = [&] { return Err(line, fmt::format("cannot read '{}'", base::Abbreviate(s))); };
    c.Lit("if");
    c.Blanks();
    if (!c.Lit("(")) return bad();
    c.Blanks();
    bool negated_jset = false;
    if (c.Lit("!")) {
      c.Blanks();
      if (!c.Lit("(")) return bad();
      c.Blanks();
      negated_jset = true;
    }
    if (!c.Lit("A")) return bad();
    c.Blanks();
    static const std::pair<std::string_view, std::pair<uint16_t, bool>> kOps[] = {
        {"==", {kJeq, false}}, {"!=", {kJeq, true}}, {">=", {kJge, false}}, {"<=", {kJgt, true}},
        {">", {kJgt, false}},  {"<", {kJge, true}},  {"&", {kJset, false}}};
    std::optional<std::pair<uint16_t, bool>> found;
    std::string_view op;
    for (const auto& [sym, code] : kOps) {
      if (c.Lit(sym)) {
        found = code;
        op = sym;
        break;
      }
    }
    if (!found) return bad();
    c.Blanks();
    std::string v(c.Run([](char ch) { return ch != ')' && !Cursor::Blank(ch); }));
    if (v.empty()) return bad();
    c.Blanks();
    if (!c.Lit(")")) return bad();
    c.Blanks();
    c.Lit(")");  // the negated form's second
    c.Blanks();
    if (!c.Keyword("goto")) return bad();
    std::string target(c.NonBlanks());
    std::string other;
    c.Blanks();
    if (!c.AtEnd()) {
      if (!c.Keyword("else") || !c.Keyword("goto")) return bad();
      other = std::string(c.NonBlanks());
      if (other.empty() || !c.AtEnd()) return bad();
    }
    if (target.empty()) return bad();
    if (negated_jset && op != "&") return Err(line, "only `!(A & K)` may be negated");
    auto [jop, negated] = *found;
    negated = negated || negated_jset;
    uint16_t src = kK;
    uint32_t k = 0;
    if (v == "X") {
      src = kX;
    } else {
      auto r = Value(v, line, &p.syscall);
      if (!r) return r.error();
      k = *r;
    }
    p.insn = bpf::Jump(kJmp | jop | src, k, 0, 0);
    if (!other.empty() && negated)
      return Err(line, "write `else` forms with the positive condition");
    if (negated) {
      p.jf_label = target;  // taken when the condition is false
    } else {
      p.jt_label = target;
      p.jf_label = other;
    }
    return {};
  }

  // mem[N] = A|X: N and the register.
  static std::optional<std::pair<std::string_view, char>> Store(std::string_view s) {
    Cursor c(s);
    if (!c.Lit("mem[")) return std::nullopt;
    std::string_view n = c.Digits();
    if (n.empty() || !c.Lit("]")) return std::nullopt;
    c.Blanks();
    if (!c.Lit("=")) return std::nullopt;
    c.Blanks();
    char reg = c.Lit("A") ? 'A' : c.Lit("X") ? 'X' : 0;
    if (reg == 0 || !c.AtEnd()) return std::nullopt;
    return std::pair(n, reg);
  }

  // A OP= V: the operator and V.
  static std::optional<std::pair<std::string_view, std::string_view>> Alu(std::string_view s) {
    Cursor c(s);
    if (!c.Lit("A")) return std::nullopt;
    c.Blanks();
    for (std::string_view op : {"+", "-", "*", "/", "&", "|", "^", "<<", ">>", "%"}) {
      Cursor at = c;
      if (!at.Lit(op) || !at.Lit("=")) continue;
      at.Blanks();
      std::string_view v = at.NonBlanks();
      if (v.empty() || !at.AtEnd()) return std::nullopt;
      return std::pair(op, v);
    }
    return std::nullopt;
  }

  // REG = V: V, when `s` assigns to `reg`.
  static std::optional<std::string_view> Assigned(std::string_view s, std::string_view reg) {
    Cursor c(s);
    if (!c.Lit(reg)) return std::nullopt;
    c.Blanks();
    if (!c.Lit("=")) return std::nullopt;
    c.Blanks();
    std::string_view v = c.Rest();
    if (v.empty()) return std::nullopt;
    return v;
  }

  Result<bpf::Insn> LoadA(const std::string& v, int line, Pending& p) {
    // Which half of a 64-bit word is at the lower offset depends on the byte order, known
    // only once the arch checks are analysed: pass 2 fills in the offset.
    auto half = [&](uint32_t base, bool high) {
      p.word = static_cast<int>(base);
      p.high = high;
      return bpf::Stmt(kLd | kW | kAbs, base);
    };
    if (v == "arch") return bpf::Stmt(kLd | kW | kAbs, bpf::data::kArch);
    if (v == "sys_number" || v == "nr") return bpf::Stmt(kLd | kW | kAbs, bpf::data::kNr);
    if (v == "instruction_pointer") return half(bpf::data::kIp, false);
    if (v == "instruction_pointer >> 32") return half(bpf::data::kIp, true);
    if (v == "X") return bpf::Stmt(kMisc | kTxa, 0);
    if (v == "len") return bpf::Stmt(kLd | kW | kLen, 0);
    if (v == "-A") return bpf::Stmt(kAlu | kNeg, 0);
    if (Cursor c(v); c.Lit("args[")) {  // args[N], args[N] >> 32
      std::string_view n = c.Digits();
      bool ok = n.size() == 1 && c.Lit("]");
      c.Blanks();
      bool high = c.Lit(">>");
      if (high) {
        c.Blanks();
        ok = ok && c.Lit("32");
      }
      if (ok && c.AtEnd()) {
        uint32_t i = Small(n);
        if (i > 5) return Err(line, "args[] goes from 0 to 5");
        return half(bpf::data::kArgs + 8 * i, high);
      }
    }
    if (auto mem = Bracketed(v, "mem", IsDigit)) return bpf::Stmt(kLd | kMem, Small(*mem));
    if (auto d = Bracketed(v, "data", Cursor::WordChar)) {
      auto k = base::ParseInteger(*d);
      if (!k || *k > 0xffffffffULL) return Err(line, "bad data offset");
      return bpf::Stmt(kLd | kW | kAbs, static_cast<uint32_t>(*k));
    }
    auto r = Value(v, line, nullptr);
    if (!r) return r.error();
    return bpf::Stmt(kLd | kImm, *r);
  }

  Result<size_t> Target(const std::string& label, int line) {
    if (auto it = labels_.find(label); it != labels_.end()) return it->second;
    if (auto n = base::ParseInteger(label); n && *n < out_.size()) return static_cast<size_t>(*n);
    return Err(line, fmt::format("unknown label '{}'", base::Abbreviate(label)));
  }

  Result<bpf::Program> Finish() {
    bpf::Program prog;
    for (size_t pc = 0; pc < out_.size(); ++pc) {
      Pending& p = out_[pc];
      auto offset = [&](const std::string& label, uint32_t limit) -> Result<uint32_t> {
        if (label.empty()) return 0U;
        auto t = Target(label, p.line);
        if (!t) return t.error();
        if (*t <= pc)
          return Err(p.line, fmt::format("jump to '{}' goes backwards; BPF jumps only forward",
                                         base::Abbreviate(label)));
        size_t off = *t - pc - 1;
        if (off > limit)
          return Err(
              p.line,
              fmt::format(
                  "jump to '{}' is {} instructions away; a conditional jump reaches 255 (use goto)",
                  base::Abbreviate(label), off));
        return static_cast<uint32_t>(off);
      };
      if (Class(p.insn.code) == kJmp && Op(p.insn.code) == kJa) {
        auto o = offset(p.jt_label, UINT32_MAX);
        if (!o) return o.error();
        p.insn.k = *o;
      } else if (Class(p.insn.code) == kJmp) {
        auto t = offset(p.jt_label, 255);
        if (!t) return t.error();
        auto f = offset(p.jf_label, 255);
        if (!f) return f.error();
        p.insn.jt = static_cast<uint8_t>(*t);
        p.insn.jf = static_cast<uint8_t>(*f);
      }
      prog.push_back(p.insn);
    }
    // Argument words and syscall names, for the arch checked at each point.
    auto ctx = AnalyzeContexts(prog, arch_ ? arch_ : std::optional(HostArch()));
    for (size_t pc = 0; pc < out_.size(); ++pc) {
      if (out_[pc].word < 0) continue;
      if (!ctx[pc].endian) {
        return Err(out_[pc].line, "arches of both byte orders reach this load: write data[OFFSET]");
      }
      bool little = *ctx[pc].endian == Endian::kLittle;
      bool first = out_[pc].high != little;  // the low word comes first on little-endian
      prog[pc].k = static_cast<uint32_t>(out_[pc].word) + (first ? 0 : 4);
    }
    for (size_t pc = 0; pc < out_.size(); ++pc) {
      const std::string& name = out_[pc].syscall;
      if (name.empty()) continue;
      std::optional<Arch> a = ctx[pc].arch;
      std::string n = name;
      if (auto dot = name.find('.'); dot != std::string::npos) {
        a = ArchFromName(name.substr(0, dot));
        n = name.substr(dot + 1);
        if (!a)
          return Err(out_[pc].line, fmt::format("unknown arch in '{}'", base::Abbreviate(name)));
      }
      if (!a)
        return Err(out_[pc].line, fmt::format("cannot tell which arch '{}' is for: write arch.{}",
                                              base::Abbreviate(n), base::Abbreviate(n)));
      auto nr = SyscallNumber(*a, n);
      if (!nr)
        return Err(out_[pc].line,
                   fmt::format("no syscall '{}' on {}", base::Abbreviate(n), Info(*a).name));
      prog[pc].k = static_cast<uint32_t>(*nr);
    }
    return prog;
  }

  std::string_view text_;
  std::string_view file_;
  std::optional<Arch> arch_;
  std::vector<Pending> out_;
  std::map<std::string, size_t> labels_;
};

}  // namespace

Result<bpf::Program> Assemble(std::string_view text, std::string_view filename,
                              std::optional<Arch> arch) {
  return Assembler(text, filename, arch).Run();
}

}  // namespace sysgate::analysis
