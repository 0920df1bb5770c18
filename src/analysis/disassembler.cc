#include <set>

#include <fmt/format.h>

#include "analysis/dataflow.h"
#include "analysis/insn_text.h"
#include "base/strings.h"
#include "sysgate/analysis.h"

namespace sysgate::analysis {
namespace {

using namespace bpf::op;
using A = InsnContext::A;

std::string ArchConstant(uint32_t audit) {
  for (Arch a : AllArches()) {
    if (Info(a).audit_arch == audit && a != Arch::kX32) {
      std::string n(Info(a).name);
      for (char& c : n) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return "ARCH_" + n;
    }
  }
  return fmt::format("0x{:x}", audit);
}

std::string Number(uint32_t k) { return k < 10 ? fmt::format("{}", k) : fmt::format("0x{:x}", k); }

// The constant of a comparison, named when what A holds tells what it means.
std::string Operand(const InsnContext& c, uint32_t k) {
  if (c.a == A::kArch) return ArchConstant(k);
  if (c.a == A::kNr && c.arch) {
    Arch abi = *c.arch;
    if (abi == Arch::kX86_64 && k >= 0x40000000U && k <= 0x7fffffffU) {
      if (auto n = SyscallName(Arch::kX32, static_cast<int32_t>(k)))
        return fmt::format("x32.{}", *n);
      return Number(k);
    }
    if (auto n = SyscallName(abi, static_cast<int32_t>(k))) return std::string(*n);
  }
  return Number(k);
}

std::string LoadText(const InsnContext& c, uint32_t k) {
  int arg = 0;
  A content = ContentAt(k, c.endian.value_or(Endian::kLittle), &arg);
  if (!c.endian && content != A::kNr && content != A::kArch) {
    return fmt::format("data[{}]", k);  // reached by arches of both byte orders
  }
  switch (content) {
    case A::kNr: return "sys_number";
    case A::kArch: return "arch";
    case A::kIpLo: return "instruction_pointer";
    case A::kIpHi: return "instruction_pointer >> 32";
    case A::kArgLo: return fmt::format("args[{}]", arg);
    case A::kArgHi: return fmt::format("args[{}] >> 32", arg);
    default: return fmt::format("data[{}]", k);
  }
}

const char* AluOp(uint16_t op) {
  switch (op) {
    case kAdd: return "+=";
    case kSub: return "-=";
    case kMul: return "*=";
    case kDiv: return "/=";
    case kOr: return "|=";
    case kAnd: return "&=";
    case kLsh: return "<<=";
    case kRsh: return ">>=";
    case kXor: return "^=";
    case kMod: return "%=";
    default: return "?=";
  }
}

// The condition of a jump, positive (taken when true) or negated.
std::string Cond(uint16_t code, const std::string& v, bool negated) {
  switch (Op(code)) {
    case kJeq: return fmt::format("A {} {}", negated ? "!=" : "==", v);
    case kJgt: return fmt::format("A {} {}", negated ? "<=" : ">", v);
    case kJge: return fmt::format("A {} {}", negated ? "<" : ">=", v);
    case kJset: return negated ? fmt::format("!(A & {})", v) : fmt::format("A & {}", v);
    default: return "?";
  }
}

}  // namespace

std::string ConditionText(const bpf::Insn& in, const InsnContext& c, bool negated) {
  std::string v = Src(in.code) == kX ? "X" : Operand(c, in.k);
  return Cond(in.code, v, negated);
}

std::string StatementText(const bpf::Insn& in, const InsnContext& c) {
  const uint16_t code = in.code;
  switch (Class(code)) {
    case kLd:
    case kLdx: {
      const char* r = Class(code) == kLd ? "A" : "X";
      switch (Mode(code)) {
        case kAbs:
          if (Size(code) == kW && Class(code) == kLd)
            return fmt::format("A = {}", LoadText(c, in.k));
          break;
        case kImm: return fmt::format("{} = {}", r, Number(in.k));
        case kMem: return fmt::format("{} = mem[{}]", r, in.k);
        case kLen: return fmt::format("{} = len", r);
        default: break;
      }
      return fmt::format("unknown opcode 0x{:02x}", code);
    }
    case kSt: return fmt::format("mem[{}] = A", in.k);
    case kStx: return fmt::format("mem[{}] = X", in.k);
    case kAlu:
      if (Op(code) == kNeg) return "A = -A";
      return fmt::format("A {} {}", AluOp(Op(code)), Src(code) == kX ? "X" : Number(in.k));
    case kMisc:
      if (MiscOp(code) == kTax) return "X = A";
      if (MiscOp(code) == kTxa) return "A = X";
      return fmt::format("unknown opcode 0x{:02x}", code);
    case kRet:
      if (RetSrc(code) == kA) return "return A";
      if (RetSrc(code) == kX) return "return X";
      return fmt::format("return {}", bpf::RetName(in.k));
    default: return "?";
  }
}

namespace {

class Printer {
 public:
  Printer(const bpf::Program& p, const DisasmOptions& o)
      : p_(p), o_(o), ctx_(AnalyzeContexts(p, o.arch ? o.arch : std::optional(HostArch()))) {}

  std::string Label(size_t target) const {
    return o_.asm_able ? fmt::format("L{:04}", target) : fmt::format("{:04}", target);
  }

  std::string Text(size_t pc) const {
    const bpf::Insn& in = p_[pc];
    if (Class(in.code) != kJmp) return StatementText(in, ctx_[pc]);
    if (Op(in.code) == kJa) return fmt::format("goto {}", Label(pc + 1 + in.k));
    size_t t = pc + 1 + in.jt, f = pc + 1 + in.jf;
    if (in.jf == 0 && in.jt != 0)
      return fmt::format("if ({}) goto {}", ConditionText(in, ctx_[pc], false), Label(t));
    if (in.jt == 0 && in.jf != 0)
      return fmt::format("if ({}) goto {}", ConditionText(in, ctx_[pc], true), Label(f));
    return fmt::format("if ({}) goto {} else goto {}", ConditionText(in, ctx_[pc], false), Label(t),
                       Label(f));
  }

  std::set<size_t> Targets() const {
    std::set<size_t> t;
    for (size_t pc = 0; pc < p_.size(); ++pc) {
      const bpf::Insn& in = p_[pc];
      if (Class(in.code) != kJmp) continue;
      if (Op(in.code) == kJa) {
        t.insert(pc + 1 + in.k);
      } else {
        if (in.jt != 0 || in.jf == 0) t.insert(pc + 1 + in.jt);
        if (in.jf != 0 || in.jt == 0) t.insert(pc + 1 + in.jf);
      }
    }
    return t;
  }

  std::string Run() const {
    std::string out;
    if (o_.asm_able) {
      std::set<size_t> targets = Targets();
      for (size_t pc = 0; pc < p_.size(); ++pc) {
        if (targets.count(pc)) out += Label(pc) + ":\n";
        out += "  " + Text(pc) + "\n";
      }
      return out;
    }
    out += " line  CODE  JT   JF      K\n";
    out += "=================================\n";
    for (size_t pc = 0; pc < p_.size(); ++pc) {
      const bpf::Insn& in = p_[pc];
      out += fmt::format(" {:04}: 0x{:02x} 0x{:02x} 0x{:02x} 0x{:08x}  {}\n", pc, in.code, in.jt,
                         in.jf, in.k, Text(pc));
    }
    return out;
  }

 private:
  const bpf::Program& p_;
  const DisasmOptions& o_;
  std::vector<InsnContext> ctx_;
};

}  // namespace

std::string Disassemble(const bpf::Program& prog, const DisasmOptions& options) {
  return Printer(prog, options).Run();
}

}  // namespace sysgate::analysis
