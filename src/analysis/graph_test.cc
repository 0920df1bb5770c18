// sysgate graph: the structure of compiled programs, comparison trees collapsed into dispatch
// nodes whose edges say exactly which syscalls go where.
#include "sysgate/graph.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>

#include "sysgate/analysis.h"
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
    if (n.kind != GraphNode::Kind::kDispatch ||
        n.lines.front().find("syscall number") == std::string::npos)
      continue;
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
  // Named, in number order, with a count; x32's numbers (this filter is for x86_64 alone) as a
  // range.
  EXPECT_EQ(edges["ALLOW"], "read, write, close, fstat, mmap, exit_group (6 syscalls)");
  EXPECT_EQ(edges["KILL_PROCESS"],
            "ptrace, x32.read..x32.pwritev2, #0x40000224..#0x7fffffff (370 syscalls)");
  EXPECT_THAT(edges["ERRNO(1)"], HasSubstr("open, stat, lstat..lseek, mprotect..sendfile"));
  bool socket_block = false;
  for (auto& [to, label] : edges)
    socket_block = socket_block || (label == "socket (1 syscall)" && to.starts_with("b"));
  EXPECT_TRUE(socket_block) << "socket's argument test is a block of its own";
  // The arch check is a dispatch of its own, naming the arch.
  std::string dot = ToDot(g);
  EXPECT_THAT(dot, HasSubstr("[label=\"x86_64\"]"));
  EXPECT_THAT(dot, HasSubstr("[label=\"every value but x86_64\"]"));
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

FilterGraph FromAsm(std::string_view text) {
  auto p = Assemble(text, "g.asm", Arch::kX86_64);
  EXPECT_TRUE(p) << p.error().ToString();
  return BuildGraph(p ? *p : bpf::Program{}, {.arch = Arch::kX86_64});
}

// A comparison some path reaches after comparing the number already (here: the number loaded
// again after an argument test, through a goto) is not collapsed with sets it cannot vouch
// for: it is drawn as a test of its own. Gotos are seen through.
TEST(Graph, OnlyExactSetsAreCollapsed) {
  FilterGraph g = FromAsm(R"(
  A = arch
  if (A != ARCH_X86_64) goto kill
  A = sys_number
  if (A == read) goto a
  goto b
a:
  A = args[0]
  if (A == 0) goto allow
  A = sys_number
  goto b
b:
  if (A == write) goto allow
  return ERRNO(1)
allow:
  return ALLOW
kill:
  return KILL_PROCESS
)");
  auto edges = DispatchEdges(g);
  EXPECT_EQ(edges.count("ERRNO(1)"), 0U) << "read reaches ERRNO only through a's test";
  bool plain_write = false;
  for (const GraphNode& n : g.nodes) {
    EXPECT_NE(n.lines, std::vector<std::string>{}) << n.id << ": an empty block (a goto)";
    plain_write =
        plain_write || (n.kind == GraphNode::Kind::kBlock && n.lines.back() == "A == write ?");
  }
  EXPECT_TRUE(plain_write);
  EXPECT_EQ(edges["b5"], "read (1 syscall)");
}

// On x86_64, numbers with the x32 bit are x32's syscalls, named so; numbers past the tables are
// said as numbers, never left out of a range.
TEST(Graph, X32NumbersAreNamedAndNothingIsLeftOut) {
  FilterGraph g = FromAsm(R"(
  A = arch
  if (A != ARCH_X86_64) goto kill
  A = sys_number
  if (A == ptrace) goto kill
  return ALLOW
kill:
  return KILL_PROCESS
)");
  auto edges = DispatchEdges(g);
  EXPECT_THAT(edges["ALLOW"], HasSubstr("read..times, getuid.."));
  EXPECT_THAT(edges["ALLOW"], HasSubstr("x32.read..x32."));
  EXPECT_THAT(edges["ALLOW"], HasSubstr("..#0xffffffff"));
}

TEST(Graph, AProgramThatIsOneVerdict) {
  FilterGraph g = FromAsm("return ALLOW\n");
  ASSERT_EQ(g.nodes.size(), 1U);
  EXPECT_EQ(g.nodes[0].kind, GraphNode::Kind::kVerdict);
}

}  // namespace
}  // namespace sysgate::analysis
