#include <errno.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/files.h"
#include "sysgate/formats.h"
#include "sysgate/interpreter.h"

namespace sysgate::formats {
namespace {

using ::testing::HasSubstr;

Action Verdict(const Policy& p, std::string_view name, std::initializer_list<uint64_t> args = {},
               Arch a = Arch::kX86_64) {
  return Evaluate(p, SeccompData::For(a, *SyscallNumber(a, name), args)).action;
}

Policy MustImport(std::string_view text, OciOptions o = {}) {
  if (!o.arch) o.arch = Arch::kX86_64;
  if (!o.kernel) o.kernel = std::pair(6, 1);
  Imported r = ImportOci(text, o);
  std::string diags;
  for (const Diagnostic& d : r.diagnostics) diags += d.message + "\n";
  EXPECT_TRUE(r.policy) << diags;
  return r.policy ? *r.policy : Policy{};
}

std::string FirstError(std::string_view text, OciOptions o = {}) {
  o.arch = Arch::kX86_64;
  Imported r = ImportOci(text, o);
  for (const Diagnostic& d : r.diagnostics) {
    if (d.severity == Severity::kError) return d.loc.ToString() + ": " + d.message;
  }
  return "no error";
}

TEST(Oci, ActionsErrnoAndConditions) {
  Policy p = MustImport(R"({
    "defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 13,
    "syscalls": [
      {"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
      {"names": ["mount"], "action": "SCMP_ACT_KILL_PROCESS"},
      {"names": ["ptrace"], "action": "SCMP_ACT_KILL"},
      {"names": ["clone"], "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 0, "value": 2114060288, "op": "SCMP_CMP_MASKED_EQ"}]},
      {"names": ["getppid"], "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 0, "value": 5, "op": "SCMP_CMP_GT"}, {"index": 1, "value": 7, "op": "SCMP_CMP_EQ"}]},
      {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}
    ]})");
  EXPECT_EQ(Verdict(p, "read"), Action::Allow());
  EXPECT_EQ(Verdict(p, "open"), Action::Errno(13));
  EXPECT_EQ(Verdict(p, "mount"), Action::KillProcess());
  EXPECT_EQ(Verdict(p, "ptrace"), Action::KillThread());    // libseccomp's SCMP_ACT_KILL
  EXPECT_EQ(Verdict(p, "clone", {0x11}), Action::Allow());  // (arg & value) == valueTwo (0)
  EXPECT_EQ(Verdict(p, "clone", {0x10000000}), Action::Errno(13));
  EXPECT_EQ(Verdict(p, "getppid", {6, 7}), Action::Allow());  // ANDed
  EXPECT_EQ(Verdict(p, "getppid", {6, 8}), Action::Errno(13));
  EXPECT_EQ(Verdict(p, "clone3"), Action::Errno(38));
  // 64-bit comparisons, as libseccomp: junk in the upper half is not ignored.
  EXPECT_EQ(Verdict(p, "getppid", {6, 7 | (1ULL << 32)}), Action::Errno(13));
  EXPECT_EQ(Evaluate(p, SeccompData::For(Arch::kX86_64, 1000)).action, Action::Errno(38));
}

TEST(Oci, RuncSemantics) {
  OciOptions o;
  Imported r = ImportOci(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
      {"names": ["getppid"], "action": "SCMP_ACT_ALLOW",
       "args": [{"index": 0, "value": 1, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": 2, "op": "SCMP_CMP_EQ"}]},
      {"names": ["read"], "action": "SCMP_ACT_ERRNO"},
      {"names": ["not_a_syscall", "write"], "action": "SCMP_ACT_ALLOW"}]})",
                         {.arch = Arch::kX86_64});
  ASSERT_TRUE(r.policy);
  EXPECT_EQ(Verdict(*r.policy, "getppid", {1}), Action::Allow());  // split into OR, like runc
  EXPECT_EQ(Verdict(*r.policy, "getppid", {2}), Action::Allow());
  EXPECT_EQ(r.policy->rules.size(), 3u);  // the rule equal to the default is dropped
  std::string all;
  for (const Diagnostic& d : r.diagnostics) all += d.message + "\n";
  EXPECT_THAT(all, HasSubstr("each becomes its own rule"));
  EXPECT_THAT(all, HasSubstr("unknown syscall 'not_a_syscall'; skipped"));
  EXPECT_EQ(Verdict(*r.policy, "write"), Action::Allow());
  EXPECT_THAT(FirstError(R"({"defaultAction": "SCMP_ACT_ERRNO", "syscalls": [
      {"names": ["not_a_syscall"], "action": "SCMP_ACT_ALLOW"}]})",
                         {.strict = true}),
              HasSubstr("unknown syscall 'not_a_syscall'"));
}

TEST(Oci, PodmanErrnoNamesAndDockerResolution) {
  const char* text = R"({
    "defaultAction": "SCMP_ACT_ERRNO", "defaultErrno": "ENOSYS",
    "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
                {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
    "syscalls": [
      {"names": ["mount"], "action": "SCMP_ACT_ERRNO", "errno": "EPERM"},
      {"names": ["read"], "action": "SCMP_ACT_ALLOW"},
      {"names": ["ptrace"], "action": "SCMP_ACT_ALLOW", "includes": {"minKernel": "4.8"}},
      {"names": ["reboot"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_BOOT"]}},
      {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64", "x32"]}},
      {"names": ["clone"], "action": "SCMP_ACT_ALLOW", "excludes": {"caps": ["CAP_SYS_ADMIN"]},
       "args": [{"index": 0, "value": 2114060288, "op": "SCMP_CMP_MASKED_EQ"}]},
      {"names": ["clone"], "action": "SCMP_ACT_ALLOW", "includes": {"caps": ["CAP_SYS_ADMIN"]}}
    ]})";
  Policy p = MustImport(text);
  EXPECT_EQ(p.arches, (std::vector<Arch>{Arch::kX86_64, Arch::kI386, Arch::kX32}));
  EXPECT_EQ(Verdict(p, "mount"), Action::Errno(EPERM));
  EXPECT_EQ(Verdict(p, "open"), Action::Errno(ENOSYS));
  EXPECT_EQ(Verdict(p, "ptrace"), Action::Allow());
  EXPECT_EQ(Verdict(p, "reboot"), Action::Errno(ENOSYS));
  EXPECT_EQ(Verdict(p, "arch_prctl"), Action::Allow());
  EXPECT_EQ(Verdict(p, "clone", {0x10000000}), Action::Errno(ENOSYS));
  Policy admin = MustImport(text, {.caps = {"CAP_SYS_ADMIN", "CAP_SYS_BOOT"}});
  EXPECT_EQ(Verdict(admin, "clone", {0x10000000}), Action::Allow());
  EXPECT_EQ(Verdict(admin, "reboot"), Action::Allow());
  Policy old = MustImport(text, {.kernel = std::pair(4, 4)});
  EXPECT_EQ(Verdict(old, "ptrace"), Action::Errno(ENOSYS));
  Policy arm = MustImport(text, {.arch = Arch::kAarch64});
  EXPECT_EQ(arm.arches, (std::vector<Arch>{Arch::kAarch64, Arch::kArm}));
  EXPECT_EQ(Verdict(arm, "read", {}, Arch::kAarch64), Action::Allow());
}

// Docker matches archMap and includes.arches against the machine's arch, not the process's
// ABI: a target ABI is read as the host that runs it gives it its profile.
TEST(Oci, ReadForTheMachineThatRunsTheTarget) {
  const char* text = R"({"defaultAction": "SCMP_ACT_ERRNO",
    "archMap": [
      {"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86", "SCMP_ARCH_X32"]},
      {"architecture": "SCMP_ARCH_AARCH64", "subArchitectures": ["SCMP_ARCH_ARM"]}],
    "syscalls": [
      {"names": ["arch_prctl"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["amd64"]}},
      {"names": ["sync_file_range2"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["arm64"]}},
      {"names": ["breakpoint"], "action": "SCMP_ACT_ALLOW", "includes": {"arches": ["arm"]}}
    ]})";
  // Another machine's ABI: the 64-bit arch whose kernel runs it, whatever this machine is.
  if (HostArch() != Arch::kAarch64 && HostArch() != Arch::kArm) {
    Policy arm = MustImport(text, {.arch = Arch::kArm});
    EXPECT_EQ(arm.arches, (std::vector<Arch>{Arch::kAarch64, Arch::kArm}));
    EXPECT_EQ(Verdict(arm, "sync_file_range2", {}, Arch::kArm), Action::Allow());
    EXPECT_EQ(Verdict(arm, "breakpoint", {}, Arch::kArm), Action::Errno(EPERM));
  }
  if (HostArch() != Arch::kX86_64)
    GTEST_SKIP() << "i386 read as this machine runs it needs an x86_64 host";
  Policy i386 = MustImport(text, {.arch = Arch::kI386});
  EXPECT_EQ(i386.arches, (std::vector<Arch>{Arch::kX86_64, Arch::kI386, Arch::kX32}));
  EXPECT_EQ(Verdict(i386, "arch_prctl", {}, Arch::kI386), Action::Allow());
}

TEST(Oci, ErrorsSayWhere) {
  EXPECT_THAT(FirstError("{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  oops\n}"),
              HasSubstr("<input>:3:3: not valid JSON: syntax error while parsing object key"));
  EXPECT_THAT(FirstError(R"({"syscalls": []})"), HasSubstr("defaultAction: required"));
  EXPECT_THAT(FirstError(R"({"defaultAction": "SCMP_ACT_NOPE"})"),
              HasSubstr("unknown action 'SCMP_ACT_NOPE'"));
  EXPECT_THAT(
      FirstError(
          R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO",
      "args": [{"index": 9, "value": 1, "op": "SCMP_CMP_EQ"}]}]})"),
      HasSubstr("syscalls[0].args[0]: expected {index: 0..5"));
  EXPECT_THAT(
      FirstError(
          R"({"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"], "archMap": []})"),
      HasSubstr("archMap: set beside architectures (Docker refuses this)"));
  EXPECT_EQ(FirstError("[1, 2]"),
            "<input>:1:1: expected a JSON object with defaultAction and syscalls");
  EXPECT_TRUE(LooksLikeJson("  \n{"));
  EXPECT_TRUE(LooksLikeJson("\xEF\xBB\xBF{\"defaultAction\": \"SCMP_ACT_ALLOW\"}"));
  EXPECT_FALSE(LooksLikeJson("default allow"));
}

// Every error, warning and rule is at file:line:col: the value it is about, or the object a
// missing field belongs in.
TEST(Oci, ErrorsAndRulesAreLocated) {
  const std::string profile =
      "{\n"
      "  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n"
      "  \"syscalls\": [\n"
      "    {\"names\": [\"read\", \"write\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
      "    {\"names\": [\"nope\"], \"action\": \"SCMP_ACT_ALLOW\"},\n"
      "    {\"names\": [\"close\"], \"action\": \"SCMP_ACT_ALLOW\",\n"
      "     \"args\": [{\"index\": 0, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}, {\"index\": 0, "
      "\"value\": 2, \"op\": \"SCMP_CMP_EQ\"}]}\n"
      "  ]\n"
      "}\n";
  Imported r = ImportOci(profile, {.filename = "p.json"});
  ASSERT_TRUE(r.policy.has_value());
  EXPECT_EQ(r.policy->default_loc.ToString(), "p.json:2:20");
  EXPECT_EQ(r.policy->rules.at(0).loc.ToString(), "p.json:4:5");
  EXPECT_EQ(r.policy->rules.at(1).loc.ToString(), "p.json:6:5");  // both halves of the OR
  EXPECT_EQ(r.policy->rules.at(2).loc.ToString(), "p.json:6:5");
  ASSERT_EQ(r.diagnostics.size(), 2u);
  EXPECT_EQ(r.diagnostics[0].loc.ToString(), "p.json:5:16");  // "nope"
  EXPECT_EQ(r.diagnostics[1].loc.ToString(), "p.json:7:14");  // the args

  auto error = [](std::string_view text) {
    Imported bad = ImportOci(text, {.filename = "p.json"});
    return bad.diagnostics.empty()
               ? std::string()
               : bad.diagnostics[0].loc.ToString() + ": " + bad.diagnostics[0].message;
  };
  EXPECT_EQ(error("{\n \"syscalls\": []}"),
            "p.json:1:1: defaultAction: required, a SCMP_ACT_* string");
  EXPECT_EQ(error("{\"defaultAction\":\n  \"SCMP_ACT_NOPE\"}"),
            "p.json:2:3: defaultAction: unknown action 'SCMP_ACT_NOPE'");
  EXPECT_EQ(error("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"defaultErrnoRet\": 1}"),
            "p.json:1:19: defaultAction: SCMP_ACT_ALLOW takes no errno, but one is given (the "
            "runtime spec says runtimes must refuse this)");
  EXPECT_EQ(error("{\"defaultAction\": \"SCMP_ACT_ERRNO\",\n \"syscalls\": [{},\n  {\"names\": "
                  "[\"read\"], \"action\": \"SCMP_ACT_ERRNO\",\n   \"args\": [{\"index\": 1, "
                  "\"value\": 1, \"op\": \"SCMP_CMP_XX\"}]}]}"),
            "p.json:2:15: syscalls[0].action: required, a SCMP_ACT_* string");
  // Inside a config.json the pointers are below linux.seccomp; keys with "/" and "~" are escaped.
  EXPECT_EQ(
      error(
          "{\"ociVersion\": \"1.0\", \"a/b~\": {\"defaultAction\": 1},\n \"linux\": {\"seccomp\":\n"
          "  {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"flags\": [\"SECCOMP_FILTER_FLAG_LOG\", "
          "\"NOPE\"]}}}"),
      "p.json:3:76: flags[1]: unknown flag NOPE (runc refuses it)");
}

// Mangled JSON never crashes the importer and never yields a policy with an error.
TEST(Oci, MangledProfilesNeverCrash) {
  std::string base = R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
    "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}],
    "syscalls": [{"names": ["read", "clone"], "action": "SCMP_ACT_ALLOW",
      "args": [{"index": 0, "value": 2114060288, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}],
      "includes": {"caps": ["CAP_SYS_ADMIN"], "arches": ["amd64"], "minKernel": "4.8"},
      "excludes": {"arches": ["s390"]}}]})";
  std::mt19937_64 rng(5);
  const char* bits[] = {"[",
                        "]",
                        "{",
                        "}",
                        ",",
                        ":",
                        "\"",
                        "1",
                        "-1",
                        "null",
                        "true",
                        "\"x\"",
                        "18446744073709551616",
                        "[]",
                        "{}"};
  int ok = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string t = base;
    for (int e = 0; e < 3; ++e) {
      size_t pos = rng() % (t.size() + 1);
      if (rng() % 2) {
        t.erase(pos, rng() % 8);
      } else {
        t.insert(pos, bits[rng() % std::size(bits)]);
      }
    }
    Imported r = ImportOci(t, {.arch = Arch::kX86_64});
    if (r.policy) {
      ++ok;
      EXPECT_FALSE(HasErrors(r.diagnostics));
    } else {
      EXPECT_TRUE(HasErrors(r.diagnostics)) << t;
    }
  }
  EXPECT_GT(ok, 10);
}

// The real profiles: Docker's and Podman's defaults import and mean what they say.
TEST(Oci, DockerAndPodmanDefaults) {
  namespace fs = std::filesystem;
  fs::path dir = fs::path(SYSGATE_SHARED_DATA) / "profiles";
  if (!fs::exists(dir)) GTEST_SKIP() << "no reference data at " << dir;
  auto read = [&](const char* name) { return base::ReadFile(dir / name).value_or(""); };
  Policy docker = MustImport(read("moby-profiles-default.json"));
  EXPECT_EQ(Verdict(docker, "read"), Action::Allow());
  EXPECT_EQ(Verdict(docker, "mount"), Action::Errno(EPERM));
  EXPECT_EQ(Verdict(docker, "clone3"), Action::Errno(ENOSYS));
  EXPECT_EQ(Verdict(docker, "socket", {40}), Action::Errno(EPERM));  // AF_VSOCK
  EXPECT_EQ(Verdict(docker, "socket", {2}), Action::Allow());
  EXPECT_EQ(Verdict(docker, "personality", {8}), Action::Allow());
  EXPECT_EQ(Verdict(docker, "personality", {0x400000}), Action::Errno(EPERM));
  EXPECT_EQ(Verdict(docker, "io_uring_setup"), Action::Errno(EPERM));
  EXPECT_EQ(Verdict(docker, "execve", {}, Arch::kI386), Action::Allow());
  Policy podman = MustImport(read("containers-common-seccomp.json"));
  EXPECT_EQ(Verdict(podman, "read"), Action::Allow());
  EXPECT_EQ(Evaluate(podman, SeccompData::For(Arch::kX86_64, 1000)).action, Action::Errno(ENOSYS));
}

}  // namespace
}  // namespace sysgate::formats

namespace sysgate::formats {
namespace {

TEST(Oci, RuntimeFieldsAndWholeConfig) {
  const char* profile = R"({"defaultAction": "SCMP_ACT_ERRNO",
    "flags": ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG"],
    "listenerPath": "/run/agent.sock", "listenerMetadata": "MKDIR=1",
    "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"},
                 {"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]})";
  Imported r = ImportOci(profile, {.arch = Arch::kX86_64});
  ASSERT_TRUE(r.policy);
  EXPECT_EQ(r.runtime.flags,
            (std::vector<std::string>{"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG"}));
  EXPECT_EQ(r.runtime.listener_path, "/run/agent.sock");
  EXPECT_EQ(r.runtime.listener_metadata, "MKDIR=1");
  // Written back with the same fields, and the same meaning.
  Exported e = Export(*r.policy, Format::kOci, {.runtime = r.runtime});
  ASSERT_TRUE(e.text);
  Imported back = ImportOci(*e.text, {.arch = Arch::kX86_64});
  ASSERT_TRUE(back.policy);
  EXPECT_EQ(back.runtime.flags, r.runtime.flags);
  EXPECT_EQ(back.runtime.listener_path, "/run/agent.sock");
  EXPECT_EQ(back.runtime.listener_metadata, "MKDIR=1");
  EXPECT_EQ(Verdict(*back.policy, "mkdir"), Action::Notify());
  // A whole config.json: its linux.seccomp.
  std::string config = std::string(R"({"ociVersion": "1.0.2", "process": {"args": ["sh"]},
    "linux": {"seccomp": )") +
                       profile + "}}";
  Imported whole = ImportOci(config, {.arch = Arch::kX86_64});
  ASSERT_TRUE(whole.policy);
  EXPECT_EQ(*whole.policy, *r.policy);
  EXPECT_THAT(FirstError(R"({"ociVersion": "1.0.2", "linux": {}})"),
              HasSubstr("no linux.seccomp section"));
}

TEST(Oci, WhatTheRuntimeSpecSaysToRefuse) {
  EXPECT_THAT(
      FirstError(R"({"defaultAction": "SCMP_ACT_ALLOW", "flags": ["SECCOMP_FILTER_FLAG_NOPE"]})"),
      HasSubstr("unknown flag SECCOMP_FILTER_FLAG_NOPE"));
  EXPECT_THAT(FirstError(R"({"defaultAction": "SCMP_ACT_ALLOW", "listenerMetadata": "x"})"),
              HasSubstr("listenerMetadata: set without listenerPath"));
  EXPECT_THAT(FirstError(R"({"defaultAction": "SCMP_ACT_ALLOW", "defaultErrnoRet": 1})"),
              HasSubstr("SCMP_ACT_ALLOW takes no errno"));
  EXPECT_THAT(FirstError(R"({"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 5000})"),
              HasSubstr("SCMP_ACT_ERRNO takes an errno 0..4095"));
  // SCMP_ACT_TRACE carries 16 bits.
  Policy p = MustImport(R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
    {"names": ["read"], "action": "SCMP_ACT_TRACE", "errnoRet": 60000}]})");
  EXPECT_EQ(Verdict(p, "read"), Action::Trace(60000));
}

}  // namespace
}  // namespace sysgate::formats
