// The assembler of the disassembler's asm-able form. Two passes: statements to instructions
// with symbolic targets and syscall names, then labels to offsets and names to numbers (for
// the arch the program has checked at that point, found by the same analysis the
// disassembler uses).
#include <cctype>
#include <map>
#include <regex>

#include <fmt/format.h>

#include "analysis/dataflow.h"
#include "base/strings.h"
#include "sysgate/analysis.h"

namespace sysgate::analysis {
namespace {

using namespace bpf::op;

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
      static const std::regex reLabel(R"(^([A-Za-z_][A-Za-z0-9_]*)\s*:\s*(.*)$)");
      std::smatch m;
      if (std::regex_match(line, m, reLabel) && !line.starts_with("if")) {
        std::string name = m[1];
        if (labels_.count(name)) return Err(line_no, fmt::format("label '{}' defined twice", name));
        labels_[name] = out_.size();
        line = Trim(m[2]);
      }
      if (line.empty()) continue;
      if (auto r = Statement(line, line_no); !r) return r.error();
    }
    if (out_.empty()) return Err(line_no, "no instructions");
    return Finish();
  }

 private:
  // A decimal index from the regexes' (\d+); out of range values become UINT32_MAX, which the
  // verifier rejects with a message.
  static uint32_t Small(const std::string& digits) {
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
    return MakeError(ErrorCode::kInvalidArgument, std::move(msg), SourceLoc{std::string(file_), line, 1});
  }

  // A constant: number, ARCH_*, or (returned in *syscall) a syscall name.
  Result<uint32_t> Value(const std::string& s, int line, std::string* syscall) {
    if (auto v = base::ParseInteger(s)) {
      if (*v > 0xffffffffULL && static_cast<int64_t>(*v) < INT32_MIN) return Err(line, fmt::format("{} does not fit 32 bits", s));
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
    return Err(line, fmt::format("'{}' is not a number, ARCH_* constant or syscall name", s));
  }

  Result<uint32_t> RetValue(const std::string& s, int line) {
    static const std::map<std::string, uint32_t> kPlain = {
        {"ALLOW", bpf::ret::kAllow}, {"KILL_PROCESS", bpf::ret::kKillProcess},
        {"KILL_THREAD", bpf::ret::kKillThread}, {"KILL", bpf::ret::kKillThread},
        {"LOG", bpf::ret::kLog}, {"USER_NOTIF", bpf::ret::kUserNotif},
        {"TRAP", bpf::ret::kTrap}, {"TRACE", bpf::ret::kTrace}};
    if (auto it = kPlain.find(s); it != kPlain.end()) return it->second;
    static const std::regex reWithData(R"(^(ERRNO|TRAP|TRACE)\((.+)\)$)");
    std::smatch m;
    if (std::regex_match(s, m, reWithData)) {
      std::string d = Trim(m[2]);
      std::optional<uint64_t> v = base::ParseInteger(d);
      if (!v) {
        if (auto e = ErrnoFromName(d)) v = static_cast<uint64_t>(*e);
      }
      if (!v || *v > 0xffff) return Err(line, fmt::format("bad data '{}' (0..65535)", d));
      uint32_t base = m[1] == "ERRNO" ? bpf::ret::kErrno : m[1] == "TRAP" ? bpf::ret::kTrap : bpf::ret::kTrace;
      return base | static_cast<uint32_t>(*v);
    }
    if (auto v = base::ParseInteger(s); v && *v <= 0xffffffffULL) return static_cast<uint32_t>(*v);
    return Err(line, fmt::format("unknown return value '{}'", s));
  }

  Result<void> Statement(const std::string& s, int line) {
    std::smatch m;
    Pending p;
    p.line = line;
    static const std::regex reRet(R"(^return\s+(.+)$)");
    static const std::regex reGoto(R"(^goto\s+(\S+)$)");
    static const std::regex reIf(
        R"(^if\s*\(\s*(!\s*\(\s*)?A\s*(==|!=|>=|<=|>|<|&)\s*([^)\s]+)\s*\)?\s*\)\s*goto\s+(\S+)(?:\s+else\s+goto\s+(\S+))?$)");
    static const std::regex reLoadA(R"(^A\s*=\s*(.+)$)");
    static const std::regex reLoadX(R"(^X\s*=\s*(.+)$)");
    static const std::regex reStore(R"(^mem\[(\d+)\]\s*=\s*([AX])$)");
    static const std::regex reAlu(R"(^A\s*(\+|-|\*|/|&|\||\^|<<|>>|%)=\s*(\S+)$)");
    if (std::regex_match(s, m, reRet)) {
      std::string v = Trim(m[1]);
      if (v == "A") {
        p.insn = bpf::Stmt(kRet | kA, 0);
      } else {
        auto r = RetValue(v, line);
        if (!r) return r.error();
        p.insn = bpf::Stmt(kRet | kK, *r);
      }
    } else if (std::regex_match(s, m, reGoto)) {
      p.insn = bpf::Stmt(kJmp | kJa, 0);
      p.jt_label = m[1];
    } else if (std::regex_match(s, m, reIf)) {
      bool negated_jset = m[1].matched;
      std::string op = m[2];
      if (negated_jset && op != "&") return Err(line, "only `!(A & K)` may be negated");
      static const std::map<std::string, std::pair<uint16_t, bool>> kOps = {
          {"==", {kJeq, false}}, {"!=", {kJeq, true}}, {">", {kJgt, false}},
          {"<=", {kJgt, true}}, {">=", {kJge, false}}, {"<", {kJge, true}}, {"&", {kJset, false}}};
      auto [jop, negated] = kOps.at(op);
      negated = negated || negated_jset;
      std::string v = m[3];
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
      std::string target = m[4], other = m[5].matched ? std::string(m[5]) : std::string();
      if (!other.empty() && negated) return Err(line, "write `else` forms with the positive condition");
      if (negated) {
        p.jf_label = target;  // taken when the condition is false
      } else {
        p.jt_label = target;
        p.jf_label = other;
      }
    } else if (std::regex_match(s, m, reStore)) {
      p.insn = bpf::Stmt(m[2] == "A" ? kSt : kStx, Small(m[1]));
    } else if (std::regex_match(s, m, reAlu)) {
      static const std::map<std::string, uint16_t> kAluOps = {
          {"+", kAdd}, {"-", kSub}, {"*", kMul}, {"/", kDiv}, {"&", kAnd}, {"|", kOr},
          {"^", kXor}, {"<<", kLsh}, {">>", kRsh}, {"%", kMod}};
      std::string v = m[2];
      if (v == "X") {
        p.insn = bpf::Stmt(kAlu | kAluOps.at(m[1]) | kX, 0);
      } else {
        auto r = Value(v, line, nullptr);
        if (!r) return r.error();
        p.insn = bpf::Stmt(kAlu | kAluOps.at(m[1]) | kK, *r);
      }
    } else if (std::regex_match(s, m, reLoadA)) {
      auto r = LoadA(Trim(m[1]), line, p);
      if (!r) return r.error();
      p.insn = *r;
    } else if (std::regex_match(s, m, reLoadX)) {
      std::string v = Trim(m[1]);
      static const std::regex reMem(R"(^mem\[(\d+)\]$)");
      std::smatch mm;
      if (v == "A") {
        p.insn = bpf::Stmt(kMisc | kTax, 0);
      } else if (v == "len") {
        p.insn = bpf::Stmt(kLdx | kW | kLen, 0);
      } else if (std::regex_match(v, mm, reMem)) {
        p.insn = bpf::Stmt(kLdx | kMem, Small(mm[1]));
      } else {
        auto r = Value(v, line, nullptr);
        if (!r) return r.error();
        p.insn = bpf::Stmt(kLdx | kImm, *r);
      }
    } else {
      return Err(line, fmt::format("cannot read '{}'", s));
    }
    out_.push_back(std::move(p));
    return {};
  }

  Result<bpf::Insn> LoadA(const std::string& v, int line, Pending& p) {
    std::smatch m;
    static const std::regex reArgs(R"(^args\[(\d)\](\s*>>\s*32)?$)");
    static const std::regex reMem(R"(^mem\[(\d+)\]$)");
    static const std::regex reData(R"(^data\[(\w+)\]$)");
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
    if (std::regex_match(v, m, reArgs)) {
      uint32_t i = Small(m[1]);
      if (i > 5) return Err(line, "args[] goes from 0 to 5");
      return half(bpf::data::kArgs + 8 * i, m[2].matched);
    }
    if (std::regex_match(v, m, reMem)) return bpf::Stmt(kLd | kMem, Small(m[1]));
    if (std::regex_match(v, m, reData)) {
      auto k = base::ParseInteger(std::string(m[1]));
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
    return Err(line, fmt::format("unknown label '{}'", label));
  }

  Result<bpf::Program> Finish() {
    bpf::Program prog;
    for (size_t pc = 0; pc < out_.size(); ++pc) {
      Pending& p = out_[pc];
      auto offset = [&](const std::string& label, uint32_t limit) -> Result<uint32_t> {
        if (label.empty()) return 0U;
        auto t = Target(label, p.line);
        if (!t) return t.error();
        if (*t <= pc) return Err(p.line, fmt::format("jump to '{}' goes backwards; BPF jumps only forward", label));
        size_t off = *t - pc - 1;
        if (off > limit) return Err(p.line, fmt::format("jump to '{}' is {} instructions away; a conditional jump reaches 255 (use goto)", label, off));
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
        if (!a) return Err(out_[pc].line, fmt::format("unknown arch in '{}'", name));
      }
      if (!a) return Err(out_[pc].line, fmt::format("cannot tell which arch '{}' is for: write arch.{}", n, n));
      auto nr = SyscallNumber(*a, n);
      if (!nr) return Err(out_[pc].line, fmt::format("no syscall '{}' on {}", n, Info(*a).name));
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

Result<bpf::Program> Assemble(std::string_view text, std::string_view filename, std::optional<Arch> arch) {
  return Assembler(text, filename, arch).Run();
}

}  // namespace sysgate::analysis
