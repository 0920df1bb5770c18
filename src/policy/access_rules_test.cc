#include "sysgate/access_rules.h"

#include <fcntl.h>

#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "policy/validate.h"

namespace sysgate {
namespace {

TEST(AccessRules, EveryNameReadsBackFromItsText) {
  for (std::string_view name : FsAccessNames()) {
    auto bits = FsAccessFromName(name);
    ASSERT_TRUE(bits) << name;
    // The text is words FsAccessFromName knows, which add up to the same rights.
    uint64_t back = 0;
    std::string text = FsAccessText(*bits);
    size_t i = 0;
    while (i < text.size()) {
      size_t e = text.find(' ', i);
      if (e == std::string::npos) e = text.size();
      auto w = FsAccessFromName(text.substr(i, e - i));
      ASSERT_TRUE(w) << text;
      back |= *w;
      i = e + 1;
    }
    EXPECT_EQ(back, *bits) << name << " -> " << text;
  }
  EXPECT_FALSE(FsAccessFromName("raed"));
}

TEST(AccessRules, TextPrefersShorthands) {
  using namespace fs_access;
  EXPECT_EQ(FsAccessText(kRead | kExecute), "read exec");
  EXPECT_EQ(FsAccessText(kAll), "all");
  EXPECT_EQ(FsAccessText(kWrite), "write");
  EXPECT_EQ(FsAccessText(kRead | kMakeDir), "read make-dir");
  EXPECT_EQ(FsAccessText(kReadFile | kTruncate), "read-file truncate");
  EXPECT_EQ(ScopeText(scope::kAll), "abstract-unix, signals");
}

TEST(AccessRules, AbiOffersWhatItIntroduced) {
  using namespace fs_access;
  EXPECT_EQ(FsAccessOfAbi(0), 0u);
  EXPECT_EQ(FsAccessOfAbi(1), (1ULL << 13) - 1);
  EXPECT_EQ(FsAccessOfAbi(2), FsAccessOfAbi(1) | kRefer);
  EXPECT_EQ(FsAccessOfAbi(3), FsAccessOfAbi(2) | kTruncate);
  EXPECT_EQ(FsAccessOfAbi(4), FsAccessOfAbi(3));
  EXPECT_EQ(FsAccessOfAbi(5), kAll);
  EXPECT_EQ(NetAccessOfAbi(3), 0u);
  EXPECT_EQ(NetAccessOfAbi(4), net_access::kAll);
  EXPECT_EQ(ScopesOfAbi(5), 0u);
  EXPECT_EQ(ScopesOfAbi(7), scope::kAll);
}

TEST(AccessRules, BeneathComparesWholeComponents) {
  EXPECT_TRUE(PathIsBeneath("/usr/bin/ls", "/usr"));
  EXPECT_TRUE(PathIsBeneath("/usr", "/usr"));
  EXPECT_TRUE(PathIsBeneath("/usr//bin", "/usr/"));
  EXPECT_TRUE(PathIsBeneath("/anything", "/"));
  EXPECT_FALSE(PathIsBeneath("/usrx/bin", "/usr"));
  EXPECT_FALSE(PathIsBeneath("/usr", "/usr/bin"));
  EXPECT_FALSE(PathIsBeneath("/etc/shadow", "/etc/nginx"));
}

TEST(AccessRules, GrantsAddUpFromEveryDirectoryAbove) {
  AccessRules a;
  a.handled_fs = fs_access::kAll;
  a.paths = {{fs_access::kRead, "/usr", {}},
             {fs_access::kExecute, "/usr/bin", {}},
             {fs_access::kWrite, "/var/log", {}}};
  PathGrant g = GrantedOn(a, "/usr/bin/ls");
  EXPECT_EQ(g.access, fs_access::kRead | fs_access::kExecute);
  ASSERT_EQ(g.rules.size(), 2u);
  EXPECT_EQ(g.rules[0]->path, "/usr");
  EXPECT_EQ(GrantedOn(a, "/etc/shadow").access, 0u);
  EXPECT_TRUE(GrantedOn(a, "/etc/shadow").rules.empty());
}

// As the kernel sees them: a rule on a symlink covers where it leads, and a path through a
// symlink is what it leads to.
TEST(AccessRules, GrantedOnResolvedFollowsSymlinks) {
  char tmpl[] = "/tmp/sysgate-grant-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl;
  std::filesystem::create_directory(dir + "/real");
  std::filesystem::create_directory_symlink(dir + "/real", dir + "/link");
  std::ofstream(dir + "/real/f") << "f";  // realpath resolves what exists
  AccessRules a;
  a.handled_fs = fs_access::kAll;
  a.paths = {{fs_access::kWrite, dir + "/real", {}}, {fs_access::kRead, dir + "/link", {}}};
  PathGrant g = GrantedOnResolved(a, dir + "/real/f");  // the rule on the link too
  EXPECT_EQ(g.access, fs_access::kWrite | fs_access::kRead);
  ASSERT_EQ(g.rules.size(), 2u);
  EXPECT_EQ(g.rules[0], &a.paths[0]);
  g = GrantedOnResolved(a, dir + "/link/f");  // where it leads: both, in policy order
  EXPECT_EQ(g.access, fs_access::kWrite | fs_access::kRead);
  ASSERT_EQ(g.rules.size(), 2u);
  EXPECT_EQ(g.rules[0], &a.paths[0]);
  // A file not made yet is where its directory leads.
  EXPECT_EQ(GrantedOnResolved(a, dir + "/link/new").access, fs_access::kWrite | fs_access::kRead);
  // A path that exists counts where it leads, not as written: a rule on a directory does not
  // grant a link in it that leads out.
  std::filesystem::create_directory(dir + "/app");
  std::ofstream(dir + "/secret") << "s";
  std::filesystem::create_symlink(dir + "/secret", dir + "/app/config");
  AccessRules app;
  app.handled_fs = fs_access::kAll;
  app.paths = {{fs_access::kRead, dir + "/app", {}}};
  EXPECT_EQ(GrantedOn(app, dir + "/app/config").access, fs_access::kRead);  // as written
  EXPECT_EQ(GrantedOnResolved(app, dir + "/app/config").access, 0u);
  EXPECT_TRUE(GrantedOnResolved(app, dir + "/app/config").rules.empty());
  EXPECT_EQ(GrantedOn(a, dir + "/link/f").access, fs_access::kRead);  // as written only
  const std::vector<std::string> real = RealRulePaths(a);
  EXPECT_EQ(real, (std::vector<std::string>{dir + "/real", dir + "/real"}));
  EXPECT_EQ(GrantedOnResolved(a, dir + "/real/f", real).access, g.access);
  EXPECT_EQ(GrantedOnResolved(a, dir + "/other", real).access, 0u);
  std::filesystem::remove_all(dir);
}

// The reasons are sysgate run's (--report-access, --audit), word for word.
TEST(AccessRules, DenialsSayWhichRightOrPortNoRuleGrants) {
  AccessRules a;
  a.handled_fs = fs_access::kAll;
  a.handled_net = net_access::kAll;
  a.paths = {{fs_access::kRead, "/srv/www", {}}};
  a.ports = {{net_access::kBindTcp, 8000, 8010, {}}};
  auto d = FsDenial(a, "/etc/passwd", fs_access::kReadFile);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->rules, "fs rules");
  EXPECT_EQ(d->reason, "no rule grants read-file on /etc/passwd");
  EXPECT_EQ(d->ToString(), "by the fs rules: no rule grants read-file on /etc/passwd");
  EXPECT_FALSE(FsDenial(a, "/srv/www/index.html", fs_access::kReadFile));
  d = FsDenial(a, "/srv/www/x", fs_access::kWriteFile | fs_access::kReadFile);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->reason, "no rule grants write-file on /srv/www/x");  // only what is missing
  // What the kernel does not enforce is no denial.
  EXPECT_FALSE(FsDenial(a, "/etc/passwd", fs_access::kReadFile, fs_access::kWriteFile));
  // A path the program chose is quoted when it is not plain: it cannot add a report line.
  d = FsDenial(a, "/etc/a\nsysgate: forged", fs_access::kReadFile);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->reason, "no rule grants read-file on \"/etc/a\\nsysgate: forged\"");
  EXPECT_FALSE(NetDenial(a, net_access::kBindTcp, 8005));
  d = NetDenial(a, net_access::kBindTcp, 8080);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ToString(), "by the net rules: no rule lets it bind TCP port 8080");
  EXPECT_EQ(NetDenial(a, net_access::kConnectTcp, 8005)->reason,
            "no rule lets it connect TCP port 8005");
  EXPECT_FALSE(NetDenial(a, net_access::kConnectTcp, 443, net_access::kBindTcp));
  a.handled_net = net_access::kBindTcp;  // connect not handled: anything goes
  EXPECT_FALSE(NetDenial(a, net_access::kConnectTcp, 443));
}

TEST(AccessRules, OpenFileAccessIsWhatLandlockChecksAtOpen) {
  EXPECT_EQ(OpenFileAccess(O_RDONLY), fs_access::kReadFile);
  EXPECT_EQ(OpenFileAccess(O_WRONLY | O_CREAT | O_TRUNC),
            fs_access::kWriteFile | fs_access::kTruncate);
  EXPECT_EQ(OpenFileAccess(O_RDWR | O_CLOEXEC), fs_access::kReadFile | fs_access::kWriteFile);
  EXPECT_EQ(OpenFileAccess(O_PATH), 0u);
}

std::vector<std::string> Errors(const AccessRules& a) {
  std::vector<std::string> out;
  for (const Diagnostic& d : policy::ValidateAccessRules(a)) {
    out.push_back(std::string(SeverityName(d.severity)) + ": " + d.message);
  }
  return out;
}

TEST(AccessRules, ValidationRefusesPathsThatCannotMeanWhatTheySay) {
  AccessRules a;
  a.handled_fs = fs_access::kAll;
  for (std::string p :
       std::vector<std::string>{"usr", "/usr/../etc", "/usr/lib/**", "/a/./b", "/a\nb"}) {
    a.paths = {{fs_access::kRead, p, {}}};
    auto e = Errors(a);
    ASSERT_EQ(e.size(), 1u) << p;
    EXPECT_TRUE(e[0].starts_with("error: ")) << e[0];
  }
  a.paths = {{fs_access::kRead, "/usr/lib/**", {}}};
  EXPECT_NE(Errors(a)[0].find("write '/usr/lib' without '/**'"), std::string::npos) << Errors(a)[0];
  a.paths = {{fs_access::kRead, "/usr", {}}, {fs_access::kRead, "/usr", {}}};
  ASSERT_EQ(Errors(a).size(), 1u);
  EXPECT_TRUE(Errors(a)[0].starts_with("warning: /usr already has this fs rule"));
  a.paths = {{fs_access::kRead, "/usr", {}}};
  EXPECT_TRUE(Errors(a).empty());
  a.handled_fs = fs_access::kExecute;  // a builder that grants what it does not handle
  EXPECT_EQ(Errors(a).size(), 1u);
  a = {};
  a.handled_net = net_access::kBindTcp;
  a.ports = {{net_access::kBindTcp, 90, 80, {}}};
  EXPECT_EQ(Errors(a).size(), 1u);
  a.ports = {{net_access::kConnectTcp, 80, 80, {}}};
  EXPECT_EQ(Errors(a).size(), 1u);
}

}  // namespace
}  // namespace sysgate
