// fs and net rules as a systemd unit's mounts and bind filter: written exactly, widened with a
// warning where systemd allows more, refused where it cannot say them; read back to the same.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sysgate/analysis.h"
#include "sysgate/formats.h"
#include "sysgate/policy_text.h"

namespace sysgate::formats {
namespace {

namespace fa = fs_access;
using ::testing::HasSubstr;
using ::testing::Not;

Policy Parse(const std::string& text) {
  ParsedPolicy p = ParsePolicyText("arch x86_64\ndefault errno(EPERM)\nallow read, write\n" + text, "p.sgp");
  EXPECT_TRUE(p.ok()) << p.FirstError().ToString();
  return p.ok() ? *p.policy : Policy{};
}

std::string Messages(const std::vector<Diagnostic>& ds) {
  std::string out;
  for (const Diagnostic& d : ds) out += d.loc.ToString() + ": " + d.message + "\n";
  return out;
}

// Exports, checks that the text reads back to what the export says it means, returns it.
std::string Unit(const Policy& p, std::string* messages = nullptr, ExportOptions o = {}) {
  Exported e = Export(p, Format::kSystemd, o);
  if (messages) *messages = Messages(e.diagnostics);
  if (!e.text) return "";
  auto same = analysis::VerifyConversion(*e.means, *e.text, Format::kSystemd, "");
  EXPECT_TRUE(same) << same.error().ToString() << "\n" << *e.text;
  return *e.text;
}

AccessRules Read(const std::string& unit, std::string* messages = nullptr) {
  ImportOptions o;
  o.arch = Arch::kX86_64;
  o.filename = "u.service";
  Imported r = Import(unit, Format::kSystemd, o);
  if (messages) *messages = Messages(r.diagnostics);
  EXPECT_TRUE(r.ok()) << Messages(r.diagnostics);
  return r.ok() ? r.policy->access : AccessRules{};
}

TEST(SystemdAccess, AnAllowListOfPathsIsAnEmptyRootWithThemBoundIn) {
  std::string warnings;
  std::string unit = Unit(Parse("fs read exec /usr\nfs read /etc/app\nfs read write /var/lib/app\n"), &warnings);
  EXPECT_THAT(unit, HasSubstr("TemporaryFileSystem=/:ro\n"));
  EXPECT_THAT(unit, HasSubstr("BindReadOnlyPaths=/usr /etc/app\n"));
  EXPECT_THAT(unit, HasSubstr("BindPaths=/var/lib/app\n"));
  EXPECT_THAT(unit, HasSubstr("NoExecPaths=/\nExecPaths=/usr\n"));
  EXPECT_THAT(unit, Not(HasSubstr("SocketBind")));
  // systemd's mounts allow device ioctls and device nodes: said, and meant.
  EXPECT_THAT(warnings, HasSubstr("p.sgp:4:1: systemd does not restrict ioctls on devices"));
}

TEST(SystemdAccess, RightsAddUpDownTheTreeAsMountsDo) {
  // A read-only rule beneath a writable one is writable under Landlock: bound writable too.
  std::string unit = Unit(Parse("fs read write /srv\nfs read /srv/static\n"));
  EXPECT_THAT(unit, HasSubstr("BindPaths=/srv /srv/static\n"));
  EXPECT_THAT(unit, Not(HasSubstr("BindReadOnlyPaths")));
}

TEST(SystemdAccess, ReadingEverythingIsReadOnlyPathsWithWritableOnes) {
  std::string unit = Unit(Parse("fs read exec /\nfs read write /var/log/app\n"));
  EXPECT_THAT(unit, HasSubstr("ReadOnlyPaths=/\nReadWritePaths=/var/log/app\n"));
  EXPECT_THAT(unit, Not(HasSubstr("TemporaryFileSystem")));
  EXPECT_THAT(unit, Not(HasSubstr("NoExecPaths")));
}

TEST(SystemdAccess, EverythingWritableIsSaidToo) {
  std::string unit = Unit(Parse("fs read write /\n"));
  EXPECT_THAT(unit, HasSubstr("ReadOnlyPaths=/\nReadWritePaths=/\nNoExecPaths=/\n"));
}

TEST(SystemdAccess, FsNoneLeavesNothing) {
  std::string unit = Unit(Parse("fs none\n"));
  EXPECT_THAT(unit, HasSubstr("TemporaryFileSystem=/:ro\nNoExecPaths=/\n"));
  EXPECT_THAT(unit, Not(HasSubstr("Bind")));
}

TEST(SystemdAccess, BindPortsAndPortZero) {
  std::string warnings;
  std::string unit = Unit(Parse("net bind 80, 8000..8010\n"), &warnings);
  EXPECT_THAT(unit, HasSubstr("SocketBindDeny=tcp\nSocketBindAllow=tcp:80\nSocketBindAllow=tcp:8000-8010\n"));
  EXPECT_THAT(warnings, HasSubstr("never restricts binding port 0"));
  std::string quiet;
  EXPECT_THAT(Unit(Parse("net bind 0..443\n"), &quiet), HasSubstr("SocketBindAllow=tcp:1-443\n"));
  EXPECT_THAT(quiet, Not(HasSubstr("port 0")));
}

TEST(SystemdAccess, WhatSystemdCannotSayIsRefused) {
  struct Case {
    std::string rules, why;
  } cases[] = {
      {"fs read-file /srv/x\n", "p.sgp:4:14: systemd binds a path read-only or writable: `fs read-file /srv/x`"},
      {"fs read write-file /srv/x\n", "is neither"},
      {"net connect 443\n", "cannot restrict TCP connect by port"},
      {"net connect none\n", "cannot restrict TCP connect by port"},
      {"scope signals\n", "cannot keep signals inside the service"},
      {"fs read \"/srv/a b\"\n", "systemd's path lists cannot hold /srv/a b"},
      {"fs read /srv/a:b\n", "cannot hold"},
      {"fs read /srv/%h\n", "cannot hold"},
  };
  for (const Case& c : cases) {
    std::string messages;
    EXPECT_EQ(Unit(Parse(c.rules), &messages), "") << c.rules;
    EXPECT_THAT(messages, HasSubstr(c.why)) << c.rules;
  }
  // Exact only, with --strict-access: a widening is refused too.
  std::string strict;
  ExportOptions o;
  o.strict = true;
  EXPECT_EQ(Unit(Parse("fs read /usr\n"), &strict, o), "");
  EXPECT_THAT(strict, HasSubstr("refused (--strict-access)"));
  EXPECT_NE(Unit(Parse("fs read ioctl-dev /usr\n"), nullptr, o), "");
}

TEST(SystemdAccess, ReadsTheUnitsDirectives) {
  AccessRules a = Read("[Service]\nTemporaryFileSystem=/:ro\nBindReadOnlyPaths=/usr /etc/x\n"
                       "BindPaths=/var/lib/x\nNoExecPaths=/\nExecPaths=/usr/bin\n"
                       "SocketBindDeny=tcp\nSocketBindAllow=tcp:80 udp:53 ipv6:tcp:8000-8001\n");
  EXPECT_EQ(a.handled_fs, fa::kAll);
  EXPECT_EQ(GrantedOn(a, "/etc/x/y").access, fa::kRead | fa::kIoctlDev);
  EXPECT_EQ(GrantedOn(a, "/usr/bin/ls").access, fa::kRead | fa::kIoctlDev | fa::kExecute);
  EXPECT_EQ(GrantedOn(a, "/var/lib/x").access, fa::kAll & ~fa::kExecute);
  EXPECT_EQ(GrantedOn(a, "/etc/shadow").access, 0u);
  EXPECT_EQ(a.handled_net, net_access::kBindTcp);
  ASSERT_EQ(a.ports.size(), 3u);  // 80, 8000..8001, and port 0, which systemd never restricts
  EXPECT_EQ(a.ports[1].first, 8000);
  EXPECT_EQ(a.ports[2].first, 0);
  EXPECT_EQ(a.loc.line, 2);
}

TEST(SystemdAccess, DenyListsAreNotReadAndSaySo) {
  std::string messages;
  AccessRules a = Read("InaccessiblePaths=/home\nReadOnlyPaths=/etc\nTemporaryFileSystem=/var\n"
                       "BindPaths=-/opt/x /src:/dst /srv\nSocketBindAllow=tcp:0 http\n",
                       &messages);
  EXPECT_TRUE(a.empty());
  EXPECT_THAT(messages, HasSubstr("u.service:1:19: InaccessiblePaths=/home is not read"));
  EXPECT_THAT(messages, HasSubstr("ReadOnlyPaths=/etc is not read"));
  EXPECT_THAT(messages, HasSubstr("TemporaryFileSystem=/var is not read"));
  EXPECT_THAT(messages, HasSubstr("'-/opt/x' is not read"));
  EXPECT_THAT(messages, HasSubstr("'/src:/dst' is not read"));
  EXPECT_THAT(messages, HasSubstr("'tcp:0' is not read"));
  EXPECT_THAT(messages, HasSubstr("are read only beside TemporaryFileSystem=/"));
}

}  // namespace
}  // namespace sysgate::formats
