// CodeGen: builds a BPF program bottom-up as a DAG of instructions and lays it out.
//
//   CodeGen g;
//   auto allow = g.Ret(ALLOW), kill = g.Ret(KILL);
//   auto cmp = g.Jump(JEQ|K, 59, kill, allow);       // if (A == 59) kill else allow
//   auto head = g.Stmt(LD|W|ABS, 0, cmp);             // A = nr
//   bpf::Program p = g.Finish(head);
//
// Every node is made after the nodes it jumps to, so all jumps go forward. Identical
// instructions with identical successors are made once (hash-consing), which shares equal
// tails across syscalls and arches. A conditional jump further than 255 instructions goes
// through an inserted JA; a statement whose successor is not laid out right after it is
// followed by a JA.
#pragma once

#include <cstdint>
#include <map>
#include <tuple>
#include <vector>

#include "sysgate/bpf.h"

namespace sysgate::compile {

class CodeGen {
 public:
  using Node = uint32_t;

  Node Ret(uint32_t value);
  // A non-jump instruction (load, ALU, store) followed by `next`.
  Node Stmt(uint16_t code, uint32_t k, Node next);
  // A conditional jump. Returns `jt` itself when both branches are the same node.
  Node Jump(uint16_t code, uint32_t k, Node jt, Node jf);

  // The program starting at `head`.
  bpf::Program Finish(Node head);

  size_t size() const { return insns_.size(); }

 private:
  Node Append(const bpf::Insn& insn);
  // Distance from the instruction about to be appended to `target`.
  uint32_t Offset(Node target) const { return static_cast<uint32_t>(insns_.size() - target - 1); }
  Node WithinRange(Node target, uint32_t range);
  Node JumpTo(Node target);

  std::vector<bpf::Insn> insns_;  // in reverse program order
  std::map<std::tuple<uint16_t, uint32_t, Node, Node>, Node> memo_;
  std::map<Node, Node> ja_to_;  // the latest JA made towards a node
};

}  // namespace sysgate::compile
