// fs and net rules as a systemd unit's mounts and bind filter: written exactly, widened with a
// warning where systemd allows more, refused where it cannot say them; read back to the same.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "formats/systemd_access.h"
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

// WriteSystemdAccess with these links at the root, as a merged-/usr host has.
std::string Write(const std::string& rules, std::string* messages = nullptr, bool strict = false) {
  Policy p = Parse(rules);
  SystemdAccessOptions o;
  o.strict = strict;
  o.root_links = {{"/bin", "/usr/bin"}, {"/lib", "/usr/lib"}, {"/lib64", "/usr/lib64"}};
  std::string out;
  std::vector<Diagnostic> diags;
  AccessRules means;
  bool ok = WriteSystemdAccess(p.access, out, diags, means, o);
  if (messages) *messages = Messages(diags);
  if (!ok) return "";
  // What it says it means is what it reads back to.
  std::string read_messages;
  AccessRules again = Read(out, &read_messages);
  EXPECT_EQ(again.handled_fs, means.handled_fs) << out;
  for (const PathRule& r : means.paths) {
    EXPECT_EQ(GrantedOn(again, r.path).access, GrantedOn(means, r.path).access) << r.path << "\n" << out;
  }
  for (const PathRule& r : again.paths) {
    EXPECT_EQ(GrantedOn(again, r.path).access, GrantedOn(means, r.path).access) << r.path << "\n" << out;
  }
  EXPECT_EQ(read_messages, "") << out;
  return out;
}

TEST(SystemdAccess, AnAllowListOfPathsIsAnEmptyRootWithThemBoundIn) {
  std::string warnings;
  std::string unit = Write("fs read exec /usr\nfs read /etc/app\nfs read write /var/lib/app\n", &warnings);
  EXPECT_THAT(unit, HasSubstr("TemporaryFileSystem=/:ro\nBindPaths=/var/lib/app\n"
                              "BindReadOnlyPaths=/usr /etc/app\n"));
  // Not NoExecPaths=/, which brings the host's root back beside TemporaryFileSystem=/.
  EXPECT_THAT(unit, HasSubstr("NoExecPaths=/etc/app /var/lib/app\n"));
  EXPECT_THAT(unit, Not(HasSubstr("NoExecPaths=/\n")));
  EXPECT_THAT(unit, Not(HasSubstr("ExecPaths=/usr")));
  EXPECT_THAT(unit, HasSubstr("CapabilityBoundingSet=~CAP_MKNOD\n"));
  EXPECT_THAT(unit, Not(HasSubstr("SocketBind")));
  EXPECT_EQ(warnings, "");
}

TEST(SystemdAccess, TheHostsLinksAtTheRootAreBoundWhereTheyLeadIntoThePaths) {
  std::string unit = Write("fs read exec /usr\nfs read /usr/lib64/x\nfs read write /srv\n");
  EXPECT_THAT(unit, HasSubstr("fine):\nBindReadOnlyPaths=-/bin -/lib -/lib64\n"));
  // Deeper: only the part of the link's target the rules grant.
  std::string lib = Write("fs read /usr/lib/x86_64-linux-gnu\n");
  EXPECT_THAT(lib, HasSubstr("BindReadOnlyPaths=-/lib/x86_64-linux-gnu\nNoExecPaths=/usr/lib/x86_64-linux-gnu "
                             "-/lib/x86_64-linux-gnu\n"));
  EXPECT_THAT(lib, Not(HasSubstr("/bin")));
}

TEST(SystemdAccess, RightsAddUpDownTheTreeAsMountsDo) {
  // A read-only rule beneath a writable one is writable under Landlock: bound writable too.
  std::string unit = Write("fs read write /srv\nfs read /srv/static\n");
  EXPECT_THAT(unit, HasSubstr("BindPaths=/srv\nNoExecPaths=/srv\n"));  // one mount: /srv/static is in it
  EXPECT_THAT(unit, Not(HasSubstr("BindReadOnlyPaths")));
  // An executable path beneath one that is not.
  std::string exec = Write("fs read /opt/app\nfs read exec /opt/app/bin\n");
  EXPECT_THAT(exec, HasSubstr("NoExecPaths=/opt/app\nExecPaths=/opt/app/bin\n"));
}

TEST(SystemdAccess, ReadingEverythingIsReadOnlyPathsWithWritableOnes) {
  std::string warnings;
  std::string unit = Write("fs read exec /\nfs read write /var/log/app\nfs read write /dev/null\n", &warnings);
  EXPECT_THAT(unit, HasSubstr("ReadOnlyPaths=/\nReadWritePaths=/var/log/app /dev/null\n"));
  EXPECT_THAT(unit, Not(HasSubstr("TemporaryFileSystem")));
  EXPECT_THAT(unit, Not(HasSubstr("NoExecPaths")));
  EXPECT_THAT(unit, Not(HasSubstr("BindReadOnlyPaths=/bin")));  // the root is there
  // A read-only /dev still lets the program write to its device nodes: said.
  EXPECT_THAT(warnings, HasSubstr("p.sgp:4:1: systemd's mounts do not restrict device ioctls, nor writing"));
  // Without exec at the root, the writable paths are made not executable too: ReadWritePaths=
  // remounts them executable.
  std::string noexec = Write("fs read /\nfs read write /srv\nfs read exec /usr\n");
  EXPECT_THAT(noexec, HasSubstr("ReadOnlyPaths=/\nReadWritePaths=/srv\nNoExecPaths=/ /srv\nExecPaths=/usr\n"));
}

TEST(SystemdAccess, EverythingWritableIsNoMounts) {
  std::string unit = Write("fs read write /\nfs read exec /usr\n");
  EXPECT_THAT(unit, HasSubstr("every path is writable.\nNoExecPaths=/\nExecPaths=/usr\n"));
  EXPECT_THAT(unit, Not(HasSubstr("ReadOnlyPaths")));
  EXPECT_THAT(unit, Not(HasSubstr("ReadWritePaths")));
  std::string warnings;
  EXPECT_EQ(Write("fs read write exec /\n", &warnings), "");  // nothing confines
  EXPECT_THAT(warnings, HasSubstr("the unit has no fs lines"));
}

TEST(SystemdAccess, FsNoneLeavesNothing) {
  std::string unit = Write("fs none\n");
  EXPECT_THAT(unit, HasSubstr("TemporaryFileSystem=/:ro\n"));
  EXPECT_THAT(unit, Not(HasSubstr("Bind")));
  EXPECT_THAT(unit, Not(HasSubstr("NoExecPaths")));
}

TEST(SystemdAccess, DeviceNodesKeepCapMknodAndSaySo) {
  std::string warnings;
  std::string unit = Write("fs read write make-char /srv/dev\nfs read write /srv/data\n", &warnings);
  EXPECT_THAT(unit, Not(HasSubstr("CAP_MKNOD")));
  EXPECT_THAT(warnings, HasSubstr("may make them in every writable path"));
}

TEST(SystemdAccess, NetAndScopeAreDroppedWithAWarningOrRefused) {
  std::string warnings;
  std::string unit = Write("fs read /srv\nnet bind 80\nscope signals\n", &warnings);
  EXPECT_THAT(unit, HasSubstr("BindReadOnlyPaths=/srv\n"));
  EXPECT_THAT(unit, Not(HasSubstr("SocketBind")));
  EXPECT_THAT(warnings, HasSubstr("systemd cannot say the net and scope rules exactly"));
  std::string refused;
  EXPECT_EQ(Write("net connect 443\n", &refused, /*strict=*/true), "");
  EXPECT_THAT(refused, HasSubstr("refused (--strict-access)"));
}

TEST(SystemdAccess, WhatSystemdCannotSayIsRefused) {
  struct Case {
    std::string rules, why;
  } cases[] = {
      {"fs read-file /srv/x\n", "p.sgp:4:14: systemd binds a path read-only or writable: `fs read-file /srv/x`"},
      {"fs read write-file /srv/x\n", "is neither"},
      {"fs write /srv/x\n", "is neither"},
      {"fs exec /srv/x\n", "is neither"},
      {"fs read \"/srv/a b\"\n", "systemd's path lists cannot hold /srv/a b"},
      {"fs read /srv/a:b\n", "cannot hold"},
      {"fs read /srv/%h\n", "cannot hold"},
  };
  for (const Case& c : cases) {
    std::string messages;
    EXPECT_EQ(Write(c.rules, &messages), "") << c.rules;
    EXPECT_THAT(messages, HasSubstr(c.why)) << c.rules;
  }
  // Exact only, with --strict-access: a widening is refused too.
  std::string strict;
  EXPECT_EQ(Write("fs read /dev\n", &strict, true), "");
  EXPECT_THAT(strict, HasSubstr("refused (--strict-access)"));
  EXPECT_NE(Write("fs read /usr\n", nullptr, true), "");
}

TEST(SystemdAccess, ExportWritesTheLinesAndReadsThemBack) {
  // Through Export, with this host's links: the read-back check compares every path's rights.
  std::string warnings;
  std::string unit = Unit(Parse("fs read exec /usr\nfs read /etc/app\nfs read write /var/lib/app\n"), &warnings);
  EXPECT_THAT(unit, HasSubstr("BindReadOnlyPaths=/usr /etc/app\n"));
  EXPECT_THAT(unit, HasSubstr("SystemCallFilter="));
}

TEST(SystemdAccess, ReadsTheUnitsDirectives) {
  AccessRules a = Read("[Unit]\nReadOnlyPaths=/\n[Service]\nTemporaryFileSystem=/:ro\nBindReadOnlyPaths=/usr /etc/x\n"
                       "BindPaths=/var/lib/x\nNoExecPaths=/etc/x /var/lib/x\nExecPaths=/var/lib/x/bin\n"
                       "CapabilityBoundingSet=~CAP_MKNOD\n"
                       "SocketBindDeny=tcp\nSocketBindAllow=tcp:80 udp:53 tcp:8000-8001\n"
                       "[Install]\nBindPaths=/home\n");
  EXPECT_EQ(a.handled_fs, fa::kAll);
  EXPECT_EQ(GrantedOn(a, "/etc/x/y").access, fa::kRead);
  EXPECT_EQ(GrantedOn(a, "/usr/bin/ls").access, fa::kRead | fa::kExecute);
  EXPECT_EQ(GrantedOn(a, "/var/lib/x").access, fa::kRead | fa::kWrite);
  EXPECT_EQ(GrantedOn(a, "/var/lib/x/bin/tool").access, fa::kRead | fa::kWrite | fa::kExecute);
  EXPECT_EQ(GrantedOn(a, "/etc/shadow").access, 0u);
  EXPECT_EQ(GrantedOn(a, "/home").access, 0u);  // [Install] is not read
  EXPECT_EQ(a.handled_net, net_access::kBindTcp);
  ASSERT_EQ(a.ports.size(), 2u);  // 80 and 8000..8001; port 0 is denied as systemd does
  EXPECT_EQ(a.ports[1].first, 8000);
  EXPECT_EQ(a.loc.line, 4);
}

TEST(SystemdAccess, ResetsCommentsAndFamilies) {
  std::string messages;
  AccessRules a = Read("TemporaryFileSystem=/:ro\nBindReadOnlyPaths=/usr /etc \\\n# /home \\\n  /srv\n"
                       "BindReadOnlyPaths=\nBindReadOnlyPaths=/opt\n"
                       "SocketBindDeny=tcp\nSocketBindAllow=ipv6:tcp:443\n",
                       &messages);
  EXPECT_EQ(GrantedOn(a, "/usr").access, 0u);  // reset by the empty assignment
  EXPECT_EQ(GrantedOn(a, "/opt").access, fa::kRead | fa::kExecute);
  EXPECT_THAT(messages, HasSubstr("u.service:8:17: SocketBindAllow=: 'ipv6:tcp:443' allows one address family"));
  AccessRules c = Read("TemporaryFileSystem=/:ro\nBindReadOnlyPaths=/usr \\\n# /home \\\n  /srv\n");
  EXPECT_EQ(GrantedOn(c, "/srv").access, fa::kRead | fa::kExecute);
  EXPECT_EQ(GrantedOn(c, "/home").access, 0u);
}

TEST(SystemdAccess, DenyListsAreNotReadAndSaySo) {
  std::string messages;
  AccessRules a = Read("InaccessiblePaths=/home\nReadOnlyPaths=/etc\nTemporaryFileSystem=/var\n"
                       "BindPaths=+/opt/x /src:/dst /srv\nSocketBindAllow=tcp:0 http\n",
                       &messages);
  EXPECT_TRUE(a.empty());
  EXPECT_THAT(messages, HasSubstr("u.service:1:19: InaccessiblePaths=/home is not read"));
  EXPECT_THAT(messages, HasSubstr("ReadOnlyPaths=/etc is not read"));
  EXPECT_THAT(messages, HasSubstr("TemporaryFileSystem=/var is not read"));
  EXPECT_THAT(messages, HasSubstr("'+/opt/x' is not read"));
  EXPECT_THAT(messages, HasSubstr("'/src:/dst' is not read"));
  EXPECT_THAT(messages, HasSubstr("'tcp:0' is not read"));
  EXPECT_THAT(messages, HasSubstr("are read only beside TemporaryFileSystem=/"));
}

}  // namespace
}  // namespace sysgate::formats
