#include "analysis/dataflow.h"

namespace sysgate::analysis {

using namespace bpf::op;
using A = InsnContext::A;

A ContentAt(uint32_t off, Endian endian, int* arg) {
  if (off == bpf::data::kNr) return A::kNr;
  if (off == bpf::data::kArch) return A::kArch;
  if (off >= bpf::data::kSize || (off & 3)) return A::kUnknown;
  bool first = (off % 8) == 0;
  bool low = first == (endian == Endian::kLittle);
  if (off < bpf::data::kArgs) return low ? A::kIpLo : A::kIpHi;
  *arg = static_cast<int>((off - bpf::data::kArgs) / 8);
  return low ? A::kArgLo : A::kArgHi;
}

std::vector<InsnContext> AnalyzeContexts(const bpf::Program& p, std::optional<Arch> fallback) {
  std::vector<InsnContext> ctx(p.size());
  if (p.empty()) return ctx;
  ctx[0].reachable = true;
  ctx[0].arch = fallback;
  if (fallback) ctx[0].endian = Info(*fallback).endian;
  auto merge = [&](size_t to, const InsnContext& s) {
    if (to >= ctx.size()) return;
    InsnContext& t = ctx[to];
    if (!t.reachable) {
      t = s;
      t.reachable = true;
      return;
    }
    if (t.arch != s.arch) t.arch = std::nullopt;
    if (t.endian != s.endian) t.endian = std::nullopt;
    if (t.a != s.a || t.arg != s.arg) t.a = A::kUnknown;
  };
  for (size_t pc = 0; pc < p.size(); ++pc) {
    if (!ctx[pc].reachable) continue;
    InsnContext s = ctx[pc];
    const bpf::Insn& in = p[pc];
    Endian endian = s.endian.value_or(Endian::kLittle);
    switch (Class(in.code)) {
      case kLd:
        s.a = (Mode(in.code) == kAbs) ? ContentAt(in.k, endian, &s.arg) : A::kUnknown;
        merge(pc + 1, s);
        break;
      case kAlu:
      case kMisc:
        if (Class(in.code) == kAlu || MiscOp(in.code) == kTxa) s.a = A::kUnknown;
        merge(pc + 1, s);
        break;
      case kLdx:
      case kSt:
      case kStx: merge(pc + 1, s); break;
      case kJmp: {
        if (Op(in.code) == kJa) {
          merge(pc + 1 + in.k, s);
          break;
        }
        InsnContext taken = s, not_taken = s;
        if (Op(in.code) == kJeq && Src(in.code) == kK && s.a == A::kArch) {
          // On the branch where A == k, the arch is the one with that audit value.
          if (auto arch = ArchFromAudit(in.k, 0)) {
            taken.arch = arch;
            taken.endian = Info(*arch).endian;
          }
        }
        merge(pc + 1 + in.jt, taken);
        merge(pc + 1 + in.jf, not_taken);
        break;
      }
      default:  // RET
        break;
    }
  }
  return ctx;
}

}  // namespace sysgate::analysis
