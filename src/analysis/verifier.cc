// The kernel's load-time checks for seccomp filters, in the order the kernel applies them:
// bpf_check_basics_ok, bpf_check_classic (including check_load_and_stores) and
// seccomp_check_filter. Anything the kernel would refuse is refused here first, with the
// instruction and the reason.
#include <fmt/format.h>

#include "sysgate/analysis.h"

namespace sysgate::analysis {
namespace {

using namespace bpf::op;

Error Bad(size_t pc, std::string msg) {
  return MakeError(ErrorCode::kInvalidArgument, fmt::format("instruction {}: {}", pc, msg));
}

// The opcodes seccomp_check_filter lets through (after its rewrite of the ABS and LEN loads).
bool SeccompAllows(uint16_t code) {
  switch (code) {
    case kLd | kW | kAbs:
    case kLd | kW | kLen:
    case kLdx | kW | kLen:
    case kRet | kK:
    case kRet | kA:
    case kAlu | kNeg:
    case kLd | kImm:
    case kLdx | kImm:
    case kMisc | kTax:
    case kMisc | kTxa:
    case kLd | kMem:
    case kLdx | kMem:
    case kSt:
    case kStx:
    case kJmp | kJa: return true;
    default: break;
  }
  if (Class(code) == kAlu && (code & ~(0xf0 | 0x08 | 0x07)) == 0) {
    switch (Op(code)) {
      case kAdd:
      case kSub:
      case kMul:
      case kDiv:
      case kAnd:
      case kOr:
      case kXor:
      case kLsh:
      case kRsh: return true;
      default: return false;
    }
  }
  if (Class(code) == kJmp && (code & ~(0xf0 | 0x08 | 0x07)) == 0) {
    switch (Op(code)) {
      case kJeq:
      case kJgt:
      case kJge:
      case kJset: return true;
      default: return false;
    }
  }
  return false;
}

}  // namespace

Result<void> VerifyLoadable(const bpf::Program& p) {
  const size_t n = p.size();
  if (n == 0) return MakeError(ErrorCode::kInvalidArgument, "the program is empty");
  if (n > bpf::kMaxInsns) {
    return MakeError(ErrorCode::kTooLarge, fmt::format("the program has {} instructions; the "
                                                       "kernel accepts at most {}",
                                                       n, bpf::kMaxInsns));
  }
  for (size_t pc = 0; pc < n; ++pc) {
    const bpf::Insn& in = p[pc];
    if (!SeccompAllows(in.code)) {
      return Bad(pc, fmt::format("opcode 0x{:02x} is not allowed in a seccomp filter", in.code));
    }
    switch (in.code) {
      case kLd | kW | kAbs:
        if (in.k >= bpf::data::kSize || (in.k & 3)) {
          return Bad(pc, fmt::format("load at offset {} is {} seccomp_data (64 bytes, 4-byte "
                                     "aligned words)",
                                     in.k, in.k >= bpf::data::kSize ? "outside" : "misaligned in"));
        }
        break;
      case kAlu | kDiv | kK:
        if (in.k == 0) return Bad(pc, "division by the constant 0");
        break;
      case kAlu | kLsh | kK:
      case kAlu | kRsh | kK:
        if (in.k >= 32) return Bad(pc, fmt::format("shift by {} (at most 31)", in.k));
        break;
      case kLd | kMem:
      case kLdx | kMem:
      case kSt:
      case kStx:
        if (in.k >= bpf::kMemWords)
          return Bad(pc, fmt::format("scratch word M[{}] does not exist (M[0]..M[15])", in.k));
        break;
      case kJmp | kJa:
        if (in.k >= n - pc - 1) return Bad(pc, fmt::format("jump by {} goes past the end", in.k));
        break;
      default:
        if (IsCondJump(in.code) && (pc + in.jt + 1 >= n || pc + in.jf + 1 >= n)) {
          return Bad(pc, fmt::format("conditional jump ({}, {}) goes past the end", in.jt, in.jf));
        }
        break;
    }
  }
  if (Class(p[n - 1].code) != kRet) {
    return Bad(n - 1, "the last instruction must be a RET");
  }
  // check_load_and_stores: a scratch word may be read only if every path to the read has
  // written it. masks[pc] holds the words valid on every path reaching pc.
  std::vector<uint16_t> masks(n, 0xffff);
  uint16_t valid = 0;
  for (size_t pc = 0; pc < n; ++pc) {
    const bpf::Insn& in = p[pc];
    valid &= masks[pc];
    switch (in.code) {
      case kSt:
      case kStx: valid |= static_cast<uint16_t>(1U << in.k); break;
      case kLd | kMem:
      case kLdx | kMem:
        if (!(valid & (1U << in.k)))
          return Bad(pc, fmt::format("M[{}] may be read before it is written", in.k));
        break;
      case kJmp | kJa:
        masks[pc + 1 + in.k] &= valid;
        valid = 0xffff;
        break;
      case kRet | kK:
      case kRet | kA: valid = 0xffff; break;
      default:
        if (IsCondJump(in.code)) {
          masks[pc + 1 + in.jt] &= valid;
          masks[pc + 1 + in.jf] &= valid;
          valid = 0xffff;
        }
        break;
    }
  }
  return {};
}

}  // namespace sysgate::analysis
