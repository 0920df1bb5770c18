// Every committed fuzz input (tests/fuzz/corpus/<target>/: the seeds and what the fuzzers kept)
// and every past crash (crashes/<target>/: inputs that once crashed, hung or misled sysgate)
// through the fuzz targets' own entry points, built with the normal compiler: make check needs
// no clang, and make asan runs them under the sanitizers.
#include <chrono>
#include <filesystem>

#include <gtest/gtest.h>

#include "base/files.h"
#include "base/sanitizers.h"
#include "fuzz/entry_points.h"

namespace sysgate::fuzz {
namespace {

namespace fs = std::filesystem;

// A hang is an input that takes this long (the fuzzers' -timeout is 10 s).
#if SYSGATE_ASAN
constexpr auto kHang = std::chrono::seconds(60);
#else
constexpr auto kHang = std::chrono::seconds(10);
#endif

fs::path FuzzDir() { return fs::path(SYSGATE_SOURCE_DIR) / "tests" / "fuzz"; }

class Replay : public ::testing::TestWithParam<Target> {};

}  // namespace

// Test names say the target (not the bytes of a Target).
void PrintTo(const Target& t, std::ostream* os) { *os << t.name; }

namespace {

TEST_P(Replay, CorpusAndCrashes) {
  const Target& t = GetParam();
  int replayed = 0;
  for (std::string_view kind : {"corpus", "crashes"}) {
    fs::path dir = FuzzDir() / kind / t.name;
    if (!fs::is_directory(dir)) continue;
    for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
      Result<std::string> input = base::ReadFile(e.path());
      ASSERT_TRUE(input) << input.error().ToString();
      auto start = std::chrono::steady_clock::now();
      Failure f = t.run(*input);
      auto took = std::chrono::steady_clock::now() - start;
      EXPECT_FALSE(f) << e.path() << ": " << *f;
      EXPECT_LT(took, kHang) << e.path() << " took "
                             << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                             << " ms";
      ++replayed;
    }
  }
  EXPECT_GT(replayed, 0) << "no corpus for " << t.name << " in " << FuzzDir();
}

INSTANTIATE_TEST_SUITE_P(Fuzz, Replay, ::testing::ValuesIn(Targets().begin(), Targets().end()),
                         [](const auto& p) { return std::string(p.param.name); });

}  // namespace
}  // namespace sysgate::fuzz
