// sysgate graph: the decision structure of a seccomp BPF program (docs/inspect.md), as Graphviz
// DOT or as data.
//
//   analysis::FilterGraph g = analysis::BuildGraph(prog, {.arch = Arch::kX86_64});
//   std::cout << analysis::ToDot(g);      // dot -Tsvg renders it
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sysgate/arch.h"
#include "sysgate/bpf.h"

namespace sysgate::analysis {

struct GraphOptions {
  std::optional<Arch> arch;  // assumed before the program checks the arch (default: host)
  std::string title;         // the graph's label
};

struct GraphNode {
  enum class Kind : uint8_t {
    kBlock,     // straight-line instructions, ending in a test of something other than nr/arch
    kDispatch,  // a tree of comparisons of the syscall number or the arch, collapsed
    kVerdict,   // a return value, one node per value
  };
  std::string id;  // "b12", "d3", "v7fff0000"
  Kind kind = Kind::kBlock;
  std::vector<std::string> lines;  // what it does, in the disassembler's words
  int first_insn = 0;              // the instruction it starts at (a verdict: its first RET)
  uint32_t ret = 0;                // for a verdict
};

struct GraphEdge {
  std::string from, to;
  std::string label;  // "true", "false", or the syscalls/arches a dispatch sends there
};

struct FilterGraph {
  std::string title;
  std::vector<GraphNode> nodes;
  std::vector<GraphEdge> edges;
};

// Basic blocks of `prog`, each tree of comparisons of the syscall number (or the arch) collapsed
// into one dispatch node whose edges say which syscalls (arches) go where, and one node per
// verdict. `prog` should pass VerifyLoadable; unreachable instructions are left out.
FilterGraph BuildGraph(const bpf::Program& prog, const GraphOptions& options = {});

// Graphviz DOT: verdicts coloured by action (allow green, log blue, errno orange, trap and trace
// yellow, notify purple, kill red), dispatch nodes as diamonds.
std::string ToDot(const FilterGraph& graph);

}  // namespace sysgate::analysis
