// Lowering argument conditions to BPF, 32 bits at a time, in continuation-passing style:
// Condition(c, t, f) is the code that goes to t when c holds and to f otherwise.
#pragma once

#include <utility>
#include <vector>

#include "compile/codegen.h"
#include "sysgate/policy.h"

namespace sysgate::compile {

class ConditionLowering {
 public:
  ConditionLowering(CodeGen& gen, Endian endian) : gen_(gen), endian_(endian) {}

  CodeGen::Node Condition(const sysgate::Condition& c, CodeGen::Node t, CodeGen::Node f);

  // A switch on one argument's value: the case's node where the argument equals its value,
  // f otherwise. Values are in the argument's domain (32-bit ones in the low word) and
  // distinct. A binary search over the values (high words first for 64-bit arguments), with
  // short linear runs at the leaves: about log2(n) + 4 instructions executed, under 1.3 per
  // value in length.
  CodeGen::Node Switch(const ArgRef& arg, std::vector<std::pair<uint64_t, CodeGen::Node>> cases,
                       CodeGen::Node f);

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
  // With the word in A: a binary search over sorted (value, node) cases.
  Node Search32(const std::vector<std::pair<uint32_t, Node>>& cases, size_t lo, size_t hi, Node f);
  uint32_t LowWord(int index) const;  // offset of args[index]'s low 32 bits
  uint32_t LoOffset(const ArgRef& arg) const;
  uint32_t HiOffset(const ArgRef& arg) const;

  CodeGen& gen_;
  Endian endian_;
};

}  // namespace sysgate::compile
