// Docker's and Podman's default profiles, and OCI profiles sysgate writes, against the filter
// libseccomp builds for the same profile the way runc does (test-only oracle): the profile's
// Docker extensions resolved as moby does (an independent implementation, here), then
// seccomp_init(default), the architectures added, each rule skipped when its action is the
// default, names resolved (unknown ones skipped), args ANDed or, with two on one index, one
// rule each. Both filters run in sysgate's emulator (held to the kernel by the kernel suite)
// on every syscall number of every ABI in the filter and the boundary values of every
// argument rule.
//
// Not compared, and counted in the output: numbers sysgate's tables do not know (sysgate
// returns ENOSYS; runc's stub does so only above the profile's newest syscall), syscalls that
// libseccomp 2.5 does not know (runc skips their names), and foreign architectures (libseccomp
// kills the thread, sysgate the process).
#include <errno.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/files.h"
#include "policy_gen.h"
#include "support/emulate.h"
#include "support/runc_oracle.h"
#include "sysgate/analysis.h"
#include "sysgate/compiler.h"
#include "sysgate/formats.h"
#include "sysgate/interpreter.h"
#include "sysgate/policy_text.h"

namespace sysgate {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

using testing::DockerTarget;
using testing::ResolveDockerProfile;
using testing::RuncFilter;
using testing::ScmpArch;

struct Counts {
  size_t compared = 0, unknown_numbers = 0, unknown_to_libseccomp = 0, foreign = 0;
};

// True if libseccomp's table has `nr` as the same syscall on `abi`.
bool LibseccompKnows(Arch abi, int32_t nr) {
  auto name = SyscallName(abi, nr);
  if (!name) return false;
  uint32_t a = ScmpArch(std::string(Info(abi).scmp_name));
  int lnr = seccomp_syscall_resolve_name_arch(a, std::string(*name).c_str());
  if (abi == Arch::kX32 && lnr >= 0) lnr |= 0x40000000;  // libseccomp's x32 numbers lack the bit
  return lnr == nr;
}

// Same verdicts on every input that matters for `policy` (and every number of each ABI).
void Compare(const Policy& policy, const bpf::Program& lib, const std::string& what, Counts& c) {
  auto ours = Compile(policy);
  ASSERT_TRUE(ours) << what << ": " << ours.error().ToString();
  std::vector<Arch> targets = policy.TargetArches();
  auto check = [&](const SeccompData& d) -> Result<void> {
    auto abi = ArchFromAudit(d.arch, d.nr);
    if (!abi || std::ranges::find(targets, *abi) == targets.end()) {
      ++c.foreign;
      return {};
    }
    if (!SyscallName(*abi, d.nr)) {
      ++c.unknown_numbers;
      return {};
    }
    if (!LibseccompKnows(*abi, d.nr)) {
      ++c.unknown_to_libseccomp;
      return {};
    }
    SeccompData in = d;
    if (Info(*abi).word_bits == 32) {  // the kernel zero-extends 32-bit ABIs' arguments
      for (auto& x : in.args) x &= 0xffffffffULL;
    }
    auto a = analysis::Emulate(*ours, in);
    auto b = analysis::Emulate(lib, in);
    if (!a || !b) return MakeError(ErrorCode::kInternal, "emulation failed");
    ++c.compared;
    if (a->ret == b->ret) return {};
    return MakeError(
        ErrorCode::kInternal,
        fmt::format("{}: {} syscall {} ({}) args [{:#x}]: sysgate {}, libseccomp {}", what,
                    Info(*abi).name, d.nr, *SyscallName(*abi, d.nr), fmt::join(in.args, ", "),
                    bpf::RetName(a->ret), bpf::RetName(b->ret)));
  };
  auto r = analysis::ForEachBoundaryInput(policy, check);
  ASSERT_TRUE(r) << r.error().message;
}

TEST(RuncProfiles, DockerAndPodmanDefaultsMatchLibseccomp) {
  fs::path dir = fs::path(SYSGATE_SHARED_DATA) / "profiles";
  if (!fs::exists(dir)) GTEST_SKIP() << "no reference data at " << dir;
  const DockerTarget targets[] = {
      {Arch::kX86_64, "amd64", {}},
      {Arch::kX86_64, "amd64", {"CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_BPF"}},
      {Arch::kAarch64, "arm64", {}},
  };
  Counts c;
  int profiles = 0;
  for (const char* file : {"moby-profiles-default.json", "containers-common-seccomp.json"}) {
    std::string text = base::ReadFile(dir / file).value_or("");
    for (const DockerTarget& t : targets) {
      formats::ImportOptions o;
      o.arch = t.native;
      o.caps = t.caps;
      o.kernel = std::pair(6, 1);
      formats::Imported in = formats::ImportOci(text, o);
      ASSERT_TRUE(in.policy) << file;
      bool slow = false;
      auto lib = RuncFilter(ResolveDockerProfile(json::parse(text), t), t.native, 1, &slow);
      ASSERT_TRUE(lib) << file << (slow ? ": libseccomp took too long" : "");
      std::string what =
          fmt::format("{} for {}{}", file, Info(t.native).name, t.caps.empty() ? "" : " with caps");
      Compare(*in.policy, *lib, what, c);
      if (HasFatalFailure()) return;
      ++profiles;
    }
  }
  std::printf(
      "runc profiles: %d resolved profiles, %zu inputs with identical verdicts; not compared: "
      "%zu unassigned numbers, %zu inputs on syscalls libseccomp 2.5 does not know, %zu "
      "foreign-arch inputs\n",
      profiles, c.compared, c.unknown_numbers, c.unknown_to_libseccomp, c.foreign);
  EXPECT_GT(c.compared, 10000u);
}

// x32 is an ILP32 ABI: libseccomp compares its arguments as 32-bit values, so Docker's
// `personality == 0xffffffff` allows personality(-1) there (the kernel reads an unsigned int:
// personality 0xffffffff), while on x86_64 all 64 bits are compared and it is denied.
TEST(RuncProfiles, X32ArgumentsAreComparedAs32BitValuesLikeLibseccomp) {
  fs::path file = fs::path(SYSGATE_SHARED_DATA) / "profiles" / "moby-profiles-default.json";
  if (!fs::exists(file)) GTEST_SKIP() << "no reference data at " << file;
  std::string text = base::ReadFile(file).value_or("");
  const DockerTarget t{Arch::kX86_64, "amd64", {}};
  formats::ImportOptions o;
  o.arch = t.native;
  o.kernel = std::pair(6, 1);
  formats::Imported in = formats::ImportOci(text, o);
  ASSERT_TRUE(in.policy);
  std::vector<Arch> targets = in.policy->TargetArches();
  ASSERT_TRUE(std::ranges::find(targets, Arch::kX32) != targets.end());
  bool slow = false;
  auto lib = RuncFilter(ResolveDockerProfile(json::parse(text), t), t.native, 1, &slow);
  ASSERT_TRUE(lib);
  auto ours = Compile(*in.policy);
  ASSERT_TRUE(ours) << ours.error().ToString();
  for (Arch abi : {Arch::kX32, Arch::kX86_64}) {
    for (uint64_t arg : {~0ULL, 0xffffffffULL, 0x100000008ULL, 8ULL, 0x20ULL}) {
      SeccompData d = SeccompData::For(abi, *SyscallNumber(abi, "personality"), {arg});
      const uint32_t a = testing::EmulatedRet(*ours, d), b = testing::EmulatedRet(*lib, d);
      EXPECT_EQ(bpf::RetName(a), bpf::RetName(b))
          << Info(abi).name << " personality(" << std::hex << arg << ")";
      EXPECT_EQ(a, bpf::RetOf(Evaluate(*in.policy, d).action)) << Info(abi).name;
    }
  }
}

// The meaning of an OCI profile as the runtime spec and libseccomp document it: the entries
// naming the syscall whose args all hold; their action (the writer makes them agree, so two
// different actions matching is a writer bug); the default when none matches.
class OciMeaning {
 public:
  explicit OciMeaning(const json& p) {
    def_ = testing::ScmpAction(p["defaultAction"],
                               testing::OciErrno(p, "defaultErrnoRet", "defaultErrno", EPERM));
    for (const json& r : p["syscalls"]) {
      Entry e{testing::ScmpAction(r["action"], testing::OciErrno(r, "errnoRet", "errno", EPERM)),
              {}};
      if (r.contains("args")) {
        for (const json& a : r["args"]) {
          e.args.push_back({a["index"].get<size_t>(), a["op"].get<std::string>(),
                            a["value"].get<uint64_t>(), a.value("valueTwo", uint64_t{0})});
        }
      }
      for (const json& n : r["names"]) by_name_[n.get<std::string>()].push_back(e);
    }
  }

  Result<uint32_t> operator()(Arch abi, const SeccompData& d) const {
    auto name = SyscallName(abi, d.nr);
    auto it = name ? by_name_.find(std::string(*name)) : by_name_.end();
    if (it == by_name_.end()) return def_;
    std::optional<uint32_t> found;
    for (const Entry& e : it->second) {
      bool all = true;
      for (const Arg& a : e.args) {
        uint64_t x = d.args[a.index], v = a.value;
        const std::string& op = a.op;
        all &= op == "SCMP_CMP_EQ"   ? x == v
               : op == "SCMP_CMP_NE" ? x != v
               : op == "SCMP_CMP_LT" ? x < v
               : op == "SCMP_CMP_LE" ? x <= v
               : op == "SCMP_CMP_GT" ? x > v
               : op == "SCMP_CMP_GE" ? x >= v
                                     : (x & v) == a.value_two;
      }
      if (!all) continue;
      if (found && *found != e.action) {
        return MakeError(ErrorCode::kInternal,
                         fmt::format("two entries with different actions match {}", *name));
      }
      found = e.action;
    }
    return found.value_or(def_);
  }

 private:
  struct Arg {
    size_t index;
    std::string op;
    uint64_t value, value_two;
  };
  struct Entry {
    uint32_t action;
    std::vector<Arg> args;
  };
  uint32_t def_ = 0;
  std::map<std::string, std::vector<Entry>> by_name_;
};

// What sysgate writes as OCI JSON means, by the rules above, exactly what the policy means: for
// generated policies of every shape OCI can hold, on the boundary inputs of both.
TEST(RuncProfiles, ExportedProfilesMeanThePolicy) {
  size_t compared = 0;
  int written = 0;
  for (uint64_t seed = 0; seed < 150; ++seed) {
    testing::PolicyGenOptions opt;
    opt.arches = {Arch::kX86_64};
    opt.allow_numbers = false;
    opt.max_condition_depth = 2;
    testing::PolicyGen gen(seed + 777, opt);
    Policy p = gen.Next();
    for (Rule& r : p.rules) r.arches.clear();
    if (p.default_action.kind() == ActionKind::kNotify) p.default_action = Action::Errno(1);
    if (HasErrors(ResolveAndValidate(p))) continue;
    formats::Exported e = formats::Export(p, formats::Format::kOci);
    if (!e.text) continue;
    OciMeaning meaning(json::parse(*e.text));
    Interpreter want(*e.means);
    auto check = [&](const SeccompData& d) -> Result<void> {
      auto abi = ArchFromAudit(d.arch, d.nr);
      if (!abi || *abi != Arch::kX86_64 || !SyscallName(*abi, d.nr)) return {};
      auto got = meaning(*abi, d);
      if (!got) return got.error();
      ++compared;
      uint32_t w = bpf::RetOf(want.Evaluate(d).action, d);
      if (*got == w) return {};
      return MakeError(
          ErrorCode::kInternal,
          fmt::format("seed {}: {} args [{:#x}]: policy {}, OCI {}", seed, *SyscallName(*abi, d.nr),
                      fmt::join(d.args, ", "), bpf::RetName(w), bpf::RetName(*got)));
    };
    auto r = analysis::ForEachBoundaryInput(*e.means, check);
    ASSERT_TRUE(r) << r.error().message;
    ++written;
  }
  std::printf("exported OCI: %d generated policies, %zu inputs, the JSON means the policy\n",
              written, compared);
  EXPECT_GT(written, 100);
}

// sysgate's own profiles and examples, written as OCI JSON and built by libseccomp the way runc
// does: the real consumer gives the policy's verdicts.
TEST(RuncProfiles, ExportedRealPoliciesMatchLibseccomp) {
  Counts c;
  int written = 0;
  std::vector<fs::path> files = {fs::path(SYSGATE_SOURCE_DIR) / "profiles" / "default.sgp",
                                 fs::path(SYSGATE_SOURCE_DIR) / "profiles" / "strict.sgp"};
  for (const auto& f :
       fs::directory_iterator(fs::path(SYSGATE_SOURCE_DIR) / "examples" / "policies")) {
    files.push_back(f.path());
  }
  for (const fs::path& f : files) {
    ParsedPolicy parsed = ParsePolicyFile(f.string());
    ASSERT_TRUE(parsed.ok()) << f;
    Policy p = *parsed.policy;
    p.arches = {Arch::kX86_64};  // as `sysgate convert --arch x86_64` does
    formats::Exported e = formats::Export(p, formats::Format::kOci);
    ASSERT_TRUE(e.text) << f;
    bool slow = false;
    auto lib = RuncFilter(json::parse(*e.text), Arch::kX86_64, 1, &slow);
    ASSERT_TRUE(lib) << f << (slow ? ": libseccomp took too long" : ": libseccomp failed");
    Compare(*e.means, *lib, f.filename().string(), c);
    if (HasFatalFailure()) return;
    ++written;
  }
  std::printf(
      "sysgate profiles as OCI through libseccomp: %d policies, %zu inputs with identical "
      "verdicts\n",
      written, c.compared);
}

}  // namespace
}  // namespace sysgate
