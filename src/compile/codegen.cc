#include "compile/codegen.h"

#include <algorithm>

#include "base/check.h"

namespace sysgate::compile {

using namespace bpf::op;

namespace {
constexpr CodeGen::Node kNone = UINT32_MAX;
constexpr uint32_t kBranchRange = 255;
}  // namespace

CodeGen::Node CodeGen::Append(const bpf::Insn& insn) {
  insns_.push_back(insn);
  return static_cast<Node>(insns_.size() - 1);
}

CodeGen::Node CodeGen::Ret(uint32_t value) {
  auto key = std::make_tuple(static_cast<uint16_t>(kRet | kK), value, kNone, kNone);
  if (auto it = memo_.find(key); it != memo_.end()) return it->second;
  Node n = Append(bpf::Stmt(kRet | kK, value));
  memo_[key] = n;
  return n;
}

CodeGen::Node CodeGen::JumpTo(Node target) {
  // JA takes a 32-bit offset, so it reaches any target; reuse the last one made if it is the
  // instruction right before us (then it costs nothing).
  if (auto it = ja_to_.find(target); it != ja_to_.end() && it->second == insns_.size() - 1) {
    return it->second;
  }
  Node n = Append(bpf::Stmt(kJmp | kJa, Offset(target)));
  ja_to_[target] = n;
  return n;
}

CodeGen::Node CodeGen::WithinRange(Node target, uint32_t range) {
  if (Offset(target) <= range) return target;
  if (auto it = ja_to_.find(target); it != ja_to_.end() && Offset(it->second) <= range) {
    return it->second;
  }
  return JumpTo(target);
}

CodeGen::Node CodeGen::Stmt(uint16_t code, uint32_t k, Node next) {
  SG_CHECK(Class(code) != kJmp && Class(code) != kRet, "Stmt() takes a non-jump instruction");
  SG_CHECK(next < insns_.size(), "successor not made yet");
  auto key = std::make_tuple(code, k, next, kNone);
  if (auto it = memo_.find(key); it != memo_.end()) return it->second;
  Node succ = next;
  if (succ != insns_.size() - 1) succ = JumpTo(next);  // fall through into a JA to `next`
  SG_CHECK(succ == insns_.size() - 1, "statement successor must be adjacent");
  Node n = Append(bpf::Stmt(code, k));
  memo_[key] = n;
  return n;
}

CodeGen::Node CodeGen::Jump(uint16_t code, uint32_t k, Node jt, Node jf) {
  SG_CHECK(IsCondJump(code), "Jump() takes a conditional jump");
  SG_CHECK(jt < insns_.size() && jf < insns_.size(), "jump target not made yet");
  if (jt == jf) return jt;
  auto key = std::make_tuple(code, k, jt, jf);
  if (auto it = memo_.find(key); it != memo_.end()) return it->second;
  // jt gets one less: bringing jf into range may append a JA, which moves jt one further.
  Node t = WithinRange(jt, kBranchRange - 1);
  Node f = WithinRange(jf, kBranchRange);
  SG_CHECK(Offset(t) <= kBranchRange && Offset(f) <= kBranchRange, "branch out of range");
  Node n =
      Append(bpf::Jump(code, k, static_cast<uint8_t>(Offset(t)), static_cast<uint8_t>(Offset(f))));
  memo_[key] = n;
  return n;
}

bpf::Program CodeGen::Finish(Node head) {
  SG_CHECK(head < insns_.size(), "unknown head");
  if (head != insns_.size() - 1) JumpTo(head);
  bpf::Program p(insns_.rbegin(), insns_.rend());
  return p;
}

}  // namespace sysgate::compile
