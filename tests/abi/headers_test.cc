// sysgate's tables against each ABI's own headers, at test time: every constant's value and
// every syscall number, compiled by that ABI's Debian cross compiler (tools/gen/abis.txt says
// which) as C static assertions, so that the compiler names each disagreement. An ABI whose
// compiler is missing is skipped, saying which (`make deps` installs them).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include "base/files.h"
#include "support/subprocess.h"
#include "sysgate/arch.h"

namespace sysgate {

void PrintTo(Arch a, std::ostream* os) { *os << Info(a).name; }  // test names

namespace {

namespace fs = std::filesystem;

struct AbiHeaders {
  std::vector<std::string> argv;  // the compiler and its flags; empty when derived
  std::vector<std::string> stubs;
  std::string derived;  // "= OTHER REASON": the ABI whose values this one takes,
  std::string reason;   // and why it has no compiler of its own
};

// tools/gen/abis.txt, the ABIs' compilers (as the generator reads it).
std::map<std::string, AbiHeaders> ReadAbis() {
  std::map<std::string, AbiHeaders> out;
  std::ifstream in(fs::path(SYSGATE_SOURCE_DIR) / "tools/gen/abis.txt");
  for (std::string line; std::getline(in, line);) {
    line = line.substr(0, line.find('#'));
    std::istringstream words(line);
    std::string abi, w;
    if (!(words >> abi)) continue;
    AbiHeaders& h = out[abi];
    if (words >> std::ws && words.peek() == '=') {
      words.get();
      words >> h.derived >> std::ws;
      std::getline(words, h.reason);
      continue;
    }
    while (words >> w) {
      if (w.starts_with("stub:")) {
        h.stubs.push_back(w.substr(5));
      } else {
        h.argv.push_back(w);
      }
    }
  }
  return out;
}

class Headers : public ::testing::TestWithParam<Arch> {
 protected:
  void SetUp() override {
    abi_ = std::string(Info(GetParam()).name);
    auto abis = ReadAbis();
    ASSERT_TRUE(abis.contains(abi_)) << "tools/gen/abis.txt has no line for " << abi_;
    h_ = abis[abi_];
    if (!h_.derived.empty()) {
      GTEST_SKIP() << abi_ << " takes " << h_.derived << "'s values (tested there): " << h_.reason;
    }
    if (!testing::OnPath(h_.argv[0]))
      GTEST_SKIP() << "no " << h_.argv[0] << " (make deps installs it)";
    dir_ = fs::temp_directory_path() / fmt::format("sysgate-headers-{}-{}", abi_, getpid());
    fs::create_directories(dir_);
    for (const std::string& s : h_.stubs) {
      fs::create_directories((dir_ / "stubs" / s).parent_path());
      std::ofstream(dir_ / "stubs" / s).flush();
    }
  }
  void TearDown() override {
    std::error_code ec;
    if (!dir_.empty()) fs::remove_all(dir_, ec);
  }

  // Compiles `source` (-c, or -E -dM when `macros`); the compiler's output, and whether it
  // succeeded.
  std::pair<bool, std::string> Compile(const std::string& source, bool macros = false) {
    fs::path src = dir_ / "probe.c";
    std::ofstream(src) << source;
    std::vector<std::string> argv = h_.argv;
    if (!h_.stubs.empty()) argv.insert(argv.end(), {"-I", (dir_ / "stubs").string()});
    if (macros) {
      argv.insert(argv.end(), {"-E", "-dM", src.string()});
    } else {
      argv.insert(argv.end(),
                  {"-c", "-w", "-fmax-errors=0", src.string(), "-o", (dir_ / "probe.o").string()});
    }
    testing::ProgramResult r = testing::RunProgram(argv, dir_ / "out.txt");
    return {r.exited_zero, r.output};
  }

  // The names the compiler's errors name: each assertion's message is its name.
  static std::vector<std::string> Failed(const std::string& output) {
    std::vector<std::string> out;
    static const std::regex kAssert(R"re(static assertion failed: "([^"]+)")re");
    for (std::sregex_iterator it(output.begin(), output.end(), kAssert), end; it != end; ++it) {
      out.push_back((*it)[1]);
    }
    return out;
  }

  std::string abi_;
  AbiHeaders h_;
  fs::path dir_;
};

std::string Literal(int64_t v) {
  return v == INT64_MIN ? "(-9223372036854775807LL - 1)" : fmt::format("{}LL", v);
}

TEST_P(Headers, EveryConstantHasTheHeadersValue) {
  const Arch a = GetParam();
  const std::string include =
      fmt::format("#include \"{}/tools/gen/constants-headers.h\"\n", SYSGATE_SOURCE_DIR);
  // The values sysgate has, each an assertion named after its constant.
  std::string src = include;
  std::vector<std::string_view> absent;
  size_t checked = 0;
  for (std::string_view name : ConstantNames()) {
    if (auto v = FindConstant(a, name)) {
      src +=
          fmt::format("_Static_assert((long long)({}) == {}, \"{}\");\n", name, Literal(*v), name);
      ++checked;
    } else {
      absent.push_back(name);
    }
  }
  auto [ok, output] = Compile(src);
  std::vector<std::string> wrong = Failed(output);
  EXPECT_TRUE(ok && wrong.empty())
      << abi_ << ": the headers disagree on " << wrong.size()
      << " constants: " << fmt::format("{}", fmt::join(wrong, ", ")) << "\n"
      << (wrong.empty() ? output.substr(0, 3000) : "");
  // Those it has none of: each, on a line of its own, is no integral constant there (undefined,
  // or not a constant expression: TIOCSRS485 needs a struct these headers do not define).
  src =
      include +
      "#define INTEGRAL(x) (__builtin_classify_type(x) >= 1 && __builtin_classify_type(x) <= 4)\n";
  const int first = 3;
  for (std::string_view name : absent) {
    src += fmt::format(
        "_Static_assert(INTEGRAL({}), \"\"); static const long long v_{} = (long long)({});\n",
        name, name, name);
  }
  output = Compile(src).second;
  std::set<size_t> refused;
  static const std::regex kLine(R"(probe\.c:(\d+):\d+: error)");
  for (std::sregex_iterator it(output.begin(), output.end(), kLine), end; it != end; ++it) {
    refused.insert(std::stoul((*it)[1]) - first);
  }
  std::vector<std::string_view> missed;
  for (size_t i = 0; i < absent.size(); ++i) {
    if (!refused.contains(i)) missed.push_back(absent[i]);
  }
  EXPECT_TRUE(missed.empty()) << abi_ << ": the headers have a value for "
                              << fmt::format("{}", fmt::join(missed, ", ")) << " and sysgate none";
  std::printf("%s: %zu constants equal to the headers', %zu that neither has\n", abi_.c_str(),
              checked, absent.size());
}

TEST_P(Headers, EverySyscallNumberIsTheHeaders) {
  const Arch a = GetParam();
  // The headers' syscalls: every __NR_ macro that names one (arm's own: __ARM_NR_).
  auto [listed, macros] = Compile("#include <asm/unistd.h>\n", /*macros=*/true);
  ASSERT_TRUE(listed) << macros.substr(0, 2000);
  std::map<std::string, std::string> in_headers;  // syscall name -> macro
  static const std::regex kNr(R"(#define (__(?:ARM_)?NR_([a-z0-9_]+)) )");
  for (std::sregex_iterator it(macros.begin(), macros.end(), kNr), end; it != end; ++it) {
    std::string n = (*it)[2];
    if (n != "syscalls" && !n.ends_with("_syscalls")) in_headers[n] = (*it)[1];  // counts
  }
  std::string src = "#include <asm/unistd.h>\n";
  size_t same = 0;
  std::vector<std::string> only_headers;
  for (const auto& [n, macro] : in_headers) {
    if (auto nr = SyscallNumber(a, n)) {
      src += fmt::format("_Static_assert({} == {}, \"{}\");\n", macro, *nr, n);
      ++same;
    } else {
      only_headers.push_back(n);
    }
  }
  auto [ok, output] = Compile(src);
  std::vector<std::string> wrong = Failed(output);
  EXPECT_TRUE(ok && wrong.empty())
      << abi_ << ": " << wrong.size()
      << " syscall numbers differ from the headers: " << fmt::format("{}", fmt::join(wrong, ", "))
      << "\n"
      << (wrong.empty() ? output.substr(0, 3000) : "");
  EXPECT_GT(same, 250u);
  // The headers (Linux 6.1) still name numbers the kernel's tables of Linux 7.2 leave
  // unimplemented (afs_syscall, _sysctl, ...): sysgate gives them the unknown action, as the
  // kernel answers them with ENOSYS.
  std::printf(
      "%s: %zu syscall numbers equal to the headers'; %zu of the table's are newer than the "
      "headers; in the headers only: %s\n",
      abi_.c_str(), same, Syscalls(a).size() - same,
      fmt::format("{}", fmt::join(only_headers, " ")).c_str());
}

INSTANTIATE_TEST_SUITE_P(Abis, Headers, ::testing::ValuesIn(AllArches().begin(), AllArches().end()),
                         [](const ::testing::TestParamInfo<Arch>& i) {
                           return std::string(Info(i.param).name);
                         });

}  // namespace
}  // namespace sysgate
