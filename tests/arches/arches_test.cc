// The kernel oracle for other architectures (THREATS row 37): Debian 12's own kernels for
// aarch64, armhf, ppc64el, s390x, mips64el (n64, n32 and o32), mipsel and i386 boot under
// qemu-system-* (software emulation) with tests/arches/probe.c as their init. For each ABI the
// host compiles filters with sysgate and writes calls to probe them: every syscall number the
// policy names and its neighbours, the boundary values of its arguments (both halves of 64-bit
// ones), and what sysgate's emulator and reference interpreter (which must agree) say the
// kernel does with each. The guest installs the filters, makes the calls and reports every
// disagreement, and the seccomp_data the kernel hands a user notification listener, which the
// host compares with its model of how each ABI's registers become seccomp_data.
//
// Policies: generated ones (as in the differential suite), Docker's and Podman's default
// profiles resolved for the ABI, the built-in `default` profile, all with every action made
// errno(rule number) so that any call is safe to make and names its rule; and small policies
// with the real actions (kill-process, kill-thread, trap, errno, log, trace, notify) and the
// arch check (a filter for one ABI meeting another's call on a kernel that runs both).
//
// Kernels are fetched into the build tree by the `arches_kernels` test (fetch_kernels.sh); a
// missing kernel, qemu or cross compiler skips its machine, saying which.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <gtest/gtest.h>

#include "base/files.h"
#include "policy/syscall_set.h"
#include "policy_gen.h"
#include "support/emulate.h"
#include "support/subprocess.h"
#include "sysgate/analysis.h"
#include "sysgate/compiler.h"
#include "sysgate/formats.h"
#include "sysgate/interpreter.h"
#include "sysgate/policy_text.h"

namespace sysgate {
namespace {

namespace fs = std::filesystem;

// How a kernel turns an ABI's registers into seccomp_data.args: 32-bit registers on a 32-bit
// kernel are zero-extended; mips o32 and n32 keep 32-bit values sign-extended in 64-bit
// registers, and a 64-bit mips kernel passes them on as they are (mips_get_syscall_arg in
// arch/mips/include/asm/syscall.h); arm on arm64 is zero-extended.
enum class Extend { kNone, kZero, kSign };

struct GuestAbi {
  Arch abi;
  std::vector<std::string> cc;  // its Debian cross compiler and flags
  Extend extend;
};

struct Machine {
  std::string name;
  std::string debarch;            // kernels/<debarch>/kernel (fetch_kernels.sh)
  std::vector<std::string> qemu;  // without -kernel, -initrd, -append
  std::string console;
  std::vector<GuestAbi> abis;  // the first one is /init
};

void PrintTo(const Machine& m, std::ostream* os) { *os << m.name; }

const std::vector<Machine>& Machines() {
  static const std::vector<Machine> kMachines = {
      {"aarch64",
       "arm64",
       {"qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a57", "-m", "256"},
       "ttyAMA0",
       {{Arch::kAarch64, {"aarch64-linux-gnu-gcc"}, Extend::kNone},
        {Arch::kArm, {"arm-linux-gnueabihf-gcc"}, Extend::kZero}}},
      {"armhf",
       "armhf",
       {"qemu-system-arm", "-M", "virt", "-m", "256"},
       "ttyAMA0",
       {{Arch::kArm, {"arm-linux-gnueabihf-gcc"}, Extend::kZero}}},
      {"ppc64le",
       "ppc64el",
       {"qemu-system-ppc64", "-M", "pseries", "-m", "512"},
       "hvc0",
       {{Arch::kPpc64le, {"powerpc64le-linux-gnu-gcc"}, Extend::kNone}}},
      {"s390x",
       "s390x",
       {"qemu-system-s390x", "-M", "s390-ccw-virtio", "-m", "256"},
       "ttysclp0",
       {{Arch::kS390x, {"s390x-linux-gnu-gcc"}, Extend::kNone}}},
      {"mips64el",
       "mips64el",
       {"qemu-system-mips64el", "-M", "malta", "-cpu", "5KEc", "-m", "256"},
       "ttyS0",
       {{Arch::kMips64el, {"mips64el-linux-gnuabi64-gcc"}, Extend::kNone},
        {Arch::kMips64n32el, {"mips64el-linux-gnuabi64-gcc", "-mabi=n32"}, Extend::kSign},
        {Arch::kMipsel, {"mipsel-linux-gnu-gcc"}, Extend::kSign}}},
      {"mipsel",
       "mipsel",
       {"qemu-system-mipsel", "-M", "malta", "-m", "256"},
       "ttyS0",
       {{Arch::kMipsel, {"mipsel-linux-gnu-gcc"}, Extend::kZero}}},
      {"i386",
       "i386",
       {"qemu-system-i386", "-m", "256"},
       "ttyS0",
       {{Arch::kI386, {"i686-linux-gnu-gcc"}, Extend::kZero}}},
  };
  return kMachines;
}

constexpr size_t kGeneratedPolicies = 40;  // per ABI
constexpr size_t kArgsPerNumber = 40;      // argument values per number a rule names
constexpr size_t kOtherNumbers = 100;      // numbers no rule names, per policy

// ---- what the guest is asked, and what sysgate says ----

struct Probe {
  int32_t nr = 0;
  std::array<uint64_t, 6> regs{};  // what the guest passes (its C long)
  char kind = 'e';                 // e errno, a ran, s signal, t trap data, n notified
  uint64_t value = 0;
};

struct Case {
  std::string id, mode = "coded", exec = "-", what;
  bpf::Program prog;
  std::vector<Probe> probes;
  std::vector<std::string> checks;  // mode semantic: probe.c's kChecks by name
};

// Rules whose effect the guest checks through its C library (probe.c, kChecks), which passes
// each argument in the register the ABI wants and knows its own constants and errno values:
// the per-ABI facts themselves, not only the filters, meet the kernel here. Each entry's first
// rule that the ABI can lower is used; one it cannot (mmap's arguments are in memory on s390x)
// leaves the entry's checks out there.
struct SemanticRule {
  std::vector<std::string> rules;  // alternatives, in order
  std::vector<std::string> checks;
};
const std::vector<SemanticRule>& SemanticRules() {
  static const std::vector<SemanticRule> kRules = {
      {{"errno(EXDEV) openat if flags & O_DIRECTORY"}, {"odirectory", "odirectory-control"}},
      {{"errno(EPERM) clone if clone_flags & CLONE_NEWUSER"}, {"clone-newuser", "clone-control"}},
      {{"errno(E2BIG) pread64 if pos == 0x100000002"},
       {"pread-high", "pread-low", "pread-swapped"}},
      {{"errno(ENOTTY) fallocate if offset == 0x100000003 && len == 0x200000004"},
       {"fallocate", "fallocate-swapped"}},
      {{"errno(EAFNOSUPPORT) socket"}, {"socket"}},  // on i386 and s390x glibc calls socketcall
      // 32-bit C libraries map with mmap2.
      {{"errno(EACCES) mmap2 if prot & PROT_EXEC", "errno(EACCES) mmap if prot & PROT_EXEC"},
       {"mmap-exec"}},
      {{"errno(ENOSYS) getppid"}, {"errno-enosys"}},  // 89 on mips
  };
  return kRules;
}

uint64_t Low32(uint64_t v) { return v & 0xffffffffULL; }

// The registers the guest's syscall() passes for these argument values (its long).
std::array<uint64_t, 6> Registers(Arch abi, const std::array<uint64_t, 6>& args) {
  std::array<uint64_t, 6> r = args;
  if (Info(abi).word_bits == 32) {
    for (uint64_t& x : r) x = Low32(x);
  }
  return r;
}

std::array<uint64_t, 6> SeccompArgs(const GuestAbi& g, const std::array<uint64_t, 6>& regs) {
  std::array<uint64_t, 6> a = regs;
  for (uint64_t& x : a) {
    if (g.extend == Extend::kZero) x = Low32(x);
    if (g.extend == Extend::kSign)
      x = static_cast<uint64_t>(static_cast<int64_t>(static_cast<int32_t>(x)));
  }
  return a;
}

// What the kernel does with a call whose filter returns `ret`, as the guest observes it.
std::pair<char, uint64_t> Outcome(uint32_t ret, Arch abi, const std::string& mode) {
  const uint32_t data = ret & bpf::ret::kData;
  const auto enosys = static_cast<uint64_t>(*ErrnoFromName(abi, "ENOSYS"));
  const auto sigsys = static_cast<uint64_t>(*SignalFromName(abi, "SIGSYS"));
  switch (ret & bpf::ret::kActionFull) {
    case bpf::ret::kAllow:
    case bpf::ret::kLog: return {'a', 0};
    case bpf::ret::kErrno: return {'e', std::min<uint32_t>(data, 4095)};
    case bpf::ret::kTrap:
      return mode == "single" ? std::pair{'t', uint64_t{data}} : std::pair{'s', sigsys};
    case bpf::ret::kTrace: return {'e', enosys};  // no tracer
    case bpf::ret::kUserNotif:
      return mode == "notify" ? std::pair{'n', uint64_t{0}} : std::pair{'e', enosys};
    default: return {'s', sigsys};  // kill-process, kill-thread, unknown actions
  }
}

// Every rule's action made errno(its number), the default errno(4000), the unknown action
// errno(4001); exit_group allowed first, so that the child can leave. Any call is then safe:
// the kernel answers it without running it, naming the rule that decided it.
Policy Coded(Policy p, bool allow_execve = false) {
  for (size_t i = 0; i < p.rules.size(); ++i)
    p.rules[i].action = Action::Errno(static_cast<uint32_t>(i + 1));
  p.default_action = Action::Errno(4000);
  p.unknown_action = Action::Errno(4001);
  Rule leave{Action::Allow(), {SyscallSpec::Name("exit_group")}, {}, std::nullopt, {}};
  if (allow_execve) leave.syscalls.push_back(SyscallSpec::Name("execve"));
  p.rules.insert(p.rules.begin(), leave);
  return p;
}

class Oracle : public ::testing::TestWithParam<Machine> {
 protected:
  // Compiles `p`; the case's expected outcomes follow from the calls added to it.
  std::optional<Case> Compile(std::string id, std::string what, const Policy& p,
                              std::string mode = "coded") {
    auto prog = sysgate::Compile(p);
    if (!prog) {
      ADD_FAILURE() << what << ": " << prog.error().ToString();
      return std::nullopt;
    }
    Case c;
    c.id = std::move(id);
    c.what = std::move(what);
    c.mode = std::move(mode);
    c.prog = std::move(*prog);
    policy_ = p;
    interp_.emplace(policy_);
    return c;
  }

  // Adds a call to `c` with sysgate's expectation; false (and a failure) if the emulator and
  // the interpreter disagree. A call that would run is not asked in a coded case.
  bool AddProbe(Case& c, const GuestAbi& g, int32_t nr, const std::array<uint64_t, 6>& args) {
    Probe pr;
    pr.nr = nr;
    pr.regs = Registers(g.abi, args);
    SeccompData d = SeccompData::For(g.abi, nr);
    d.args = SeccompArgs(g, pr.regs);
    auto got = analysis::Emulate(c.prog, d);
    if (!got) {
      ADD_FAILURE() << c.what << ": " << got.error().message;
      return false;
    }
    uint32_t want = bpf::RetOf(interp_->Evaluate(d).action, g.abi);
    if (got->ret != want) {
      ADD_FAILURE() << c.what << ": the emulator says " << bpf::RetName(got->ret)
                    << ", the interpreter " << bpf::RetName(want) << " for " << Info(g.abi).name
                    << " syscall " << nr;
      return false;
    }
    std::tie(pr.kind, pr.value) = Outcome(got->ret, g.abi, c.mode);
    if (c.mode == "coded" && pr.kind == 'a') return true;  // it would run: not asked
    c.probes.push_back(pr);
    return true;
  }

  // The calls that matter for the policy on this ABI, from translation validation's inputs:
  // every number its rules name and their neighbours, and the boundary numbers of the space;
  // then up to kArgsPerNumber of their conditions' boundary values each; then a sample of the
  // table's other numbers.
  void AddBoundaryProbes(Case& c, const GuestAbi& g, uint64_t seed) {
    std::map<int32_t, std::vector<std::array<uint64_t, 6>>> by_nr;
    std::set<std::pair<int32_t, std::array<uint64_t, 6>>> seen;
    auto collect = [&](const SeccompData& d) -> Result<void> {
      if (ArchFromAudit(d.arch, d.nr) != g.abi || Excluded(g.abi, d.nr)) return {};
      if (seen.insert({d.nr, Registers(g.abi, d.args)}).second) by_nr[d.nr].push_back(d.args);
      return {};
    };
    ASSERT_TRUE(analysis::ForEachBoundaryInput(policy_, collect));
    std::set<int32_t> named = {0, -1, INT32_MIN, INT32_MAX, MaxSyscallNumber(g.abi) + 1};
    for (const Rule& r : policy_.rules) {
      if (!policy::RuleAppliesTo(r, g.abi)) continue;
      for (int32_t nr : policy::SyscallNumbers(r.syscalls, g.abi))
        named.insert({nr - 1, nr, nr + 1});
    }
    std::mt19937_64 rng(seed);
    std::vector<int32_t> others;
    for (auto& [nr, list] : by_nr) {
      std::shuffle(list.begin(), list.end(), rng);
      if (!named.contains(nr)) others.push_back(nr);
    }
    for (int32_t nr : named) {
      if (by_nr.contains(nr)) AddProbe(c, g, nr, by_nr[nr][0]);
    }
    for (int32_t nr : named) {
      if (!by_nr.contains(nr)) continue;
      const auto& list = by_nr[nr];
      for (size_t i = 1; i < list.size() && i <= kArgsPerNumber; ++i) AddProbe(c, g, nr, list[i]);
    }
    std::shuffle(others.begin(), others.end(), rng);
    for (size_t i = 0; i < others.size() && i < kOtherNumbers; ++i)
      AddProbe(c, g, others[i], by_nr[others[i]][0]);
  }

  // Numbers that are not a plain call: o32's 4000 is syscall(2), which calls another.
  static bool Excluded(Arch abi, int32_t nr) { return abi == Arch::kMipsel && nr == 4000; }

  std::vector<Case> Cases(const Machine& m, const GuestAbi& g) {
    std::vector<Case> out;
    const std::string abi(Info(g.abi).name);
    auto add = [&](std::optional<Case> c) {
      if (c) out.push_back(std::move(*c));
    };
    // Generated policies, errno-coded.
    for (size_t i = 0; i < kGeneratedPolicies; ++i) {
      testing::PolicyGenOptions opt;
      opt.arches = {g.abi};
      opt.allow_numbers = false;
      testing::PolicyGen gen(4242 + i, opt);
      Policy p = Coded(gen.Next());
      if (HasErrors(ResolveAndValidate(p))) continue;
      auto c = Compile(fmt::format("g{}", i), fmt::format("{} generated policy {}", abi, i), p);
      if (c) AddBoundaryProbes(*c, g, i);
      add(std::move(c));
    }
    // Docker's and Podman's default profiles as moby resolves them for this arch, and sysgate's.
    fs::path profiles = fs::path(SYSGATE_SHARED_DATA) / "profiles";
    for (const char* file : {"moby-profiles-default.json", "containers-common-seccomp.json"}) {
      auto text = base::ReadFile(profiles / file);
      if (!text) continue;
      formats::ImportOptions o;
      o.arch = g.abi;
      o.kernel = std::pair(6, 1);
      formats::Imported in = formats::ImportOci(*text, o);
      if (!in.policy) {
        ADD_FAILURE() << file << " for " << abi;
        continue;
      }
      Policy p = Coded(*in.policy);
      std::vector<Diagnostic> d = ResolveAndValidate(p);
      EXPECT_FALSE(HasErrors(d)) << file << ": " << FirstError(d).message;
      auto c =
          Compile(file[0] == 'm' ? "docker" : "podman", fmt::format("{} for {}", file, abi), p);
      if (c) AddBoundaryProbes(*c, g, 1);
      add(std::move(c));
    }
    ParsedPolicy builtin = ParseBuiltinProfile("default");
    if (builtin.ok()) {
      Policy p = Coded(*builtin.policy);
      p.arches = DefaultArches(Info(g.abi).kernel);  // as `sysgate run` on that kernel's host
      std::vector<Diagnostic> d = ResolveAndValidate(p);
      EXPECT_FALSE(HasErrors(d)) << FirstError(d).message;
      auto c = Compile("default", fmt::format("the default profile on {}", abi), p);
      if (c) AddBoundaryProbes(*c, g, 2);
      add(std::move(c));
    }
    // The real actions, one call per child.
    const uint64_t wide = 0x100000000ULL;
    std::string text = fmt::format(
        "arch {}\ndefault allow\nkill-process getppid if arg0 == 1\nkill-thread getppid if arg0 == "
        "2\n"
        "trap(5) getppid if arg0 == 3\nerrno(EPERM) getppid if arg0 == 4\nlog getppid if arg0 == "
        "5\n"
        "trace(7) getppid if arg0 == 6\nnotify getppid if arg0 == 7\n"
        "errno(EACCES) getppid if arg1:u64 == {:#x}\nerrno(ENOENT) getppid if arg1:s64 < -2\n",
        abi, wide | 8);
    if (auto c = Compile("actions", abi + " actions", MustParse(text), "single")) {
      const int32_t getppid = *SyscallNumber(g.abi, "getppid");
      for (uint64_t a0 : {1, 2, 3, 4, 5, 6, 7, 8}) AddProbe(*c, g, getppid, {a0});
      for (uint64_t a1 :
           std::initializer_list<uint64_t>{8, wide | 8, ~0ULL - 2, ~0ULL, 0x80000000, 0xfffffffd}) {
        AddProbe(*c, g, getppid, {0, a1});
      }
      add(std::move(c));
    }
    // The facts themselves, through the C library.
    std::string semantic = fmt::format("arch {}\ndefault allow\n", abi);
    std::vector<std::string> checks, left_out;
    for (const SemanticRule& s : SemanticRules()) {
      auto ok = std::ranges::find_if(
          s.rules, [&](const std::string& r) { return ParsePolicyText(semantic + r + "\n").ok(); });
      if (ok == s.rules.end()) {
        left_out.push_back(s.rules.back());
        continue;
      }
      semantic += *ok + "\n";
      checks.insert(checks.end(), s.checks.begin(), s.checks.end());
    }
    if (auto c = Compile("semantic", abi + " facts through the C library", MustParse(semantic),
                         "semantic")) {
      c->checks = checks;
      add(std::move(c));
    }
    for (const std::string& rule : left_out)
      std::printf("kernel oracle %s: %s: not checked: `%s`\n", m.name.c_str(), abi.c_str(),
                  rule.c_str());
    // What seccomp_data the kernel builds from the registers: a listener receives it.
    if (auto c = Compile("data", abi + " seccomp_data",
                         MustParse(fmt::format("arch {}\ndefault allow\nnotify getppid\n", abi)),
                         "notify")) {
      const int32_t getppid = *SyscallNumber(g.abi, "getppid");
      AddProbe(*c, g, getppid,
               {0x80000000ULL, 0xffffffffULL, 0x7fffffffULL, 0x123456789abcdef0ULL, ~0ULL, 1});
      AddProbe(*c, g, getppid,
               {0xfedcba9876543210ULL, 0, 0x8000000000000000ULL, 0xffffff9cULL, 2, 0x100000000ULL});
      add(std::move(c));
    }
    // The arch check: a filter for this ABI alone kills another ABI's call (after an execve of
    // a program of that ABI, which the filter allows).
    for (const GuestAbi& other : m.abis) {
      if (other.abi == g.abi) continue;
      Policy p =
          Coded(MustParse(fmt::format("arch {}\ndefault allow\n", abi)), /*allow_execve=*/true);
      auto c = Compile(fmt::format("arch-{}", Info(other.abi).name),
                       fmt::format("{} filter meeting a call of {}", abi, Info(other.abi).name), p);
      if (!c) continue;
      c->exec = other.abi == m.abis.front().abi ? "/init"
                                                : fmt::format("/probe-{}", Info(other.abi).name);
      // Whatever the other program's first call is, the filter kills it.
      for (int32_t nr :
           {0, 1, *SyscallNumber(other.abi, "getppid"), *SyscallNumber(other.abi, "brk")}) {
        EXPECT_EQ(testing::EmulatedRet(c->prog, other.abi, nr), bpf::ret::kKillProcess) << c->what;
      }
      c->probes.push_back({0, {}, 's', static_cast<uint64_t>(*SignalFromName(g.abi, "SIGSYS"))});
      add(std::move(c));
    }
    return out;
  }

  static Policy MustParse(const std::string& text) {
    ParsedPolicy r = ParsePolicyText(text);
    EXPECT_TRUE(r.ok()) << r.RenderDiagnostics();
    return r.ok() ? *r.policy : Policy{};
  }

  Policy policy_;
  std::optional<Interpreter> interp_;
};

std::string CasesText(const std::vector<Case>& cases) {
  std::string out;
  for (const Case& c : cases) {
    out += fmt::format("c {} {} {}\nf {}\n", c.id, c.mode, c.exec, c.prog.size());
    for (const bpf::Insn& i : c.prog)
      out += fmt::format("{:x} {:x} {:x} {:x}\n", i.code, i.jt, i.jf, i.k);
    for (const Probe& p : c.probes) {
      out += fmt::format("p {:x} {:x} {} {:x}\n", static_cast<uint32_t>(p.nr),
                         fmt::join(p.regs, " "), p.kind, p.value);
    }
    for (const std::string& check : c.checks) out += fmt::format("s {}\n", check);
    out += "e\n";
  }
  return out;
}

// An initramfs: a cpio archive (newc) of regular files.
std::string Cpio(const std::vector<std::tuple<std::string, std::string, unsigned>>& files) {
  std::string out;
  auto pad = [&] { out.append((4 - out.size() % 4) % 4, '\0'); };
  auto entry = [&](const std::string& name, const std::string& data, unsigned mode) {
    out += fmt::format(
        "070701{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}{:08X}", 0,
        mode, 0, 0, 1, 0, data.size(), 0, 0, 0, 0, name.size() + 1, 0);
    out += name;
    out += '\0';
    pad();
    out += data;
    pad();
  };
  for (const auto& [name, data, mode] : files) entry(name, data, mode);
  entry("TRAILER!!!", "", 0);
  return out;
}

TEST_P(Oracle, KernelVerdictsEqualSysgates) {
  const Machine& m = GetParam();
  const fs::path dir = fs::path(SYSGATE_ARCHES_DIR);
  const fs::path kernel = dir / "kernels" / m.debarch / "kernel";
  if (!fs::exists(kernel))
    GTEST_SKIP() << "no Debian kernel for " << m.debarch << " at " << kernel
                 << " (the arches_kernels test fetches it)";
  if (!testing::OnPath(m.qemu[0]))
    GTEST_SKIP() << "no " << m.qemu[0] << " (make deps installs qemu)";
  for (const GuestAbi& g : m.abis) {
    if (!testing::OnPath(g.cc[0])) GTEST_SKIP() << "no " << g.cc[0] << " (make deps installs it)";
  }
  const fs::path work = dir / ("run-" + m.name);
  fs::create_directories(work);
  // The guest programs and their cases.
  std::vector<std::tuple<std::string, std::string, unsigned>> files;
  std::map<std::string, std::vector<Case>> cases;  // by ABI
  std::string first_cases;
  for (size_t i = 0; i < m.abis.size(); ++i) {
    const GuestAbi& g = m.abis[i];
    const std::string abi(Info(g.abi).name);
    fs::path bin = work / ("probe-" + abi);
    std::vector<std::string> cc = g.cc;
    cc.insert(cc.end(), {"-static", "-O2", "-o", bin.string(),
                         fmt::format("{}/tests/arches/probe.c", SYSGATE_SOURCE_DIR)});
    testing::ProgramResult built = testing::RunProgram(cc, work / ("cc-" + abi + ".txt"));
    ASSERT_TRUE(built.exited_zero) << "building the probe for " << abi << ":\n" << built.output;
    cases[abi] = Cases(m, g);
    if (HasFailure()) return;
    std::string text = CasesText(cases[abi]);
    files.emplace_back(i == 0 ? "init" : "probe-" + abi, base::ReadFile(bin).value_or(""), 0100755);
    if (i == 0) {
      first_cases = text;
    } else {
      files.emplace_back("cases-" + abi + ".txt", text, 0100644);
      first_cases += fmt::format("x /probe-{} /cases-{}.txt\n", abi, abi);
    }
  }
  files.emplace_back("cases.txt", first_cases, 0100644);
  std::ofstream(work / "initrd.cpio", std::ios::binary) << Cpio(files);
  // Boot.
  std::vector<std::string> argv = m.qemu;
  argv.insert(argv.end(), {"-nographic", "-no-reboot", "-kernel", kernel.string(), "-initrd",
                           (work / "initrd.cpio").string(), "-append",
                           fmt::format("console={} panic=-1 quiet", m.console)});
  const auto start = std::chrono::steady_clock::now();
  testing::ProgramResult run =
      testing::RunProgram(argv, work / "console.txt", std::chrono::seconds(400));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ASSERT_FALSE(run.timed_out) << m.name << ": the guest did not finish in 400 s; its console:\n"
                              << run.output.substr(0, 4000);
  ASSERT_NE(run.output.find("@@ DONE"), std::string::npos)
      << m.name << ": the guest did not finish; its console:\n"
      << run.output.substr(0, 4000);
  // Read the guest's report, case by case (ids are unique per ABI, in the order they ran).
  std::map<std::string, size_t> calls, wrong_by_abi;
  std::vector<std::string> wrong;
  size_t reported = 0, data_checked = 0;
  std::istringstream lines(run.output);
  auto abi_it = m.abis.begin();
  size_t case_index = 0;
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t at = line.find("@@ ");
    if (at == std::string::npos) continue;  // the kernel's or the firmware's
    line = line.substr(at + 3);
    std::istringstream w(line);
    std::string tag, id;
    w >> tag >> id;
    if (abi_it == m.abis.end()) break;
    const std::string abi(Info(abi_it->abi).name);
    std::vector<Case>& list = cases[abi];
    if (tag == "M") {
      wrong.push_back(abi + ": " + line + " (" +
                      (case_index < list.size() ? list[case_index].what : "?") + ")");
    } else if (tag == "D" && case_index < list.size()) {
      // D ID I NR ARCH A0..A5: the seccomp_data a listener received.
      size_t i;
      int nr;
      std::string arch;
      std::array<uint64_t, 6> args{};
      w >> i >> nr >> arch;
      for (uint64_t& a : args) w >> std::hex >> a;
      const Probe& p = list[case_index].probes.at(i);
      std::array<uint64_t, 6> want = SeccompArgs(*abi_it, p.regs);
      EXPECT_EQ(args, want) << abi << ": seccomp_data.args of call " << i << " (" << line << ")";
      EXPECT_EQ(std::stoul(arch, nullptr, 16), Info(abi_it->abi).audit_arch) << abi << ": " << line;
      ++data_checked;
    } else if (tag == "C") {
      size_t n = 0, bad = 0;
      w >> n >> bad;
      EXPECT_LT(case_index, list.size()) << abi << ": an unexpected case " << id;
      if (case_index < list.size()) {
        const Case& c = list[case_index];
        EXPECT_EQ(id, c.id) << abi;
        EXPECT_EQ(n, c.mode == "semantic" ? c.checks.size() : c.probes.size()) << abi << " " << id;
      }
      calls[abi] += n;
      wrong_by_abi[abi] += bad;
      ++reported;
      if (++case_index == list.size()) {
        ++abi_it;
        case_index = 0;
      }
    } else if (tag == "ERROR") {
      ADD_FAILURE() << m.name << ": " << line;
    }
  }
  size_t expected_cases = 0;
  for (const auto& [abi, list] : cases) expected_cases += list.size();
  EXPECT_EQ(reported, expected_cases) << m.name << ": cases the guest reported";
  EXPECT_TRUE(wrong.empty())
      << m.name << ": " << wrong.size() << " calls where the kernel did not do what sysgate says "
      << "(got = the kernel, want = sysgate's emulator and interpreter):\n"
      << fmt::format("{}", fmt::join(wrong.begin(),
                                     wrong.begin() + std::min<size_t>(wrong.size(), 40), "\n"));
  for (const GuestAbi& g : m.abis) {
    const std::string abi(Info(g.abi).name);
    std::printf("kernel oracle %s: %s: %zu filters, %zu calls, %zu verdicts unlike sysgate's\n",
                m.name.c_str(), abi.c_str(), cases[abi].size(), calls[abi], wrong_by_abi[abi]);
  }
  std::string package = base::ReadFile(dir / "kernels" / m.debarch / "package").value_or("?");
  if (!package.empty() && package.back() == '\n') package.pop_back();
  std::printf("kernel oracle %s: %s, seccomp_data of %zu notifications checked, %.1f s in qemu\n",
              m.name.c_str(), package.c_str(), data_checked, seconds);
}

INSTANTIATE_TEST_SUITE_P(Machines, Oracle, ::testing::ValuesIn(Machines()),
                         [](const ::testing::TestParamInfo<Machine>& i) { return i.param.name; });

}  // namespace
}  // namespace sysgate
