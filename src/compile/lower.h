// Lowering argument conditions to BPF, 32 bits at a time, in continuation-passing style:
// Condition(c, t, f) is the code that goes to t when c holds and to f otherwise.
#pragma once

#include "compile/codegen.h"
#include "sysgate/policy.h"

namespace sysgate::compile {

class ConditionLowering {
 public:
  ConditionLowering(CodeGen& gen, Endian endian) : gen_(gen), endian_(endian) {}

  CodeGen::Node Condition(const sysgate::Condition& c, CodeGen::Node t, CodeGen::Node f);

 private:
  using Node = CodeGen::Node;
  Node Compare(const Comparison& c, Node t, Node f);
  Node Compare32(const Comparison& c, uint32_t offset, Node t, Node f);
  Node Compare64(const Comparison& c, Node t, Node f);
  // x op v on one 32-bit word already in A (unsigned; the caller flips sign bits).
  Node Ordered32(CmpOp op, uint32_t v, Node t, Node f);
  Node Masked32(uint32_t offset, uint32_t mask, uint32_t value, Node t, Node f);
  Node Equal64(uint32_t hi_off, uint32_t lo_off, uint64_t v, Node t, Node f);
  Node Less64(const ArgRef& arg, uint64_t v, bool or_equal, Node t, Node f);

  Node Load(uint32_t offset, Node next);
  uint32_t LoOffset(int index) const;
  uint32_t HiOffset(int index) const;

  CodeGen& gen_;
  Endian endian_;
};

}  // namespace sysgate::compile
