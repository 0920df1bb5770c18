// sysgate decompile on filters libseccomp built: Docker's and Podman's default profiles as runc
// builds them (tests/support/runc_oracle.h), linear (runc's) and as a binary tree
// (SCMP_FLTATR_CTL_OPTIMIZE=2), for x86_64 (with x32 and i386) and aarch64. Decompile proves
// each policy against its program itself; this test also compares the program with the
// policy compiled again on random inputs of its own, and prints what it measured.
#include <filesystem>
#include <random>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/files.h"
#include "support/runc_oracle.h"
#include "sysgate/analysis.h"
#include "sysgate/compiler.h"
#include "sysgate/decompile.h"

namespace sysgate {
namespace {

namespace fs = std::filesystem;

// Inputs independent of both programs: every ABI's audit value and a foreign one, numbers
// around every table, argument values from a mix of small, boundary and random words.
size_t RandomDifferences(const bpf::Program& a, const bpf::Program& b, size_t n,
                         std::string* first) {
  std::mt19937_64 rng(1328);
  std::vector<uint32_t> audits = {0x12345678U};
  for (Arch x : AllArches()) audits.push_back(Info(x).audit_arch);
  const uint64_t words[] = {
      0, 1, 2, 8, 0x20000, 0x20008, 0xffffffffULL, 0x100000000ULL, ~0ULL, 0x5412, 0x7e020000};
  size_t differ = 0;
  for (size_t i = 0; i < n; ++i) {
    SeccompData d;
    d.arch = audits[rng() % audits.size()];
    d.nr = static_cast<int32_t>(rng() % 4 == 0 ? rng() : rng() % 1100);
    if (rng() % 8 == 0) d.nr |= 0x40000000;
    for (auto& x : d.args) x = rng() % 2 ? words[rng() % std::size(words)] : rng();
    auto ra = analysis::Emulate(a, d);
    auto rb = analysis::Emulate(b, d);
    if (ra && rb && bpf::ActionOfRet(ra->ret) == bpf::ActionOfRet(rb->ret)) continue;
    if (differ++ == 0) *first = fmt::format("arch {:#x} nr {}", d.arch, d.nr);
  }
  return differ;
}

TEST(DecompileLibseccomp, DockerAndPodmanExportsComeBackExactly) {
  fs::path dir = fs::path(SYSGATE_SHARED_DATA) / "profiles";
  if (!fs::exists(dir)) GTEST_SKIP() << "no reference data at " << dir;
  const testing::DockerTarget targets[] = {{Arch::kX86_64, "amd64", {}},
                                           {Arch::kAarch64, "arm64", {}}};
  size_t programs = 0;
  for (const char* file : {"moby-profiles-default.json", "containers-common-seccomp.json"}) {
    auto profile = nlohmann::json::parse(base::ReadFile(dir / file).value_or("{}"));
    for (const testing::DockerTarget& t : targets) {
      for (int optimize : {1, 2}) {
        std::string what = fmt::format("{} for {}, {}", file, Info(t.native).name,
                                       optimize == 1 ? "linear" : "tree");
        SCOPED_TRACE(what);
        bool slow = false;
        auto lib = testing::RuncFilter(testing::ResolveDockerProfile(profile, t), t.native,
                                       optimize, &slow);
        ASSERT_TRUE(lib) << (slow ? "libseccomp took too long" : "libseccomp failed");
        auto d = analysis::Decompile(*lib, {.name = what});
        ASSERT_TRUE(d) << d.error().ToString();
        // libseccomp kills the calls of other arches by thread, its default.
        EXPECT_EQ(d->policy.foreign_abi_action, Action::KillThread());
        auto again = Compile(d->policy);
        ASSERT_TRUE(again);
        std::string first;
        EXPECT_EQ(RandomDifferences(*lib, *again, 20000, &first), 0U) << first << "\n" << d->text;
        std::printf(
            "decompile %s: %zu instructions, %zu paths -> %zu rules (%zu instructions compiled "
            "again); 0 differences on %zu proof inputs and 20000 random ones\n",
            what.c_str(), lib->size(), d->paths, d->policy.rules.size(), d->recompiled_length,
            d->inputs_checked);
        ++programs;
      }
    }
  }
  EXPECT_EQ(programs, 8U);
}

}  // namespace
}  // namespace sysgate
