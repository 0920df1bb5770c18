// How compile time grows with the policy (Google Benchmark): N argument rules over 50 syscalls
// (`allow SYSCALL if arg0 == V`, distinct values, as a learned profile of ioctl requests or
// socket families looks), compiled and verified by sysgate; libseccomp building the same rules
// (runc's way) at the sizes it finishes. The complexity line fits the growth.
//
//   compile_bench --benchmark_filter=Sysgate
#include <fcntl.h>
#include <unistd.h>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "support/runc_oracle.h"
#include "sysgate/compiler.h"

namespace {

using namespace sysgate;

// The syscalls the rules are spread over: the first 50 x86_64 syscalls with an argument.
std::vector<std::string> FiftySyscalls() {
  std::vector<std::string> out;
  for (const SyscallEntry& e : Syscalls(Arch::kX86_64)) {
    const Signature* s = FindSignature(e.name);
    if (s && s->nargs > 0) out.emplace_back(e.name);
    if (out.size() == 50) break;
  }
  return out;
}

// `distinct` values per syscall at most: with fewer, later rules repeat earlier decisions
// (a merged profile), and 10,000 rules still fit the kernel's 4,096 instructions.
Policy RulesPolicy(int n, int distinct = 1 << 30) {
  static const std::vector<std::string> names = FiftySyscalls();
  Policy p;
  p.arches = {Arch::kX86_64};
  p.default_action = Action::Errno(1);
  for (int i = 0; i < n; ++i) {
    Comparison c;
    c.arg.index = 0;
    c.arg.width = Width::k64;
    c.arg.explicit_type = true;
    c.op = CmpOp::kEq;
    // Distinct values per syscall (a shared value set would share code, which is not the
    // case measured).
    c.operands = {
        {static_cast<uint64_t>(0x1000 + (i / 50 % distinct) * 7 + (i % 50) * 0x10000), {}}};
    Rule r{Action::Allow(),
           {SyscallSpec::Name(names[static_cast<size_t>(i) % names.size()])},
           {},
           Condition::Compare(c),
           {}};
    p.rules.push_back(r);
  }
  (void)ResolveAndValidate(p);
  return p;
}

nlohmann::json RulesProfile(int n) {
  static const std::vector<std::string> names = FiftySyscalls();
  nlohmann::json j = {{"defaultAction", "SCMP_ACT_ERRNO"},
                      {"defaultErrnoRet", 1},
                      {"architectures", {"SCMP_ARCH_X86_64"}},
                      {"syscalls", nlohmann::json::array()}};
  for (int i = 0; i < n; ++i) {
    j["syscalls"].push_back(
        {{"names", {names[static_cast<size_t>(i) % names.size()]}},
         {"action", "SCMP_ACT_ALLOW"},
         {"args", {{{"index", 0}, {"value", 0x1000 + i * 7}, {"op", "SCMP_CMP_EQ"}}}}});
  }
  return j;
}

// Compiles `p` in the loop, verified as Compile does by default; the program's length as a
// counter.
void CompileAndVerify(benchmark::State& state, const Policy& p) {
  size_t length = 0;
  for (auto _ : state) {
    auto prog = Compile(p);
    if (!prog) {
      state.SkipWithError(prog.error().message.c_str());
      return;
    }
    length = prog->size();
  }
  state.counters["insns"] = static_cast<double>(length);
  state.SetComplexityN(state.range(0));
}

void SysgateCompileAndVerify(benchmark::State& state) {
  CompileAndVerify(state, RulesPolicy(static_cast<int>(state.range(0))));
}
BENCHMARK(SysgateCompileAndVerify)
    ->RangeMultiplier(2)
    ->Range(250, 2048)
    ->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oNLogN);

// Up to 10,000 rules, 40 distinct values per syscall: the decisions fit one filter.
void SysgateMergedRules(benchmark::State& state) {
  CompileAndVerify(state, RulesPolicy(static_cast<int>(state.range(0)), 40));
}
BENCHMARK(SysgateMergedRules)
    ->Arg(2000)
    ->Arg(4000)
    ->Arg(10000)
    ->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oNLogN);

void SysgateCompile(benchmark::State& state) {
  Policy p = RulesPolicy(static_cast<int>(state.range(0)));
  for (auto _ : state) benchmark::DoNotOptimize(Compile(p, {.verify = false}));
  state.SetComplexityN(state.range(0));
}
BENCHMARK(SysgateCompile)
    ->RangeMultiplier(2)
    ->Range(250, 2048)
    ->Unit(benchmark::kMillisecond)
    ->Complexity(benchmark::oNLogN);

void LibseccompBuild(benchmark::State& state) {
  nlohmann::json j = RulesProfile(static_cast<int>(state.range(0)));
  int devnull = open("/dev/null", O_WRONLY);
  for (auto _ : state) testing::RuncFilterToFd(j, Arch::kX86_64, 1, devnull);
  close(devnull);
  state.SetComplexityN(state.range(0));
}
BENCHMARK(LibseccompBuild)
    ->RangeMultiplier(2)
    ->Range(125, 500)
    ->Unit(benchmark::kMillisecond)
    ->Complexity();

}  // namespace

BENCHMARK_MAIN();
