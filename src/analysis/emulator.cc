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

}  // namespace

Result<EmulateResult> Emulate(const bpf::Program& prog, const SeccompData& data) {
  const bool le = (data.arch & 0x40000000U) != 0;  // __AUDIT_ARCH_LE
  uint32_t A = 0, X = 0;
  std::array<uint32_t, bpf::kMemWords> M{};
  std::array<bool, bpf::kMemWords> written{};
  EmulateResult out;
  size_t pc = 0;
  while (true) {
    if (pc >= prog.size()) return Bad(pc, "execution ran past the end of the program");
    const bpf::Insn& in = prog[pc];
    ++out.executed;
    const uint32_t k = in.k;
    const uint16_t code = in.code;
    switch (Class(code)) {
      case kLd:
      case kLdx: {
        uint32_t v;
        if (Mode(code) == kAbs && Size(code) == kW && Class(code) == kLd) {
          if (k >= bpf::data::kSize || (k & 3)) return Bad(pc, "load outside seccomp_data");
          v = LoadWord(data, k, le);
          if (k != bpf::data::kNr && k != bpf::data::kArch) out.reads_args = true;
        } else if (Mode(code) == kLen && Size(code) == kW) {
          v = bpf::data::kSize;
        } else if (Mode(code) == kImm) {
          v = k;
        } else if (Mode(code) == kMem) {
          if (k >= bpf::kMemWords) return Bad(pc, "scratch memory index out of range");
          if (!written[k]) return Bad(pc, fmt::format("M[{}] is read before it is written", k));
          v = M[k];
        } else {
          return Bad(pc, fmt::format("opcode 0x{:02x} is not allowed in seccomp", code));
        }
        (Class(code) == kLd ? A : X) = v;
        ++pc;
        break;
      }
      case kSt:
      case kStx:
        if (k >= bpf::kMemWords) return Bad(pc, "scratch memory index out of range");
        M[k] = Class(code) == kSt ? A : X;
        written[k] = true;
        ++pc;
        break;
      case kAlu: {
        if (Op(code) == kNeg) {
          A = 0U - A;
          ++pc;
          break;
        }
        uint32_t s = Src(code) == kX ? X : k;
        switch (Op(code)) {
          case kAdd: A += s; break;
          case kSub: A -= s; break;
          case kMul: A *= s; break;
          case kDiv:
            if (s == 0) {  // the kernel ends the program with 0 on division by zero
              out.ret = 0;
              return out;
            }
            A /= s;
            break;
          case kAnd: A &= s; break;
          case kOr: A |= s; break;
          case kXor: A ^= s; break;
          case kLsh: A = A << (s & 31); break;
          case kRsh: A = A >> (s & 31); break;
          default: return Bad(pc, fmt::format("opcode 0x{:02x} is not allowed in seccomp", code));
        }
        ++pc;
        break;
      }
      case kJmp: {
        if (Op(code) == kJa) {
          if (k >= prog.size() - pc - 1) return Bad(pc, "jump out of range");
          pc += 1 + k;
          break;
        }
        uint32_t s = Src(code) == kX ? X : k;
        bool taken;
        switch (Op(code)) {
          case kJeq: taken = A == s; break;
          case kJgt: taken = A > s; break;
          case kJge: taken = A >= s; break;
          case kJset: taken = (A & s) != 0; break;
          default: return Bad(pc, fmt::format("opcode 0x{:02x} is not allowed in seccomp", code));
        }
        pc += 1 + (taken ? in.jt : in.jf);
        break;
      }
      case kRet:
        if (RetSrc(code) == kK) {
          out.ret = k;
        } else if (RetSrc(code) == kA) {
          out.ret = A;
        } else {
          return Bad(pc, "RET X is not allowed in seccomp");
        }
        return out;
      case kMisc:
        if (MiscOp(code) == kTax) {
          X = A;
        } else if (MiscOp(code) == kTxa) {
          A = X;
        } else {
          return Bad(pc, fmt::format("opcode 0x{:02x} is not allowed in seccomp", code));
        }
        ++pc;
        break;
    }
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
