// fs, net and scope statements: what they parse to, how they print, and what is refused where.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "lang/parse_for_test.h"
#include "lang/source_format.h"
#include "sysgate/policy_builder.h"
#include "sysgate/policy_text.h"

namespace sysgate {
namespace {

using ::testing::HasSubstr;

using testing::FirstError;
using testing::MustParse;

TEST(AccessStatements, ParseToTheModel) {
  Policy p = MustParse(R"(default errno(EPERM)
allow read, write, openat
fs read exec /usr, /etc/nginx,
   "/srv/my files"
fs write /var/log/nginx
net bind 80, 443, 8000..8010
net connect none
scope signals, abstract-unix
)");
  const AccessRules& a = p.access;
  EXPECT_EQ(a.handled_fs, fs_access::kAll);
  EXPECT_EQ(a.handled_net, net_access::kAll);
  EXPECT_EQ(a.scoped, scope::kAll);
  EXPECT_FALSE(a.best_effort);
  ASSERT_EQ(a.paths.size(), 4u);
  EXPECT_EQ(a.paths[0].path, "/usr");
  EXPECT_EQ(a.paths[0].access, fs_access::kRead | fs_access::kExecute);
  EXPECT_EQ(a.paths[2].path, "/srv/my files");
  EXPECT_EQ(a.paths[2].loc.ToString(), "t.sgp:4:4");
  EXPECT_EQ(a.paths[3].access, fs_access::kWrite);
  ASSERT_EQ(a.ports.size(), 3u);
  EXPECT_EQ(a.ports[2].first, 8000);
  EXPECT_EQ(a.ports[2].last, 8010);
  EXPECT_EQ(a.ports[2].access, net_access::kBindTcp);
  EXPECT_EQ(a.loc.ToString(), "t.sgp:3:1");
}

TEST(AccessStatements, NoneHandlesWithoutGranting) {
  Policy p = MustParse("default allow\nfs none\nnet bind none\n");
  EXPECT_EQ(p.access.handled_fs, fs_access::kAll);
  EXPECT_TRUE(p.access.paths.empty());
  EXPECT_EQ(p.access.handled_net, net_access::kBindTcp);
  EXPECT_TRUE(MustParse("default allow\n").access.empty());
  Policy be = MustParse("default allow\nfs best-effort\nfs read /\n");
  EXPECT_TRUE(be.access.best_effort);
}

TEST(AccessStatements, PrintReadsBackToTheSamePolicy) {
  for (std::string_view text : {
           "default allow\nfs read exec /usr, /lib\nfs write /tmp\nnet bind 8080\nnet connect "
           "none\n",
           "default allow\nfs best-effort\nfs none\nscope signals\n",
           "default allow\nfs read-file truncate \"/a b\", \"/q\\\"uote\", \"/c,d\", "
           "/caf\xc3\xa9\nnet bind connect 1..3\n",
           "default allow\nfs make-dir /x\nfs read /y\nfs make-dir /z\n",
       }) {
    Policy p = MustParse(text);
    std::string printed = PrintPolicy(p);
    ParsedPolicy back = ParsePolicyText(printed, "printed.sgp");
    ASSERT_TRUE(back.ok()) << printed << back.RenderDiagnostics();
    EXPECT_EQ(*back.policy, p) << text << "\n--\n" << printed;
  }
}

TEST(AccessStatements, PrintGroupsConsecutiveRulesWithTheSameRights) {
  std::string printed =
      PrintPolicy(MustParse("default allow\nfs read /usr\nfs read /etc\nnet connect none\n"));
  EXPECT_THAT(printed, HasSubstr("\nfs read /usr, /etc\nnet connect none\n"));
}

TEST(AccessStatements, ErrorsAreLocated) {
  EXPECT_EQ(FirstError("fs raed /usr\n"),
            "t.sgp:1:4: unknown fs access right 'raed'; did you mean 'read'?");
  EXPECT_EQ(FirstError("fs read usr\n"),
            "t.sgp:1:9: expected an absolute path (/usr, \"/srv/my files\"), found 'usr'");
  EXPECT_EQ(FirstError("fs /usr\n"),
            "t.sgp:1:4: expected fs access rights (read, write, exec, ...), best-effort or none, "
            "found path /usr");
  EXPECT_EQ(
      FirstError("fs read /usr/lib/**\n"),
      "t.sgp:1:9: a rule covers everything beneath its directory: write '/usr/lib' without '/**'");
  EXPECT_EQ(FirstError("fs read \"etc\"\n"),
            "t.sgp:1:9: fs paths are absolute: 'etc' does not start with '/'");
  EXPECT_EQ(FirstError("fs none\nfs read /usr\n"),
            "t.sgp:2:1: a rule that grants fs access contradicts the statement at t.sgp:1:4");
  EXPECT_EQ(FirstError("fs read /usr\nfs none\n"),
            "t.sgp:2:4: fs none contradicts the statement at t.sgp:1:1");
  EXPECT_EQ(FirstError("net connect none\nnet connect 80\n"),
            "t.sgp:2:1: a rule that grants net connect contradicts the statement at t.sgp:1:13");
  EXPECT_EQ(FirstError("net bind 80\nnet bind connect none\n"),
            "t.sgp:2:18: net bind none contradicts the statement at t.sgp:1:1");
  EXPECT_EQ(FirstError("net bind 65536\n"), "t.sgp:1:10: '65536' is not a TCP port (0..65535)");
  EXPECT_EQ(FirstError("net bind -1\n"), "t.sgp:1:10: '-1' is not a TCP port (0..65535)");
  EXPECT_EQ(FirstError("net bind 9..8\n"), "t.sgp:1:10: the port range 9..8 is empty");
  EXPECT_EQ(FirstError("net listen 80\n"),
            "t.sgp:1:5: expected bind or connect after net, found 'listen'");
  EXPECT_EQ(FirstError("scope files\n"),
            "t.sgp:1:7: expected a scope (signals, abstract-unix), found 'files'");
  EXPECT_EQ(FirstError("fs read /srv/a#1\n"),
            "t.sgp:1:9: '#' cannot be part of an unquoted path: quote the path (\"/srv/a#1\")");
  EXPECT_EQ(FirstError("fs read /usr/*/bin\n"),
            "t.sgp:1:9: fs paths are taken as written, without globs: '*' in /usr/*/bin");
  // A statement's first item is on its line; only a ',' carries it on to the next.
  EXPECT_EQ(FirstError("fs read\n/usr\n"),
            "t.sgp:1:8: expected an absolute path (/usr, \"/srv/my files\"), found end of line");
  EXPECT_EQ(FirstError("net bind\n80\n"),
            "t.sgp:1:9: expected a TCP port (80, 8000..8080) or none, found end of line");
  // A path is a token of its own only where a statement wants one.
  EXPECT_EQ(FirstError("allow /usr\n"),
            "t.sgp:1:7: expected a syscall name, @group or number, found path /usr");
}

TEST(AccessStatements, FmtKeepsPathsAndComments) {
  std::string src = "fs   read  /usr,   /etc   # system\nnet bind 80,\n  443\n";
  EXPECT_EQ(lang::FormatSource(src), "fs read /usr, /etc        # system\nnet bind 80,\n    443\n");
}

TEST(AccessStatements, TheBuilderSaysTheSame) {
  auto built = PolicyBuilder()
                   .Default(Action::Allow())
                   .Fs(fs_access::kRead | fs_access::kExecute, {"/usr", "/lib"})
                   .Net(net_access::kBindTcp, {80, 443})
                   .NetNone(net_access::kConnectTcp)
                   .Scope(scope::kSignal)
                   .LandlockBestEffort()
                   .Build();
  ASSERT_TRUE(built) << built.error().ToString();
  EXPECT_EQ(*built,
            MustParse("default allow\nfs best-effort\nfs read exec /usr, /lib\nnet bind 80, 443\n"
                      "net connect none\nscope signals\n"));
  auto contradiction =
      PolicyBuilder().Default(Action::Allow()).FsNone().Fs(fs_access::kRead, {"/"}).Build();
  ASSERT_FALSE(contradiction);
  EXPECT_THAT(contradiction.error().message, HasSubstr("contradicts"));
  auto relative = PolicyBuilder().Default(Action::Allow()).Fs(fs_access::kRead, {"usr"}).Build();
  ASSERT_FALSE(relative);
  EXPECT_THAT(relative.error().message, HasSubstr("fs paths are absolute"));
}

}  // namespace
}  // namespace sysgate
