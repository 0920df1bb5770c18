// The parser never crashes, hangs or reports an impossible location, on generated, mangled
// and random input. (Run under `make asan` to catch memory errors too.)
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <gtest/gtest.h>

#include "fuzz/entry_points.h"
#include "policy_gen.h"
#include "sysgate/policy_text.h"

namespace sysgate {
namespace {

std::vector<std::string> Seeds() {
  std::vector<std::string> out;
  for (int seed = 0; seed < 50; ++seed) {
    testing::PolicyGen gen(static_cast<uint64_t>(seed) + 777);
    out.push_back(PrintPolicy(gen.Next()));
  }
  namespace fs = std::filesystem;
  fs::path dir = fs::path(SYSGATE_SOURCE_DIR) / "examples/policies";
  if (fs::exists(dir)) {
    for (const auto& e : fs::directory_iterator(dir)) {
      std::ifstream in(e.path());
      std::stringstream buf;
      buf << in.rdbuf();
      out.push_back(buf.str());
    }
  }
  return out;
}

std::string Mangle(std::string s, std::mt19937_64& rng) {
  static const char* kTokens[] = {
      "(",       ")",          "{",    "}",  ",",    "&",  "&&",   "||",
      "!",       "==",         "..",   "in", "if",   "on", "not",  "arg9",
      "@",       "@x",         "\"",   "#",  "\n",   "-",  "0x",   "99999999999999999999",
      "errno(",  "include \"", ":u32", ":",  "\\\n", "\t", "\x80", "allow",
      "default", "const"};
  int edits = static_cast<int>(rng() % 4) + 1;
  for (int i = 0; i < edits; ++i) {
    size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 5) {
      case 0: s.erase(pos, rng() % 12); break;
      case 1: s.insert(pos, kTokens[rng() % std::size(kTokens)]); break;
      case 2:
        if (!s.empty() && pos < s.size()) s[pos] = static_cast<char>(rng() % 256);
        break;
      case 3: s.resize(pos); break;
      default: s.insert(pos, s.substr(pos / 2, rng() % 40)); break;
    }
  }
  return s;
}

void CheckResult(const std::string& text, const ParsedPolicy& r) {
  if (fuzz::Failure f = fuzz::CheckNativeParse(text, "fuzz.sgp", r))
    FAIL() << *f << "\n---\n" << text;
}

TEST(NeverCrash, MangledPolicies) {
  std::mt19937_64 rng(12345);
  std::vector<std::string> seeds = Seeds();
  int ok = 0, rejected = 0;
  for (int i = 0; i < 6000; ++i) {
    std::string text = Mangle(seeds[static_cast<size_t>(i) % seeds.size()], rng);
    ParsedPolicy r = ParsePolicyText(text, "fuzz.sgp");
    ASSERT_NO_FATAL_FAILURE(CheckResult(text, r));
    (r.ok() ? ok : rejected)++;
  }
  EXPECT_GT(rejected, 1000);  // the mangling does produce broken input
  EXPECT_GT(ok, 100);         // and some that still parses
}

TEST(NeverCrash, RandomBytesAndTokenSoup) {
  std::mt19937_64 rng(999);
  static const char* kWords[] = {"allow", "errno(EPERM)",
                                 "read",  "openat",
                                 "if",    "flags",
                                 "==",    "O_RDONLY",
                                 "&&",    "||",
                                 "(",     ")",
                                 "{",     "}",
                                 ",",     "in",
                                 "..",    "1",
                                 "-1",    "@exit",
                                 "arg0",  ":s32",
                                 "&",     "!",
                                 "not",   "on",
                                 "i386",  "\n",
                                 ";",     "const",
                                 "X",     "=",
                                 "|",     "<<",
                                 "~",     "default"};
  for (int i = 0; i < 4000; ++i) {
    std::string text;
    int n = static_cast<int>(rng() % 40);
    for (int j = 0; j < n; ++j) {
      if (i % 4 == 0) {
        text += static_cast<char>(rng() % 256);
      } else {
        text += kWords[rng() % std::size(kWords)];
        text += ' ';
      }
    }
    ParsedPolicy r = ParsePolicyText(text, "fuzz.sgp");
    ASSERT_NO_FATAL_FAILURE(CheckResult(text, r));
  }
}

TEST(NeverCrash, DeepNestingIsBounded) {
  std::string deep =
      "allow getppid if " + std::string(2000, '(') + "arg0 == 1" + std::string(2000, ')');
  ParsedPolicy r = ParsePolicyText(deep, "fuzz.sgp");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.RenderDiagnostics().find("nests deeper than 200 levels"), std::string::npos);
  std::string nots = "allow getppid if " + std::string(3000, '!') + "arg0 == 1";
  EXPECT_FALSE(ParsePolicyText(nots, "fuzz.sgp").ok());
  // Nesting within the bound is fine.
  std::string ok = "allow getppid if " + std::string(50, '(') + "arg0 == 1" + std::string(50, ')');
  EXPECT_TRUE(ParsePolicyText(ok, "fuzz.sgp").ok());
}

}  // namespace
}  // namespace sysgate
