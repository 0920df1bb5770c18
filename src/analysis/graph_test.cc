// sysgate graph: the structure of compiled programs, comparison trees collapsed into dispatch
// nodes whose edges say exactly which syscalls go where.
#include "sysgate/graph.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "sysgate/compiler.h"
#include "sysgate/policy_text.h"

namespace sysgate::analysis {
namespace {

using ::testing::HasSubstr;

bpf::Program CompileText(std::string_view text) {
  ParsedPolicy p = ParsePolicyText(text, "g.sgp");
  EXPECT_TRUE(p.ok()) << p.RenderDiagnostics();
  auto prog = Compile(*p.policy);
  EXPECT_TRUE(prog) << prog.error().ToString();
  return prog ? *prog : bpf::Program{};
}

const GraphNode* Find(const FilterGraph& g, std::string_view id) {
  for (const GraphNode& n : g.nodes) {
    if (n.id == id) return &n;
  }
  return nullptr;
}

// Edges out of the nr dispatch node: the verdict they reach (through blocks of argument tests
// for conditional rules) -> their labels.
std::map<std::string, std::string> DispatchEdges(const FilterGraph& g) {
  std::map<std::string, std::string> out;
  for (const GraphNode& n : g.nodes) {
    if (n.kind != GraphNode::Kind::kDispatch || n.lines.front().find("syscall number") == std::string::npos) continue;
    for (const GraphEdge& e : g.edges) {
      if (e.from != n.id) continue;
      const GraphNode* to = Find(g, e.to);
      out[to && to->kind == GraphNode::Kind::kVerdict ? to->lines.front() : e.to] += e.label;
    }
  }
  return out;
}

TEST(Graph, DispatchCollapsedIntoNamedSyscalls) {
  FilterGraph g = BuildGraph(CompileText("arch x86_64\n"
                                          "default errno(EPERM)\n"
                                          "allow read, write, close, fstat, mmap, exit_group\n"
                                          "kill-process ptrace\n"
                                          "allow socket if family == AF_UNIX\n"),
                             {.arch = Arch::kX86_64});
  // Every node and edge points at something that exists; every verdict once.
  std::map<std::string, int> verdicts;
  for (const GraphNode& n : g.nodes) {
    if (n.kind == GraphNode::Kind::kVerdict) ++verdicts[n.lines.front()];
  }
  for (const GraphEdge& e : g.edges) {
    EXPECT_TRUE(Find(g, e.from)) << e.from;
    EXPECT_TRUE(Find(g, e.to)) << e.to;
  }
  for (auto& [v, count] : verdicts) EXPECT_EQ(count, 1) << v;
  auto edges = DispatchEdges(g);
  // Named, in number order, with a count; x32's numbers (this filter is for x86_64 alone) as a range.
  EXPECT_EQ(edges["ALLOW"], "read, write, close, fstat, mmap, exit_group (6 syscalls)");
  EXPECT_EQ(edges["KILL_PROCESS"], "ptrace, #0x40000000..#0x7fffffff (1 syscall)");
  EXPECT_THAT(edges["ERRNO(1)"], HasSubstr("open, stat, lstat..lseek, mprotect..sendfile"));
  bool socket_block = false;
  for (auto& [to, label] : edges) socket_block = socket_block || (label == "socket (1 syscall)" && to.starts_with("b"));
  EXPECT_TRUE(socket_block) << "socket's argument test is a block of its own";
  // The arch check is a dispatch of its own, naming the arch.
  std::string dot = ToDot(g);
  EXPECT_THAT(dot, HasSubstr("[label=\"x86_64\"]"));
  EXPECT_THAT(dot, HasSubstr("A = args[0]"));
  EXPECT_THAT(dot, HasSubstr("fillcolor=\"#c8e6c9\", label=\"ALLOW\""));
  EXPECT_TRUE(dot.starts_with("digraph filter {"));
}

// A hand-made linear chain (libseccomp's shape): one node, one edge per verdict.
TEST(Graph, LinearChains) {
  using namespace bpf::op;
  bpf::Program p = {
      bpf::Stmt(kLd | kW | kAbs, 4),
      bpf::Jump(kJmp | kJeq | kK, 0xc000003e, 1, 0),
      bpf::Stmt(kRet | kK, bpf::ret::kKillProcess),
      bpf::Stmt(kLd | kW | kAbs, 0),
      bpf::Jump(kJmp | kJeq | kK, 0, 3, 0),
      bpf::Jump(kJmp | kJeq | kK, 1, 2, 0),
      bpf::Jump(kJmp | kJeq | kK, 60, 1, 0),
      bpf::Stmt(kRet | kK, bpf::ret::kErrno | 1),
      bpf::Stmt(kRet | kK, bpf::ret::kAllow),
  };
  FilterGraph g = BuildGraph(p, {.arch = Arch::kX86_64});
  auto edges = DispatchEdges(g);
  EXPECT_EQ(edges["ALLOW"], "read, write, exit (3 syscalls)");
  EXPECT_THAT(edges["ERRNO(1)"], HasSubstr("open..execve, wait4.."));
  size_t dispatch = 0;
  for (const GraphNode& n : g.nodes) dispatch += n.kind == GraphNode::Kind::kDispatch;
  EXPECT_EQ(dispatch, 2U);  // the arch, the number
}

}  // namespace
}  // namespace sysgate::analysis
