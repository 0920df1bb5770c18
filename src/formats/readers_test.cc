// The readers of systemd, minijail, Kafel, Firecracker and SPO files: what they mean, their
// errors with file:line:col, and the real files in ../shared/data/profiles.
#include <errno.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include <unistd.h>

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/files.h"
#include "sysgate/formats.h"
#include "sysgate/interpreter.h"
#include "sysgate/policy_text.h"

namespace sysgate::formats {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

Action V(const Policy& p, std::string_view name, std::initializer_list<uint64_t> args = {},
         Arch a = Arch::kX86_64) {
  return Evaluate(p, SeccompData::For(a, *SyscallNumber(a, name), args)).action;
}

std::string Messages(const Imported& r) {
  std::string out;
  for (const Diagnostic& d : r.diagnostics) out += d.loc.ToString() + ": " + d.message + "\n";
  return out;
}

Policy Must(std::string_view text, Format f, ImportOptions o = {}) {
  if (!o.arch) o.arch = Arch::kX86_64;
  o.filename = "t";
  Imported r = Import(text, f, o);
  EXPECT_TRUE(r.policy) << Messages(r);
  return r.policy ? *r.policy : Policy{};
}

std::string FirstError(std::string_view text, Format f, ImportOptions o = {}) {
  o.arch = Arch::kX86_64;
  o.filename = "t";
  Imported r = Import(text, f, o);
  EXPECT_FALSE(r.policy);
  for (const Diagnostic& d : r.diagnostics) {
    if (d.severity == Severity::kError) return d.loc.ToString() + ": " + d.message;
  }
  return "no error";
}

std::string Fixture(const char* name) {
  return base::ReadFile(fs::path(SYSGATE_SHARED_DATA) / "profiles" / name).value_or("");
}

bool HaveFixtures() { return fs::exists(fs::path(SYSGATE_SHARED_DATA) / "profiles"); }

// ---- systemd ----

TEST(Systemd, AllowListAddsDefaultAndTakesAway) {
  Policy p = Must(
      "[Service]\n"
      "SystemCallArchitectures=native\n"
      "SystemCallFilter=@system-service\n"
      "SystemCallFilter=~@privileged @resources\n"
      "SystemCallErrorNumber=EPERM\n",
      Format::kSystemd);
  EXPECT_EQ(p.default_action, Action::Errno(EPERM));
  EXPECT_EQ(V(p, "read"), Action::Allow());
  EXPECT_EQ(V(p, "chown"), Action::Errno(EPERM));        // @privileged taken away
  EXPECT_EQ(V(p, "setpriority"), Action::Errno(EPERM));  // @resources
  EXPECT_EQ(V(p, "mount"), Action::Errno(EPERM));        // never allowed
  EXPECT_EQ(V(p, "rt_sigreturn"), Action::Allow());      // @default, implicitly
  EXPECT_EQ(p.arches, std::vector<Arch>{HostArch()});
}

TEST(Systemd, DenyListWithErrnosAndReset) {
  Policy p = Must(
      "SystemCallFilter=~mount umount2:EBUSY\n"
      "SystemCallFilter=~@swap ptrace:kill\n"
      "SystemCallFilter=swapon\n",  // takes swapon out of the deny list
      Format::kSystemd);
  EXPECT_EQ(p.default_action, Action::Allow());
  EXPECT_EQ(V(p, "mount"), Action::KillProcess());
  EXPECT_EQ(V(p, "umount2"), Action::Errno(EBUSY));
  EXPECT_EQ(V(p, "swapoff"), Action::KillProcess());
  EXPECT_EQ(V(p, "swapon"), Action::Allow());
  EXPECT_EQ(V(p, "ptrace"), Action::KillProcess());
  Policy reset =
      Must("SystemCallFilter=~mount\nSystemCallFilter=\nSystemCallFilter=read\n", Format::kSystemd);
  EXPECT_EQ(V(reset, "read"), Action::Allow());
  EXPECT_EQ(V(reset, "mount"), Action::KillProcess());  // an allow list now
  Policy log = Must("SystemCallFilter=read\nSystemCallErrorNumber=log\n", Format::kSystemd);
  EXPECT_EQ(V(log, "write"), Action::Log());
}

// systemd ignores the names its libseccomp does not know (Debian 12's: mseal, statmount, ...):
// the writer says which, and what that means for the list.
TEST(Systemd, NamesItsLibseccompDoesNotKnowAreSaid) {
  ParsedPolicy deny = ParsePolicyText(
      "arch x86_64\ndefault allow\nerrno(EPERM) mseal, mount, statmount\n", "d.sgp");
  ASSERT_TRUE(deny.ok()) << deny.RenderDiagnostics();
  Exported e = Export(*deny.policy, Format::kSystemd);
  ASSERT_TRUE(e.text);
  std::string said;
  for (const Diagnostic& d : e.diagnostics) said += d.message + "\n";
  EXPECT_THAT(said, HasSubstr("(systemd 252, libseccomp 2.5.4) mseal, statmount are not denied"));
  ParsedPolicy allow =
      ParsePolicyText("arch x86_64\ndefault errno(EPERM)\nallow read, listmount\n", "a.sgp");
  ASSERT_TRUE(allow.ok()) << allow.RenderDiagnostics();
  e = Export(*allow.policy, Format::kSystemd);
  said.clear();
  for (const Diagnostic& d : e.diagnostics) said += d.message + "\n";
  EXPECT_THAT(said, HasSubstr("listmount is not allowed"));
  ParsedPolicy known = ParsePolicyText("arch x86_64\ndefault allow\nerrno(EPERM) mount\n", "k.sgp");
  ASSERT_TRUE(known.ok());
  e = Export(*known.policy, Format::kSystemd);
  for (const Diagnostic& d : e.diagnostics)
    EXPECT_THAT(d.message, ::testing::Not(HasSubstr("libseccomp")));
}

TEST(Systemd, Errors) {
  EXPECT_EQ(FirstError("SystemCallFilter=~read:ENOPE\n", Format::kSystemd),
            "t:1:19: unknown errno 'ENOPE' (an errno name, a number 0..4095, or kill)");
  EXPECT_THAT(FirstError("SystemCallFilter=@nope\n", Format::kSystemd),
              HasSubstr("t:1:18: unknown syscall group"));
  EXPECT_THAT(FirstError("SystemCallArchitectures=vax\n", Format::kSystemd), HasSubstr("t:1:25:"));
  EXPECT_THAT(FirstError("SystemCallFilter=read rede\n", Format::kSystemd, {.strict = true}),
              HasSubstr("t:1:23:"));
}

// ---- minijail ----

TEST(Minijail, ActionsExpressionsAndReturn) {
  Policy p = Must(
      "# comment\n"
      "read: 1\n"
      "write: arg0 == 1 || arg0 == 2\n"
      "mmap: arg2 in ~PROT_EXEC || arg2 in ~PROT_WRITE\n"
      "ioctl: arg1 == 0x5401 && arg0 <= 2; return EPERM\n"
      "fcntl: arg1 & 0x400\n"
      "openat: return 13\n"
      "{getpid, gettid}: allow\n"
      "ptrace: kill-thread\n"
      "@default trap\n",
      Format::kMinijail);
  EXPECT_EQ(p.default_action, Action::Trap(0));
  EXPECT_EQ(V(p, "read"), Action::Allow());
  EXPECT_EQ(V(p, "write", {2}), Action::Allow());
  EXPECT_EQ(V(p, "write", {3}), Action::Trap(0));
  EXPECT_EQ(V(p, "mmap", {0, 0, 3}), Action::Allow());  // read|write, no exec
  EXPECT_EQ(V(p, "mmap", {0, 0, 7}), Action::Trap(0));  // W and X
  EXPECT_EQ(V(p, "ioctl", {1, 0x5401}), Action::Allow());
  EXPECT_EQ(V(p, "ioctl", {5, 0x5401}), Action::Errno(EPERM));
  EXPECT_EQ(V(p, "fcntl", {0, 0x402}), Action::Allow());  // a bit of 0x400 set
  EXPECT_EQ(V(p, "fcntl", {0, 0x2}), Action::Trap(0));
  EXPECT_EQ(V(p, "openat"), Action::Errno(13));
  EXPECT_EQ(V(p, "gettid"), Action::Allow());
  EXPECT_EQ(V(p, "ptrace"), Action::KillThread());
}

TEST(Minijail, DenylistAndErrors) {
  Policy p = Must("@denylist\nbpf: return EPERM\nptrace: kill\n", Format::kMinijail);
  EXPECT_EQ(V(p, "read"), Action::Allow());
  EXPECT_EQ(V(p, "bpf"), Action::Errno(EPERM));
  EXPECT_EQ(V(p, "ptrace"), Action::KillProcess());
  EXPECT_THAT(FirstError("read: 1\nread: 1\n", Format::kMinijail),
              HasSubstr("t:2:1: read is listed twice"));
  EXPECT_THAT(FirstError("read: arg9 == 1\n", Format::kMinijail),
              HasSubstr("t:1:1: expected argN"));
  EXPECT_THAT(FirstError("read: arg0 == NOPE\n", Format::kMinijail),
              HasSubstr("unknown value 'NOPE'"));
  EXPECT_THAT(FirstError("@include /nonexistent.policy\n", Format::kMinijail),
              HasSubstr("cannot find included file"));
  EXPECT_THAT(FirstError("read: explode\n", Format::kMinijail),
              HasSubstr("unknown action 'explode'"));
}

TEST(Minijail, IncludeRelativeToTheFile) {
  fs::path dir = fs::temp_directory_path() / fmt::format("sysgate-mj-{}", getpid());
  fs::create_directories(dir / "sub");
  std::ofstream(dir / "sub" / "base.policy") << "read: 1\n";
  std::ofstream(dir / "main.policy") << "@include sub/base.policy\nwrite: 1\n";
  Imported r = ImportFile((dir / "main.policy").string(), std::nullopt, {.arch = Arch::kX86_64});
  fs::remove_all(dir);
  ASSERT_TRUE(r.policy) << Messages(r);
  EXPECT_EQ(V(*r.policy, "read"), Action::Allow());
  EXPECT_EQ(V(*r.policy, "write"), Action::Allow());
  EXPECT_EQ(V(*r.policy, "open"), Action::KillProcess());
}

// ---- Kafel ----

TEST(Kafel, PoliciesUseAndExpressions) {
  Policy p = Must(
      "#define STDOUT 1\n"
      "#define MASK 0x3\n"
      "POLICY io { ALLOW { write(fd, buf, n) { fd == STDOUT, fd == 2 }, read { fd == 0 } } }\n"
      "POLICY rest {\n"
      "  ERRNO(13) { openat },\n"
      "  KILL_PROCESS { ptrace }, TRAP(7) { SYSCALL[39] },\n"
      "  ALLOW { fcntl(fd, cmd) { (cmd & MASK) == 1 && !(fd > 10) }, close { 3 < fd } }\n"
      "}\n"
      "USE io, USE rest DEFAULT ERRNO(1)\n",
      Format::kKafel);
  EXPECT_EQ(p.default_action, Action::Errno(1));
  EXPECT_EQ(V(p, "write", {2}), Action::Allow());
  EXPECT_EQ(V(p, "write", {3}), Action::Errno(1));
  EXPECT_EQ(V(p, "read", {0}), Action::Allow());
  EXPECT_EQ(V(p, "openat"), Action::Errno(13));
  EXPECT_EQ(V(p, "ptrace"), Action::KillProcess());
  EXPECT_EQ(V(p, "getpid"), Action::Trap(7));  // x86_64 39
  EXPECT_EQ(V(p, "fcntl", {3, 5}), Action::Allow());
  EXPECT_EQ(V(p, "fcntl", {11, 5}), Action::Errno(1));
  EXPECT_EQ(V(p, "close", {4}), Action::Allow());
  EXPECT_EQ(V(p, "close", {3}), Action::Errno(1));
}

TEST(Kafel, NsjailStyleAndErrors) {
  Policy p = Must(
      "ERRNO(1337) { geteuid }\tERRNO(1) { ptrace, sched_setaffinity }\nKILL_PROCESS { syslog } "
      "DEFAULT ALLOW\n",
      Format::kKafel);
  EXPECT_EQ(V(p, "geteuid"), Action::Errno(1337));
  EXPECT_EQ(V(p, "syslog"), Action::KillProcess());
  EXPECT_EQ(V(p, "read"), Action::Allow());
  EXPECT_EQ(FirstError("POLICY a { ALLOW { read } }\nUSE b DEFAULT KILL\n", Format::kKafel),
            "t:2:5: USE b: no such POLICY");
  EXPECT_THAT(FirstError("ALLOW { read(fd) { fd == } } DEFAULT KILL\n", Format::kKafel),
              HasSubstr("t:1:26:"));
  EXPECT_THAT(FirstError("FROB { read } DEFAULT KILL\n", Format::kKafel),
              HasSubstr("t:1:1: expected an action"));
  EXPECT_THAT(FirstError("POLICY a { USE a }\nUSE a DEFAULT KILL\n", Format::kKafel),
              HasSubstr("uses itself"));
}

// ---- Firecracker ----

TEST(Firecracker, CategoriesAndArgs) {
  std::string text = R"({
    "vmm": {"default_action": "trap", "filter_action": "allow", "filter": [
      {"syscall": "read"},
      {"syscall": "ioctl", "args": [{"index": 1, "type": "dword", "op": "eq", "val": 21505}]},
      {"syscall": "mmap", "args": [{"index": 2, "type": "qword", "op": {"masked_eq": 4}, "val": 0}]}]},
    "api": {"default_action": {"errno": 5}, "filter_action": "allow", "filter": []}})";
  EXPECT_THAT(FirstError(text, Format::kFirecracker), HasSubstr("choose one (--section)"));
  Policy p = Must(text, Format::kFirecracker, {.section = "vmm"});
  EXPECT_EQ(V(p, "read"), Action::Allow());
  EXPECT_EQ(V(p, "ioctl", {0, 0xdead000000005401ULL}), Action::Allow());  // dword: low half
  EXPECT_EQ(V(p, "ioctl", {0, 0x5402}), Action::Trap(0));
  EXPECT_EQ(V(p, "mmap", {0, 0, 3}), Action::Allow());
  EXPECT_EQ(V(p, "mmap", {0, 0, 7}), Action::Trap(0));
  Policy api = Must(text, Format::kFirecracker, {.section = "api"});
  EXPECT_EQ(V(api, "read"), Action::Errno(5));
  EXPECT_EQ(FirstError(R"({"x": {"default_action": "boom", "filter_action": "allow"}})",
                       Format::kFirecracker),
            "t:1:26: x.default_action: expected allow, trap, kill_thread, kill_process, log, "
            "{\"errno\": N} or {\"trace\": N}, not \"boom\"");
  EXPECT_EQ(
      FirstError(
          "{\"x\": {\"default_action\": \"allow\", \"filter_action\": \"trap\", \"filter\": [\n"
          "  {\"syscall\": \"read\", \"args\": [{\"index\": 0, \"type\": \"dword\", \"op\": "
          "\"eq\", \"val\": 4294967296}]}]}}",
          Format::kFirecracker),
      "t:2:32: x.filter[0].args[0]: val does not fit a dword");
}

// ---- the real files ----

TEST(Readers, RealFiles) {
  if (!HaveFixtures()) GTEST_SKIP() << "no reference data at " << SYSGATE_SHARED_DATA;
  Policy cat = Must(Fixture("minijail-examples-cat.policy"), Format::kMinijail);
  EXPECT_EQ(V(cat, "read"), Action::Allow());
  EXPECT_EQ(V(cat, "mmap", {0, 0, 5}), Action::Allow());  // read|exec
  EXPECT_EQ(V(cat, "mmap", {0, 0, 7}), Action::KillProcess());
  EXPECT_EQ(V(cat, "socket"), Action::KillProcess());
  Policy cros = Must(Fixture("minijail-policies-cros_default_v0.policy"), Format::kMinijail);
  EXPECT_EQ(V(cros, "bpf"), Action::Errno(EPERM));
  EXPECT_EQ(V(cros, "read"), Action::Allow());
  Policy comp = Must(Fixture("kafel-samples-sample_composition.policy"), Format::kKafel);
  EXPECT_EQ(V(comp, "write", {1}), Action::Allow());
  EXPECT_EQ(V(comp, "write", {0}), Action::KillThread());
  Policy consts = Must(Fixture("kafel-samples-sample_constants.policy"), Format::kKafel);
  EXPECT_EQ(V(consts, "write", {1, 5, 2}), Action::Allow());
  EXPECT_EQ(V(consts, "write", {1, 5, 9}), Action::KillThread());
  for (const char* f : {"firecracker-x86_64-unknown-linux-musl.json",
                        "firecracker-aarch64-unknown-linux-musl.json"}) {
    Arch a = std::string_view(f).find("aarch64") != std::string_view::npos ? Arch::kAarch64
                                                                           : Arch::kX86_64;
    for (const char* cat_name : {"vmm", "api", "vcpu"}) {
      Policy fc = Must(Fixture(f), Format::kFirecracker, {.arch = a, .section = cat_name});
      EXPECT_EQ(V(fc, "exit_group", {}, a), Action::Allow()) << f << " " << cat_name;
      EXPECT_EQ(V(fc, "execve", {}, a), Action::Trap(0)) << f << " " << cat_name;
    }
  }
  Policy spo = Must(Fixture("security-profiles-operator-baseprofile-runc.yaml"), Format::kSpo);
  EXPECT_EQ(V(spo, "execve"), Action::Allow());
  EXPECT_EQ(V(spo, "mount"), Action::Errno(EPERM));
  Imported many = Import(Fixture("security-profiles-operator-seccompprofile.yaml"), Format::kSpo,
                         {.arch = Arch::kX86_64});
  EXPECT_FALSE(many.policy);
  EXPECT_THAT(Messages(many), HasSubstr("profile-block-all"));
  Policy block = Must(Fixture("security-profiles-operator-seccompprofile.yaml"), Format::kSpo,
                      {.section = "profile-block-all"});
  EXPECT_EQ(V(block, "read"), Action::Errno(EPERM));
  // Rules and errors are located in the YAML, though the reader converts it to OCI JSON.
  const std::string yaml =
      "apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\nspec:\n"
      "  defaultAction: SCMP_ACT_ERRNO\n  syscalls:\n"
      "  - action: SCMP_ACT_ALLOW\n    names: [read]\n"
      "  - action: SCMP_ACT_ALLOW\n    names: [write]\n    args: [{index: 0, value: 1, op: "
      "SCMP_CMP_XX}]\n";
  EXPECT_EQ(FirstError(yaml, Format::kSpo),
            "t:10:37: syscalls[1].args[0].op: unknown operator 'SCMP_CMP_XX'");
  Imported located =
      Import(yaml.substr(0, yaml.rfind("    args")), Format::kSpo, {.filename = "p.yaml"});
  ASSERT_TRUE(located.policy);
  EXPECT_EQ(located.policy->default_loc.ToString(), "p.yaml:4:18");
  EXPECT_EQ(located.policy->rules.at(1).loc.ToString(), "p.yaml:8:5");
  // Detection by content.
  EXPECT_EQ(DetectFormat(Fixture("moby-profiles-default.json")), Format::kOci);
  EXPECT_EQ(DetectFormat(Fixture("firecracker-unimplemented.json")), Format::kFirecracker);
  EXPECT_EQ(DetectFormat(Fixture("kafel-samples-sample_composition.policy")), Format::kKafel);
  EXPECT_EQ(DetectFormat(Fixture("minijail-test-nested.policy")), Format::kMinijail);
  EXPECT_EQ(DetectFormat(Fixture("security-profiles-operator-baseprofile-crun.yaml")),
            Format::kSpo);
  EXPECT_EQ(DetectFormat("SystemCallFilter=@system-service\n"), Format::kSystemd);
  EXPECT_EQ(DetectFormat("default errno(EPERM)\nallow read\n"), Format::kSysgate);
}

TEST(Readers, MangledInputNeverCrashes) {
  const char* seeds[] = {
      "SystemCallFilter=~@swap read:EPERM\nSystemCallArchitectures=native x86\n",
      "read: arg0 == 1 || arg1 & 0x4; return 1\n{a, b}: 1\n@default kill\n",
      "#define X 1\nPOLICY p { ALLOW { read(fd) { (fd & X) == 1 || !(fd < 2) } } }\nUSE p DEFAULT "
      "KILL\n",
      R"({"t": {"default_action": "trap", "filter_action": {"errno": 1}, "filter": [{"syscall": "read", "args": [{"index": 0, "type": "dword", "op": {"masked_eq": 1}, "val": 1}]}]}})",
      "kind: SeccompProfile\nmetadata: {name: x}\nspec:\n  defaultAction: SCMP_ACT_ERRNO\n  "
      "syscalls: [{action: SCMP_ACT_ALLOW, names: [read]}]\n",
  };
  const Format formats[] = {Format::kSystemd, Format::kMinijail, Format::kKafel,
                            Format::kFirecracker, Format::kSpo};
  std::mt19937_64 rng(11);
  const char* bits[] = {"(",
                        ")",
                        "{",
                        "}",
                        ",",
                        ":",
                        "\"",
                        "|",
                        "&&",
                        "||",
                        "~",
                        "!",
                        "=",
                        "\n",
                        "#",
                        "[",
                        "]",
                        "-",
                        "99999999999999999999"};
  int ok = 0;
  for (size_t f = 0; f < std::size(formats); ++f) {
    for (int i = 0; i < 1500; ++i) {
      std::string t = seeds[f];
      for (int e = 0; e < 3; ++e) {
        size_t pos = rng() % (t.size() + 1);
        if (rng() % 2)
          t.erase(pos, rng() % 6);
        else
          t.insert(pos, bits[rng() % std::size(bits)]);
      }
      Imported r = Import(t, formats[f], {.arch = Arch::kX86_64});
      if (r.policy) {
        ++ok;
      } else {
        EXPECT_TRUE(HasErrors(r.diagnostics)) << FormatName(formats[f]) << ": " << t;
      }
    }
  }
  EXPECT_GT(ok, 100);
}

// ---- limits (docs/limits.md): what once crashed or hung a reader, refused at once ----

std::string Nest(std::string_view open, std::string_view inner, std::string_view close, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += open;
  out += inner;
  for (size_t i = 0; i < n; ++i) out += close;
  return out;
}

TEST(ReaderLimits, KafelConditionsNestWithinTheLimit) {
  std::string parens = "POLICY p { ALLOW { write(fd) { " + Nest("(", "fd == 1", ")", 3000) +
                       " } } }\nUSE p DEFAULT KILL\n";
  EXPECT_THAT(
      FirstError(parens, Format::kKafel),
      HasSubstr("t:1:232: the condition nests deeper than 200 levels, sysgate's nesting limit"));
  std::string nots = "POLICY p { ALLOW { write(fd) { " + std::string(100000, '!') +
                     "fd == 1 } } }\nUSE p DEFAULT KILL\n";
  EXPECT_THAT(FirstError(nots, Format::kKafel), HasSubstr("nests deeper than 200 levels"));
  Must("POLICY p { ALLOW { write(fd) { " + Nest("(", "fd == 1", ")", 100) +
           " } } }\nUSE p DEFAULT KILL\n",
       Format::kKafel);
}

TEST(ReaderLimits, KafelNumbersCommentsAndUse) {
  EXPECT_EQ(
      FirstError("POLICY p { ERRNO(4294967297) { read } }\nUSE p DEFAULT KILL\n", Format::kKafel),
      "t:1:18: ERRNO(4294967297) is out of range (1..4095)");
  EXPECT_EQ(FirstError("POLICY p { ALLOW { SYSCALL[4294967296] } }\nUSE p DEFAULT KILL\n",
                       Format::kKafel),
            "t:1:28: SYSCALL[4294967296]: syscall numbers go up to 2147483647");
  EXPECT_EQ(FirstError("POLICY p { ALLOW { read } }\n/* never closed\nUSE p DEFAULT KILL\n",
                       Format::kKafel),
            "t:2:1: the comment is never closed (no */)");
  std::string use = "POLICY p0 { ALLOW { read } }\n";
  for (int i = 1; i < 40; ++i)
    use += fmt::format("POLICY p{} {{ USE p{}, USE p{} }}\n", i, i - 1, i - 1);
  EXPECT_EQ(FirstError(use + "USE p39 DEFAULT KILL\n", Format::kKafel),
            "t:41:5: the policy expands (through USE) to more than 100000 rules, sysgate's rule "
            "limit (docs/limits.md)");
  EXPECT_EQ(FirstError("POLICY p { ALLOW { read } }\nUSE p DEFAULT ERRNO(5000)\n", Format::kKafel),
            "t:2:7: default action: errno 5000 is out of range: the kernel carries 1..4095 (larger "
            "values become 4095)");
}

TEST(ReaderLimits, IncludesOfKafelAndMinijailDetectCycles) {
  fs::path dir = fs::temp_directory_path() / fmt::format("sysgate-inc-{}", getpid());
  fs::create_directories(dir);
  std::ofstream(dir / "self.kafel")
      << "#include \"self.kafel\"\n#include \"self.kafel\"\n#include \"self.kafel\"\nPOLICY p { "
         "ALLOW { read } }\nUSE p DEFAULT KILL\n";
  std::ofstream(dir / "self.policy")
      << "@include self.policy\n@include self.policy\n@include self.policy\nread: 1\n";
  for (int i = 0; i < 20; ++i)
    std::ofstream(dir / fmt::format("d{}.policy", i))
        << fmt::format("@include d{}.policy\n", i + 1);
  auto first_error = [&](const char* name, ImportOptions o = {}) {
    Imported r = ImportFile((dir / name).string(), std::nullopt, o);
    for (const Diagnostic& d : r.diagnostics) {
      if (d.severity == Severity::kError) return d.loc.ToString() + ": " + d.message;
    }
    return std::string("no error");
  };
  EXPECT_EQ(
      first_error("self.kafel"),
      (dir / "self.kafel").string() + ":1:1: include cycle: \"self.kafel\" is already being read");
  EXPECT_EQ(first_error("self.policy"),
            (dir / "self.policy").string() +
                ":1:1: include cycle: \"self.policy\" is already being read");
  EXPECT_THAT(first_error("d0.policy"),
              HasSubstr("d15.policy:1:1: includes nest deeper than 16 files"));
  EXPECT_THAT(first_error("d0.policy", {.max_include_depth = 2}),
              HasSubstr("d1.policy:1:1: includes nest deeper than 2 files"));
  fs::remove_all(dir);
}

// ImportOptions::max_include_depth may lower the include depth limit of every format with
// includes, never raise it above limits::kMaxIncludeDepth; the error is at the directive.
TEST(ReaderLimits, IncludeDepthComesFromTheOptionsAndIsNeverRaised) {
  fs::path dir = fs::temp_directory_path() / fmt::format("sysgate-depth-{}", getpid());
  fs::create_directories(dir);
  for (int i = 0; i < 20; ++i) {
    std::ofstream(dir / fmt::format("k{}.kafel", i))
        << fmt::format("#include \"k{}.kafel\"\n", i + 1);
    std::ofstream(dir / fmt::format("m{}.policy", i))
        << fmt::format("@include m{}.policy\n", i + 1);
    std::ofstream(dir / fmt::format("s{}.sgp", i)) << fmt::format("include \"s{}.sgp\"\n", i + 1);
  }
  auto first_error = [&](const std::string& name, int max_depth) {
    ImportOptions o;
    o.max_include_depth = max_depth;
    Imported r = ImportFile((dir / name).string(), std::nullopt, o);
    for (const Diagnostic& d : r.diagnostics) {
      if (d.severity == Severity::kError) return d.loc.ToString() + ": " + d.message;
    }
    return std::string("no error");
  };
  const std::string at = dir.string() + "/";
  EXPECT_THAT(first_error("k0.kafel", 3),
              HasSubstr(at + "k2.kafel:1:1: includes nest deeper than 3 files, sysgate's include "
                             "depth limit (docs/limits.md)"));
  EXPECT_THAT(first_error("m0.policy", 4),
              HasSubstr(at + "m3.policy:1:1: includes nest deeper than 4 files"));
  EXPECT_THAT(first_error("s0.sgp", 5),
              HasSubstr(at + "s4.sgp:1:9: includes nest deeper than 5 files"));
  for (int raised : {limits::kMaxIncludeDepth + 1, 100, 1 << 30}) {
    EXPECT_THAT(first_error("k0.kafel", raised),
                HasSubstr(at + "k15.kafel:1:1: includes nest deeper than 16 files"));
    EXPECT_THAT(first_error("m0.policy", raised),
                HasSubstr(at + "m15.policy:1:1: includes nest deeper than 16 files"));
    EXPECT_THAT(first_error("s0.sgp", raised),
                HasSubstr(at + "s15.sgp:1:9: includes nest deeper than 16 files"));
  }
  fs::remove_all(dir);
}

TEST(ReaderLimits, JsonNestsWithinTheLimitAndErrorsAreLocated) {
  std::string flags =
      R"({"defaultAction": "SCMP_ACT_ALLOW", "flags": [)" + Nest("[", "", "]", 100000) + "]}";
  EXPECT_EQ(FirstError(flags, Format::kOci),
            "t:1:245: arrays and objects nest deeper than 200 levels, sysgate's nesting limit "
            "(docs/limits.md)");
  std::string config =
      R"({"ociVersion": "1.0", "linux": {"seccomp": {"defaultAction": "SCMP_ACT_ALLOW", "x": )" +
      Nest("[", "", "]", 100000) + "}}}";
  EXPECT_THAT(FirstError(config, Format::kOci), HasSubstr("nest deeper than 200 levels"));
  std::string fc = R"({"main": {"default_action": )" + Nest("[", "", "]", 100000) +
                   R"(, "filter_action": "allow", "filter": []}})";
  EXPECT_THAT(FirstError(fc, Format::kFirecracker), HasSubstr("nest deeper than 200 levels"));
  std::string op =
      R"({"main": {"default_action": "trap", "filter_action": "allow", "filter": [{"syscall": "read", "args": [{"index": 0, "type": "dword", "val": 1, "op": )" +
      Nest("[", "", "]", 100) + "}]}]}}";
  EXPECT_THAT(FirstError(op, Format::kFirecracker),
              HasSubstr("op: eq, ne, lt, le, gt, ge or {\"masked_eq\": MASK}, not [[[[[[[[[["));
  EXPECT_EQ(FirstError("{\"defaultAction\": \"SCMP_ACT_ALLOW\",\n \"x\": 1e400}", Format::kOci),
            "t:2:7: not valid JSON: the number is too large");
  EXPECT_EQ(FirstError("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"x\": \"" +
                           std::string(100000, 'y') + "\n",
                       Format::kOci),
            "t:1:100043: not valid JSON: syntax error while parsing value - invalid string: "
            "control character U+000A (LF) must be escaped to \\u000A or \\n");
  std::string flag =
      R"({"defaultAction": "SCMP_ACT_ALLOW", "flags": [")" + std::string(100000, 'F') + R"("]})";
  EXPECT_THAT(FirstError(flag, Format::kOci), HasSubstr("flags[0]: unknown flag FFFF"));
  EXPECT_THAT(
      FirstError(
          R"({"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ERRNO", "includes": {"minKernel": "-1.-1"}}]})",
          Format::kOci),
      HasSubstr("syscalls[0].includes.minKernel: expected a kernel version such as \"4.8\", not "
                "\"-1.-1\""));
}

TEST(ReaderLimits, YamlAliasesAreBounded) {
  const std::string head =
      "apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\n";
  EXPECT_EQ(FirstError(head + "spec: &a {y: *a}\n", Format::kSpo),
            "t:3:7: the YAML nests deeper than 200 levels (or an alias contains itself), sysgate's "
            "nesting limit (docs/limits.md)");
  std::string laughs =
      head + "spec:\n  defaultAction: SCMP_ACT_ALLOW\n  a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n";
  for (int i = 1; i < 12; ++i) {
    laughs += fmt::format(
        "  a{}: &a{} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n", i,
        i, fmt::arg("p", i - 1));
  }
  EXPECT_THAT(FirstError(laughs, Format::kSpo),
              HasSubstr("the YAML's aliases expand to more than 200000 nodes, sysgate's limit"));
  // An escape is a character, not a byte: the text stays UTF-8 (\xff is U+00FF).
  EXPECT_EQ(FirstError(head + "spec:\n  defaultAction: \"SCMP_ACT_\\xff\"\n", Format::kSpo),
            "t:4:18: defaultAction: unknown action 'SCMP_ACT_\u00ff'");
  EXPECT_EQ(FirstError(head + "spec:\n  defaultAction: \"SCMP_ACT_\xff\"\n", Format::kSpo),
            "t:4:28: YAML is UTF-8 text without control characters; this is not");
  // yaml-cpp allocated without end on these 40 bytes (10 GB in a minute; found by fuzz_convert).
  EXPECT_EQ(
      FirstError(std::string(",rch aarch64 x,8\x0e\0kind: SeccompProfileR\n", 40), Format::kSpo),
      "t:1:17: YAML is UTF-8 text without control characters; this is not");
  EXPECT_EQ(FirstError(head + "spec:\n  ? [1]\n  : 2\n", Format::kSpo),
            "t:4:5: a key must be a plain name, not a list or map");
  EXPECT_EQ(
      FirstError(
          "apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProflie\nspec: {}\n",
          Format::kSpo),
      "t:2:7: the file holds no SeccompProfile: its kind is 'SeccompProflie', not SeccompProfile");
  EXPECT_EQ(DetectFormat("kind: SeccompProflie\nspec:\n  defaultAction: SCMP_ACT_ALLOW\n"),
            Format::kSpo);
}

TEST(ReaderLimits, SectionsAreForFormatsThatHaveThem) {
  EXPECT_EQ(FirstError("allow read\n", Format::kSysgate, {.section = "vcpu"}),
            "t: a sysgate policy has no sections: --section names a Firecracker thread category or "
            "an SPO profile");
}

TEST(ReaderLimits, ManyMinijailErrorsAreQuick) {
  std::string text;
  for (int i = 0; i < 20000; ++i)
    text += i % 2 ? "read: arg0 == 1 || arg1 & 4\n" : "write: return 5\n";
  Imported r = Import(text, Format::kMinijail, {.arch = Arch::kX86_64});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics.size(), 19998u);  // every line after the first two repeats a syscall
  EXPECT_LT(RenderDiagnostics(r.diagnostics, {{"<input>", text}}).size(), 100000u);
}

}  // namespace
}  // namespace sysgate::formats
