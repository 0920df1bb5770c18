// The classic BPF machine as seccomp runs it (kernel/bpf/core.c after bpf_convert_filter):
// 32-bit A and X, 16 scratch words, loads from struct seccomp_data only.
#include <array>
#include <cstring>

#include <fmt/format.h>

#include "sysgate/analysis.h"

namespace sysgate::analysis {
namespace {

using namespace bpf::op;

Error Bad(size_t pc, std::string msg) {
  return MakeError(ErrorCode::kInvalidArgument, fmt::format("instruction {}: {}", pc, msg));
}

// The 32-bit word at `off` of seccomp_data laid out in memory with the given byte order.
uint32_t LoadWord(const SeccompData& d, uint32_t off, bool little_endian) {
  if (off == bpf::data::kNr) return static_cast<uint32_t>(d.nr);
  if (off == bpf::data::kArch) return d.arch;
  uint64_t v =
      off < bpf::data::kArgs ? d.instruction_pointer : d.args[(off - bpf::data::kArgs) / 8];
  bool first_half = (off % 8) == 0;
  bool low = first_half == little_endian;
  return low ? static_cast<uint32_t>(v) : static_cast<uint32_t>(v >> 32);
}

// What stops a program that cannot run; its message is made only then (FaultError).
enum class Fault : uint8_t {
  kNone,
  kLoadOutsideData,
  kMemIndex,
  kMemUnwritten,
  kOpcode,
  kJumpRange,
  kRetX,
};

Error FaultError(Fault f, size_t pc, const bpf::Insn& in) {
  switch (f) {
    case Fault::kNone: break;
    case Fault::kLoadOutsideData: return Bad(pc, "load outside seccomp_data");
    case Fault::kMemIndex: return Bad(pc, "scratch memory index out of range");
    case Fault::kMemUnwritten:
      return Bad(pc, fmt::format("M[{}] is read before it is written", in.k));
    case Fault::kOpcode:
      return Bad(pc, fmt::format("opcode 0x{:02x} is not allowed in seccomp", in.code));
    case Fault::kJumpRange: return Bad(pc, "jump out of range");
    case Fault::kRetX: return Bad(pc, "RET X is not allowed in seccomp");
  }
  return Bad(pc, "no fault");
}

// One run's state. The steps below are one per instruction class, each inlined into the loop
// of Emulate (no call or allocation per instruction).
struct Machine {
  const SeccompData& data;
  bool little_endian;
  uint32_t A = 0, X = 0;
  std::array<uint32_t, bpf::kMemWords> M{};
  std::array<bool, bpf::kMemWords> written{};
  EmulateResult out;
};

// LD and LDX: A or X from seccomp_data, its length, an immediate or scratch memory.
[[gnu::always_inline]] inline Fault Load(Machine& m, uint16_t code, uint32_t k) {
  uint32_t v;
  if (Mode(code) == kAbs && Size(code) == kW && Class(code) == kLd) {
    if (k >= bpf::data::kSize || (k & 3)) return Fault::kLoadOutsideData;
    v = LoadWord(m.data, k, m.little_endian);
    if (k != bpf::data::kNr && k != bpf::data::kArch) m.out.reads_args = true;
  } else if (Mode(code) == kLen && Size(code) == kW) {
    v = bpf::data::kSize;
  } else if (Mode(code) == kImm) {
    v = k;
  } else if (Mode(code) == kMem) {
    if (k >= bpf::kMemWords) return Fault::kMemIndex;
    if (!m.written[k]) return Fault::kMemUnwritten;
    v = m.M[k];
  } else {
    return Fault::kOpcode;
  }
  (Class(code) == kLd ? m.A : m.X) = v;
  return Fault::kNone;
}

// ST and STX: A or X to scratch memory.
[[gnu::always_inline]] inline Fault Store(Machine& m, uint16_t code, uint32_t k) {
  if (k >= bpf::kMemWords) return Fault::kMemIndex;
  m.M[k] = Class(code) == kSt ? m.A : m.X;
  m.written[k] = true;
  return Fault::kNone;
}

// ALU on A. `halt` when it divides by zero: the kernel then ends the program with 0.
[[gnu::always_inline]] inline Fault Alu(Machine& m, uint16_t code, uint32_t k, bool& halt) {
  if (Op(code) == kNeg) {
    m.A = 0U - m.A;
    return Fault::kNone;
  }
  const uint32_t s = Src(code) == kX ? m.X : k;
  switch (Op(code)) {
    case kAdd: m.A += s; break;
    case kSub: m.A -= s; break;
    case kMul: m.A *= s; break;
    case kDiv:
      if (s == 0) {
        halt = true;
        break;
      }
      m.A /= s;
      break;
    case kAnd: m.A &= s; break;
    case kOr: m.A |= s; break;
    case kXor: m.A ^= s; break;
    case kLsh: m.A = m.A << (s & 31); break;
    case kRsh: m.A = m.A >> (s & 31); break;
    default: return Fault::kOpcode;
  }
  return Fault::kNone;
}

// JA and the conditional jumps: the next pc, for a program of `size` instructions.
[[gnu::always_inline]] inline Fault Jump(const Machine& m, const bpf::Insn& in, size_t size,
                                         size_t& pc) {
  if (Op(in.code) == kJa) {
    if (in.k >= size - pc - 1) return Fault::kJumpRange;
    pc += 1 + in.k;
    return Fault::kNone;
  }
  const uint32_t s = Src(in.code) == kX ? m.X : in.k;
  bool taken;
  switch (Op(in.code)) {
    case kJeq: taken = m.A == s; break;
    case kJgt: taken = m.A > s; break;
    case kJge: taken = m.A >= s; break;
    case kJset: taken = (m.A & s) != 0; break;
    default: return Fault::kOpcode;
  }
  pc += 1 + (taken ? in.jt : in.jf);
  return Fault::kNone;
}

// RET K or RET A into out.ret.
[[gnu::always_inline]] inline Fault Return(Machine& m, uint16_t code, uint32_t k) {
  if (RetSrc(code) == kK) {
    m.out.ret = k;
  } else if (RetSrc(code) == kA) {
    m.out.ret = m.A;
  } else {
    return Fault::kRetX;
  }
  return Fault::kNone;
}

// TAX and TXA.
[[gnu::always_inline]] inline Fault Misc(Machine& m, uint16_t code) {
  if (MiscOp(code) == kTax) {
    m.X = m.A;
  } else if (MiscOp(code) == kTxa) {
    m.A = m.X;
  } else {
    return Fault::kOpcode;
  }
  return Fault::kNone;
}

}  // namespace

Result<EmulateResult> Emulate(const bpf::Program& prog, const SeccompData& data) {
  Machine m{data, (data.arch & 0x40000000U) != 0};  // __AUDIT_ARCH_LE
  size_t pc = 0;
  while (true) {
    if (pc >= prog.size()) return Bad(pc, "execution ran past the end of the program");
    const bpf::Insn& in = prog[pc];
    ++m.out.executed;
    Fault f = Fault::kNone;
    switch (Class(in.code)) {
      case kLd:
      case kLdx: f = Load(m, in.code, in.k); break;
      case kSt:
      case kStx: f = Store(m, in.code, in.k); break;
      case kAlu: {
        bool halt = false;
        f = Alu(m, in.code, in.k, halt);
        if (halt) {
          m.out.ret = 0;
          return m.out;
        }
        break;
      }
      case kJmp:
        f = Jump(m, in, prog.size(), pc);
        if (f == Fault::kNone) continue;  // pc is set
        break;
      case kRet:
        f = Return(m, in.code, in.k);
        if (f == Fault::kNone) return m.out;
        break;
      case kMisc: f = Misc(m, in.code); break;
    }
    if (f != Fault::kNone) return FaultError(f, pc, in);
    ++pc;
  }
}

Result<StackVerdict> EvaluateStack(const std::vector<bpf::Program>& filters,
                                   const SeccompData& data) {
  if (filters.empty()) return MakeError(ErrorCode::kInvalidArgument, "no filters");
  // As seccomp_run_filters(): start from ALLOW, walk from the newest filter, and keep a
  // strictly more restrictive action, comparing the action bits as signed (KILL_PROCESS is
  // negative). Equal actions keep the newer filter's value.
  StackVerdict best{bpf::ret::kAllow, filters.size() - 1};
  for (size_t i = filters.size(); i-- > 0;) {
    auto r = Emulate(filters[i], data);
    if (!r) return r.error();
    int32_t cur = static_cast<int32_t>(r->ret & bpf::ret::kActionFull);
    int32_t have = static_cast<int32_t>(best.ret & bpf::ret::kActionFull);
    if (cur < have) best = {r->ret, i};
  }
  return best;
}

}  // namespace sysgate::analysis
