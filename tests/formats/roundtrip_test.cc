// Round trips through every writable format: a policy written in a format and read back gives
// the same verdicts (analysis::VerifyEquivalent, on the boundary inputs of both) — for
// generated policies of the shapes each format can express, and an error for the others.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "base/files.h"
#include "policy_gen.h"
#include "sysgate/analysis.h"
#include "sysgate/formats.h"

namespace sysgate::formats {
namespace {

std::string Messages(const std::vector<Diagnostic>& d) {
  std::string out;
  for (const Diagnostic& x : d) out += x.loc.ToString() + ": " + x.message + "\n";
  return out;
}

struct Tally {
  int written = 0, refused = 0;
  size_t inputs = 0;
};

// Writes, reads back and compares; refusals must come with an error.
void RoundTrip(const Policy& p, Format f, Tally& t, const std::string& what,
               const ExportOptions& eo = {}) {
  Exported e = Export(p, f, eo);
  if (!e.text) {
    ASSERT_TRUE(HasErrors(e.diagnostics)) << what;
    ++t.refused;
    return;
  }
  ImportOptions io;
  io.arch = p.TargetArches().front();
  io.section = eo.section;
  Imported back = Import(*e.text, f, io);
  ASSERT_TRUE(back.policy) << what << "\n" << Messages(back.diagnostics) << *e.text;
  ASSERT_TRUE(e.means) << what;
  Policy a = *e.means, b = *back.policy;  // trap data, unknown numbers: the writers warn
  a.arches = b.arches = p.TargetArches();
  if (f == Format::kFirecracker) a.arches = b.arches = {p.TargetArches().front()};
  // libseccomp compares 32-bit ABIs' arguments as 32-bit values: when the writer warns that its
  // 64-bit constants mean something else there, those ABIs are not compared.
  bool narrowed = std::ranges::any_of(e.diagnostics, [](const Diagnostic& d) {
    return d.message.starts_with("libseccomp compares the low 32 bits");
  });
  if (narrowed) std::erase_if(a.arches, [](Arch x) { return Info(x).word_bits == 32; });
  b.arches = a.arches;
  if (a.arches.empty()) return;
  auto same = analysis::VerifyEquivalent(a, b);
  ASSERT_TRUE(same) << what << ": " << same.error().message << "\n" << *e.text;
  t.inputs += same->inputs;
  ++t.written;
}

TEST(FormatRoundTrip, OciAndSpoKeepGeneratedPolicies) {
  for (Format f : {Format::kOci, Format::kSpo}) {
    Tally t;
    const uint64_t n = f == Format::kOci ? 240 : 60;
    for (uint64_t seed = 0; seed < n; ++seed) {
      testing::PolicyGenOptions opt;
      if (seed % 3 == 0) opt.arches = {Arch::kX86_64};
      if (seed % 3 == 1) opt.arches = {Arch::kAarch64, Arch::kArm};
      opt.max_condition_depth = 2;
      testing::PolicyGen gen(seed + 5000, opt);
      Policy p = gen.Next();
      // Most policies without the two things OCI cannot say (refusals are tested below).
      if (seed % 8 != 0) {
        for (Rule& r : p.rules) r.arches.clear();
        if (p.default_action.kind() == ActionKind::kNotify) p.default_action = Action::Errno(1);
        std::erase_if(p.rules, [](const Rule& r) {
          return std::ranges::any_of(r.syscalls, [](const SyscallSpec& s) {
            return s.kind == SyscallSpec::Kind::kNumber;
          });
        });
        if (HasErrors(ResolveAndValidate(p))) continue;
      }
      RoundTrip(p, f, t, fmt::format("{} seed {}", FormatName(f), seed));
      if (HasFatalFailure()) return;
    }
    std::printf("%s: %d policies written and read back the same (%zu inputs), %d refused\n",
                std::string(FormatName(f)).c_str(), t.written, t.inputs, t.refused);
    EXPECT_GT(t.written, static_cast<int>(n * 3 / 4)) << FormatName(f);
  }
}

TEST(FormatRoundTrip, FirecrackerKeepsTwoActionPolicies) {
  Tally t;
  for (uint64_t seed = 0; seed < 120; ++seed) {
    testing::PolicyGenOptions opt;
    opt.arches = {seed % 2 ? Arch::kX86_64 : Arch::kAarch64};
    opt.allow_numbers = false;
    opt.max_condition_depth = 2;
    testing::PolicyGen gen(seed + 9000, opt);
    Policy p = gen.Next();
    p.default_action = seed % 3 ? Action::Trap(0) : Action::Errno(1);
    Action filter = seed % 3 ? Action::Allow() : Action::Log();
    for (Rule& r : p.rules) r.action = filter;
    ASSERT_FALSE(HasErrors(ResolveAndValidate(p)));
    RoundTrip(p, Format::kFirecracker, t, fmt::format("firecracker seed {}", seed),
              {.section = "vcpu"});
    if (HasFatalFailure()) return;
  }
  std::printf("firecracker: %d written and read back the same (%zu inputs), %d refused\n",
              t.written, t.inputs, t.refused);
  EXPECT_GT(t.written, 100);
}

TEST(FormatRoundTrip, SystemdKeepsSyscallLists) {
  Tally t;
  std::mt19937_64 rng(42);
  auto names = Syscalls(Arch::kX86_64);
  for (int i = 0; i < 200; ++i) {
    Policy p;
    p.arches = {Arch::kX86_64, Arch::kI386};
    bool deny = i % 2;
    p.default_action =
        deny ? Action::Allow() : (i % 4 == 0 ? Action::Errno(13) : Action::KillProcess());
    int rules = 1 + static_cast<int>(rng() % 4);
    for (int r = 0; r < rules; ++r) {
      Rule rule;
      rule.action = !deny ? Action::Allow()
                          : (rng() % 2 ? Action::Errno(1 + rng() % 100) : Action::KillProcess());
      for (int k = 0; k < 5; ++k) {
        rule.syscalls.push_back(SyscallSpec::Name(std::string(names[rng() % names.size()].name)));
      }
      if (rng() % 3 == 0)
        rule.syscalls.push_back(SyscallSpec::Group(rng() % 2 ? "@file-system" : "@network-io"));
      p.rules.push_back(rule);
    }
    if (!deny)
      p.rules.push_back({Action::Allow(), {SyscallSpec::Group("@default")}, {}, std::nullopt, {}});
    if (HasErrors(ResolveAndValidate(p))) continue;
    RoundTrip(p, Format::kSystemd, t, fmt::format("systemd #{}", i));
    if (HasFatalFailure()) return;
  }
  std::printf("systemd: %d written and read back the same (%zu inputs), %d refused\n", t.written,
              t.inputs, t.refused);
  EXPECT_GT(t.written, 150);
}

TEST(FormatRoundTrip, WritersRefuseWhatTheFormatCannotSay) {
  auto refuse = [](std::string_view text, Format f) {
    ParsedPolicy p = ParsePolicyText(text);
    EXPECT_TRUE(p.ok()) << p.RenderDiagnostics();
    Exported e = Export(*p.policy, f);
    EXPECT_FALSE(e.text) << text;
    std::string first;
    for (const Diagnostic& d : e.diagnostics) {
      if (d.severity == Severity::kError && first.empty()) first = d.message;
    }
    return first;
  };
  EXPECT_NE(refuse("arch x86_64\ndefault errno(EPERM)\nallow mmap if prot == 1\n", Format::kSystemd)
                .find("syscall only"),
            std::string::npos);
  EXPECT_NE(refuse("arch x86_64\ndefault errno(EPERM)\nallow read\nkill-process ptrace\n",
                   Format::kFirecracker)
                .find("one action"),
            std::string::npos);
  EXPECT_NE(
      refuse("arch x86_64, i386\ndefault errno(EPERM)\nallow arch_prctl on x86_64\n", Format::kOci)
          .find("--arch"),
      std::string::npos);
  EXPECT_NE(refuse("arch x86_64\ndefault allow\nerrno(EPERM) read\n", Format::kMinijail)
                .find("does not write"),
            std::string::npos);
  // i386's mmap takes its arguments in memory: the rule leaves mmap out there, not on x86_64
  // (found by fuzz_convert in examples/policies/server.sgp: "internal error ... differ on i386").
  for (Format f : {Format::kOci, Format::kSpo}) {  // Firecracker writes one arch
    std::string mmap =
        "arch x86_64, i386\ndefault errno(EPERM)\nallow mmap, mprotect if !(prot & PROT_EXEC)\n";
    EXPECT_EQ(
        refuse(mmap, f),
        "x86_64 and i386 apply this condition to different syscalls (see the warnings above); OCI "
        "has one set of rules for every architecture: convert for one architecture (--arch)");
  }
}

}  // namespace
}  // namespace sysgate::formats

namespace sysgate::formats {
namespace {

// format -> Policy -> the same format -> Policy: the same verdicts, for the real files.
TEST(FormatRoundTrip, RealFilesThroughTheirOwnFormat) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(SYSGATE_SHARED_DATA) / "profiles";
  if (!fs::exists(dir)) GTEST_SKIP() << "no reference data at " << dir;
  struct Case {
    const char* file;
    Format format;
    Arch arch;
    const char* section;
  };
  const Case cases[] = {
      {"moby-profiles-default.json", Format::kOci, Arch::kX86_64, ""},
      {"moby-profiles-default.json", Format::kOci, Arch::kAarch64, ""},
      {"containers-common-seccomp.json", Format::kOci, Arch::kX86_64, ""},
      {"security-profiles-operator-baseprofile-runc.yaml", Format::kSpo, Arch::kX86_64, ""},
      {"security-profiles-operator-baseprofile-crun.yaml", Format::kSpo, Arch::kX86_64, ""},
      {"firecracker-x86_64-unknown-linux-musl.json", Format::kFirecracker, Arch::kX86_64, "vmm"},
      {"firecracker-x86_64-unknown-linux-musl.json", Format::kFirecracker, Arch::kX86_64, "vcpu"},
      {"firecracker-aarch64-unknown-linux-musl.json", Format::kFirecracker, Arch::kAarch64, "api"},
  };
  size_t inputs = 0;
  for (const Case& c : cases) {
    std::string text = base::ReadFile(dir / c.file).value_or("");
    ImportOptions io;
    io.arch = c.arch;
    io.section = c.section;
    io.kernel = std::pair(6, 1);
    Imported first = Import(text, c.format, io);
    ASSERT_TRUE(first.policy) << c.file << "\n" << Messages(first.diagnostics);
    ExportOptions eo;
    eo.runtime = first.runtime;
    eo.section = c.section;
    Exported out = Export(*first.policy, c.format, eo);
    ASSERT_TRUE(out.text) << c.file << "\n" << Messages(out.diagnostics);
    Imported second = Import(*out.text, c.format, io);
    ASSERT_TRUE(second.policy) << c.file << "\n" << Messages(second.diagnostics) << *out.text;
    auto same = analysis::VerifyEquivalent(*out.means, *second.policy);
    ASSERT_TRUE(same) << c.file << ": " << same.error().message;
    inputs += same->inputs;
    // What the first reading meant is what the written file means (nothing warned here).
    auto kept = analysis::VerifyEquivalent(*first.policy, *second.policy);
    EXPECT_TRUE(kept) << c.file << ": " << (kept ? "" : kept.error().message);
  }
  std::printf("real files through their own format: %zu files, %zu inputs\n", std::size(cases),
              inputs);
}

TEST(FormatRoundTrip, SystemdUnitThroughSystemd) {
  const char* unit =
      "[Service]\nSystemCallArchitectures=x86-64 x86\nSystemCallFilter=@system-service\n"
      "SystemCallFilter=~@privileged @resources\nSystemCallErrorNumber=EPERM\n";
  Imported first = Import(unit, Format::kSystemd, {.arch = Arch::kX86_64});
  ASSERT_TRUE(first.policy) << Messages(first.diagnostics);
  Exported out = Export(*first.policy, Format::kSystemd);
  ASSERT_TRUE(out.text) << Messages(out.diagnostics);
  Imported second = Import(*out.text, Format::kSystemd, {.arch = Arch::kX86_64});
  ASSERT_TRUE(second.policy) << Messages(second.diagnostics);
  auto same = analysis::VerifyEquivalent(*first.policy, *second.policy);
  EXPECT_TRUE(same) << (same ? "" : same.error().message) << *out.text;
}

}  // namespace
}  // namespace sysgate::formats
