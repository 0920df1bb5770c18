// Differential testing of the compiler: for thousands of generated policies on every arch,
// the emulated program and the reference interpreter agree on every input translation
// validation derives, and on random inputs. Counts are printed for the issue notes.
#include <cstdio>
#include <random>

#include <gtest/gtest.h>

#include "policy_gen.h"
#include "support/emulate.h"
#include "sysgate/analysis.h"
#include "sysgate/compiler.h"

namespace sysgate {
namespace {

struct Totals {
  size_t policies = 0, inputs = 0, insns = 0, with_frequencies = 0;
};

void RunSuite(const std::vector<Arch>& arches, int policies, uint64_t seed0, Totals& t) {
  std::mt19937_64 rng(seed0);
  for (int i = 0; i < policies; ++i) {
    testing::PolicyGenOptions opt;
    opt.arches = arches;
    testing::PolicyGen gen(seed0 + static_cast<uint64_t>(i), opt);
    Policy p = gen.Next();
    // Both layouts of the number dispatch: by syscall counts (every other policy gets a random
    // frequency mix, as from strace -c) and the default.
    CompileOptions options;
    if (i % 2 == 1) {
      auto table = Syscalls(arches[0]);
      for (int k = 0; k < 40; ++k) {
        options.frequencies[std::string(table[rng() % table.size()].name)] =
            static_cast<double>(rng() % 100000);
      }
      ++t.with_frequencies;
    }
    options.verify = false;  // verified here, counting the inputs
    auto prog = Compile(p, options);
    ASSERT_TRUE(prog) << prog.error().ToString();
    auto report = analysis::VerifyTranslation(p, *prog);
    ASSERT_TRUE(report) << "seed " << seed0 + static_cast<uint64_t>(i) << ": "
                        << report.error().message;
    t.inputs += report->inputs;
    // Random inputs on top: any arch value, any number, any arguments.
    Interpreter interp(p);
    for (int k = 0; k < 300; ++k) {
      SeccompData d;
      Arch a = arches[rng() % arches.size()];
      d.arch = (k % 17 == 0) ? static_cast<uint32_t>(rng()) : Info(a).audit_arch;
      d.nr = (k % 3 == 0) ? static_cast<int32_t>(rng()) : static_cast<int32_t>(rng() % 600);
      for (auto& x : d.args) x = gen.InterestingValue();
      ASSERT_EQ(testing::EmulatedRet(*prog, d), bpf::RetOf(interp.Evaluate(d).action, d))
          << "seed " << seed0 + static_cast<uint64_t>(i);
      ++t.inputs;
    }
    t.insns += prog->size();
    ++t.policies;
  }
}

class Differential : public ::testing::TestWithParam<std::vector<Arch>> {};

TEST_P(Differential, CompilerAgreesWithInterpreter) {
  Totals t;
  uint64_t seed = 1000000 + 7919 * static_cast<uint64_t>(Info(GetParam()[0]).audit_arch % 1000);
  RunSuite(GetParam(), 150, seed, t);
  std::printf(
      "differential %s: %zu policies (%zu laid out by syscall frequencies), %zu inputs, "
      "%.0f instructions on average\n",
      std::string(Info(GetParam()[0]).name).c_str(), t.policies, t.with_frequencies, t.inputs,
      static_cast<double>(t.insns) / static_cast<double>(t.policies));
  EXPECT_EQ(t.policies, 150u);
}

INSTANTIATE_TEST_SUITE_P(
    Arches, Differential,
    ::testing::Values(std::vector<Arch>{Arch::kX86_64, Arch::kI386},
                      std::vector<Arch>{Arch::kX86_64, Arch::kX32, Arch::kI386},
                      std::vector<Arch>{Arch::kX32}, std::vector<Arch>{Arch::kAarch64, Arch::kArm},
                      std::vector<Arch>{Arch::kRiscv64}, std::vector<Arch>{Arch::kPpc64le},
                      std::vector<Arch>{Arch::kPpc64, Arch::kPpc},
                      std::vector<Arch>{Arch::kS390x, Arch::kS390},
                      std::vector<Arch>{Arch::kMips64, Arch::kMips64n32, Arch::kMips},
                      std::vector<Arch>{Arch::kMips64el, Arch::kMips64n32el, Arch::kMipsel},
                      std::vector<Arch>{Arch::kLoongarch64},
                      std::vector<Arch>{Arch::kParisc64, Arch::kParisc},
                      std::vector<Arch>{Arch::kSparc64, Arch::kSparc},
                      std::vector<Arch>{Arch::kM68k}, std::vector<Arch>{Arch::kRiscv32}),
    [](const ::testing::TestParamInfo<std::vector<Arch>>& param_info) {
      std::string name;
      for (Arch a : param_info.param) name += std::string(Info(a).name) + "_";
      name.pop_back();
      return name;
    });

}  // namespace
}  // namespace sysgate
