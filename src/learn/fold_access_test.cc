#include "learn/fold_access.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include "sysgate/access_rules.h"
#include "sysgate/learn.h"
#include "sysgate/policy_text.h"

namespace sysgate::learn {
namespace {

namespace fa = fs_access;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

AccessRecording Fs(std::initializer_list<std::pair<const std::string, PathUse>> paths) {
  AccessRecording a;
  a.fs = true;
  a.paths = paths;
  return a;
}

// path -> rights, for comparing.
std::map<std::string, uint64_t> Rules(const FoldedAccess& f) {
  std::map<std::string, uint64_t> out;
  for (const FoldedPath& p : f.paths) out[p.path] = p.access;
  return out;
}

TEST(FoldAccess, SystemTreesAreReadAndExecutedWhole) {
  FoldedAccess f = FoldAccess(Fs({
      {"/usr/lib/x86_64-linux-gnu/libc.so.6", {fa::kReadFile, 3}},
      {"/usr/lib/locale/C.utf8/LC_CTYPE", {fa::kReadFile, 1}},
      {"/usr/bin/tar", {fa::kExecute | fa::kReadFile, 1}},
      {"/usr/share/zoneinfo", {fa::kReadDir, 1}},
  }));
  EXPECT_EQ(Rules(f), (std::map<std::string, uint64_t>{{"/usr", fa::kRead | fa::kExecute}}));
  ASSERT_EQ(f.paths.size(), 1u);
  EXPECT_EQ(f.paths[0].count, 6u);
  EXPECT_EQ(f.paths[0].paths, 4u);
}

TEST(FoldAccess, WritesInSystemTreesStayWhereTheyWere) {
  FoldedAccess f = FoldAccess(Fs({
      {"/usr/lib/libc.so.6", {fa::kReadFile, 1}},
      {"/usr/local/share/app/state", {fa::kWriteFile, 1}},
  }));
  EXPECT_EQ(Rules(f),
            (std::map<std::string, uint64_t>{{"/usr", fa::kReadFile},
                                             {"/usr/local/share/app/state", fa::kWriteFile}}));
}

TEST(FoldAccess, ADirectoryWithSeveralFilesIsGrantedAsOne) {
  FoldedAccess f = FoldAccess(Fs({
      {"/srv/www/a.html", {fa::kReadFile, 1}},
      {"/srv/www/b.html", {fa::kReadFile, 1}},
      {"/srv/www/c.css", {fa::kReadFile, 1}},
      {"/srv/www/img", {fa::kReadDir, 1}},
      {"/etc/ld.so.cache", {fa::kReadFile, 2}},
      {"/etc/nsswitch.conf", {fa::kReadFile, 1}},
  }));
  // /srv/www has four entries; /etc has two and is never folded into anyway.
  EXPECT_EQ(Rules(f), (std::map<std::string, uint64_t>{{"/etc/ld.so.cache", fa::kReadFile},
                                                       {"/etc/nsswitch.conf", fa::kReadFile},
                                                       {"/srv/www", fa::kRead}}));
}

TEST(FoldAccess, WrittenFilesAreNotFolded) {
  FoldedAccess f = FoldAccess(Fs({
      {"/srv/www/a", {fa::kReadFile, 1}},
      {"/srv/www/b", {fa::kReadFile, 1}},
      {"/srv/www/c", {fa::kReadFile, 1}},
      {"/srv/www/log", {fa::kWriteFile, 1}},
  }));
  EXPECT_EQ(f.paths.size(), 4u);  // three read and one written: no reason to make all writable
}

TEST(FoldAccess, ThreeFilesStayThree) {
  FoldedAccess f = FoldAccess(Fs({
      {"/srv/www/a", {fa::kReadFile, 1}},
      {"/srv/www/b", {fa::kReadFile, 1}},
      {"/srv/www/c", {fa::kReadFile, 1}},
  }));
  EXPECT_EQ(f.paths.size(), kFoldAt - 1);
}

TEST(FoldAccess, NeverFoldsIntoTheRootTopLevelOrHomeDirectories) {
  AccessRecording a = Fs({});
  for (std::string dir : {"/etc", "/home/alice", "/tmp", "/var"}) {
    for (int i = 0; i < 6; ++i) a.paths[dir + "/f" + std::to_string(i)] = {fa::kReadFile, 1};
  }
  for (int i = 0; i < 6; ++i) a.paths["/d" + std::to_string(i)] = {fa::kReadFile, 1};
  FoldedAccess f = FoldAccess(a);
  EXPECT_EQ(f.paths.size(), 30u);
  for (const FoldedPath& p : f.paths) EXPECT_THAT(p.path, Not(HasSubstr("/f0/"))) << p.path;
}

TEST(FoldAccess, FoldsCascadeUpwards) {
  AccessRecording a = Fs({});
  for (std::string sub : {"a", "b", "c", "d"}) {
    for (int i = 0; i < 4; ++i)
      a.paths["/home/alice/src/" + sub + "/f" + std::to_string(i)] = {fa::kReadFile, 1};
  }
  EXPECT_EQ(Rules(FoldAccess(a)),
            (std::map<std::string, uint64_t>{{"/home/alice/src", fa::kReadFile}}));
}

TEST(FoldAccess, WhatTheProgramMadeIsGrantedWhereItMadeIt) {
  FoldedAccess f = FoldAccess(Fs({
      {"/tmp", {fa::kMakeDir, 1}},
      {"/tmp/tmp.x1", {0, 0, /*created=*/true}},
      {"/tmp/tmp.x1/out", {fa::kWriteFile | fa::kReadFile, 4, /*created=*/true}},
      {"/tmp/tmp.x1/sub", {fa::kMakeReg, 1, /*created=*/true}},
      {"/work/old.lock", {fa::kReadFile, 1, false, /*removed=*/true}},
      {"/work", {fa::kRemoveFile, 1}},
  }));
  EXPECT_EQ(Rules(f), (std::map<std::string, uint64_t>{
                          {"/tmp", fa::kMakeDir | fa::kMakeReg | fa::kWriteFile | fa::kReadFile},
                          {"/work", fa::kRemoveFile | fa::kReadFile}}));
}

TEST(FoldAccess, SiblingDirectoriesFoldIntoTheirParent) {
  AccessRecording a = Fs({});
  for (int d = 0; d < 50; ++d) {
    for (int f = 0; f < 3; ++f)
      a.paths[fmt::format("/srv/data/d{}/f{}", d, f)] = {fa::kReadFile, 1};
  }
  EXPECT_EQ(Rules(FoldAccess(a)), (std::map<std::string, uint64_t>{{"/srv/data", fa::kReadFile}}));
}

TEST(FoldAccess, WhatIsBeneathWhatTheProgramMadeGoesAboveIt) {
  // Even where the recorder did not mark the file itself as made.
  FoldedAccess f = FoldAccess(Fs({
      {"/srv/w/build", {0, 0, /*created=*/true}},
      {"/srv/w/build/obj/x.o", {fa::kWriteFile, 2}},
      {"/srv/w", {fa::kMakeDir, 1}},
  }));
  EXPECT_EQ(Rules(f), (std::map<std::string, uint64_t>{{"/srv/w", fa::kMakeDir | fa::kWriteFile}}));
  EXPECT_FALSE(f.paths[0].shared);
  FoldedAccess tmp = FoldAccess(Fs({{"/tmp/x", {fa::kWriteFile, 1, /*created=*/true}}}));
  ASSERT_EQ(tmp.paths.size(), 1u);
  EXPECT_TRUE(tmp.paths[0].shared);  // said in the learned file's comment
}

TEST(FoldAccess, AMovedFileGainsNoRights) {
  // tmp/f renamed into out/: the kernel refuses it (EXDEV) if out grants what tmp does not.
  AccessRecording a = Fs({
      {"/w/tmp", {fa::kWriteFile | fa::kMakeReg | fa::kRemoveFile | fa::kRefer, 3}},
      {"/w/tmp/f", {fa::kWriteFile, 1, false, /*removed=*/true}},
      {"/w/out", {fa::kMakeReg | fa::kRefer, 1}},
      {"/w/out/f", {fa::kReadFile, 1, /*created=*/true}},
  });
  a.moves.insert({"/w/tmp", "/w/out", false});
  std::map<std::string, uint64_t> rules = Rules(FoldAccess(a));
  EXPECT_EQ(rules["/w/out"], fa::kMakeReg | fa::kRefer | fa::kReadFile);
  EXPECT_EQ(rules["/w/tmp"] & fa::kReadFile,
            fa::kReadFile);  // what out grants a file, tmp does too
}

TEST(FoldAccess, NamesNoRuleCanHoldGoToTheirDirectory) {
  FoldedAccess f = FoldAccess(Fs({{"/srv/a\nb/c", {fa::kReadFile, 1}}}));
  EXPECT_EQ(Rules(f), (std::map<std::string, uint64_t>{{"/srv", fa::kReadFile}}));
}

TEST(FoldAccess, PerProcessFilesAndTerminalsAreOneRuleEach) {
  FoldedAccess f = FoldAccess(Fs({
      {"/proc", {fa::kRead, 5}},
      {"/dev/pts/3", {fa::kIoctlDev | fa::kReadFile, 2}},
      {"/dev/null", {fa::kWriteFile, 1}},
  }));
  EXPECT_EQ(Rules(f), (std::map<std::string, uint64_t>{{"/dev/null", fa::kWriteFile},
                                                       {"/dev/pts", fa::kIoctlDev | fa::kReadFile},
                                                       {"/proc", fa::kRead}}));
}

TEST(FoldAccess, RightsGrantedAboveAreNotRepeated) {
  FoldedAccess f = FoldAccess(Fs({
      {"/srv/data", {fa::kRead, 1}},
      {"/srv/data/x/y", {fa::kReadFile | fa::kWriteFile, 2}},
      {"/srv/data/z", {fa::kReadFile, 3}},
  }));
  EXPECT_EQ(Rules(f), (std::map<std::string, uint64_t>{{"/srv/data", fa::kRead},
                                                       {"/srv/data/x/y", fa::kWriteFile}}));
  uint64_t total = 0;
  for (const FoldedPath& p : f.paths) total += p.count;
  EXPECT_EQ(total, 6u);  // the covered file's calls counted on the rule above it
}

TEST(FoldAccess, PortsKeepTheirCounts) {
  AccessRecording a;
  a.handled_net = net_access::kAll;
  a.bind[8080] = 1;
  a.connect[443] = 3;
  a.connect[80] = 1;
  FoldedAccess f = FoldAccess(a);
  ASSERT_EQ(f.bind.size(), 1u);
  EXPECT_EQ(f.bind[0].port, 8080);
  ASSERT_EQ(f.connect.size(), 2u);
  EXPECT_EQ(f.connect[0].port, 80);
  EXPECT_EQ(f.connect[1].count, 3u);
}

// The learned text: each rule with its calls, parsed back to rules that grant what was seen,
// and read back by --merge with the same counts.
TEST(SynthesizeAccess, WritesCommentedRulesThatReadBack) {
  Recording rec;
  rec.calls[{Arch::kX86_64, "openat"}] = {9, true, {}};
  rec.total = 9;
  rec.access = Fs({
      {"/usr/lib/libc.so.6", {fa::kReadFile, 5}},
      {"/srv/my data/file", {fa::kReadFile | fa::kWriteFile, 4}},
  });
  rec.access.handled_net = net_access::kAll;
  rec.access.connect[443] = 2;
  rec.access.connect[444] = 1;
  auto l = Synthesize(rec, {});
  ASSERT_TRUE(l) << l.error().ToString();
  EXPECT_THAT(l->text, HasSubstr("fs read-file /usr"));
  EXPECT_THAT(l->text, HasSubstr("# 5\n"));
  EXPECT_THAT(l->text, HasSubstr("\"/srv/my data/file\""));
  EXPECT_THAT(l->text, HasSubstr("net bind none\n"));
  EXPECT_THAT(l->text, HasSubstr("net connect 443..444"));
  EXPECT_EQ(GrantedOn(l->policy.access, "/srv/my data/file").access,
            fa::kReadFile | fa::kWriteFile);
  EXPECT_EQ(l->policy.access.handled_net, net_access::kAll);

  ParsedPolicy back = ParsePolicyText(l->text, "learned.sgp");
  ASSERT_TRUE(back.ok());
  auto again = RecordingFromPolicy(*back.policy, {{"learned.sgp", l->text}});
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->access.paths["/usr"].count, 5u);
  EXPECT_EQ(again->access.paths["/srv/my data/file"].count, 4u);
  EXPECT_EQ(again->access.connect[443], 3u);  // the range's calls, on its first port
  EXPECT_EQ(again->access.handled_net, net_access::kAll);
  auto relearned = Synthesize(*again, {});
  ASSERT_TRUE(relearned) << relearned.error().ToString();
  EXPECT_EQ(relearned->policy.access, l->policy.access);
}

// --merge keeps how many paths a folded rule covers ("; N paths").
TEST(SynthesizeAccess, MergeKeepsThePathsARuleCovers) {
  Recording rec;
  rec.calls[{Arch::kX86_64, "openat"}] = {7, true, {}};
  rec.total = 7;
  rec.access =
      Fs({{"/usr/lib/libc.so.6", {fa::kReadFile, 5}}, {"/usr/bin/ls", {fa::kReadFile, 2}}});
  auto l = Synthesize(rec, {});
  ASSERT_TRUE(l) << l.error().ToString();
  ASSERT_THAT(l->text, MatchesRegex("(.|\n)*fs read-file /usr +# 7; 2 paths\n(.|\n)*"));
  ParsedPolicy back = ParsePolicyText(l->text, "learned.sgp");
  ASSERT_TRUE(back.ok());
  auto again = RecordingFromPolicy(*back.policy, {{"learned.sgp", l->text}});
  ASSERT_TRUE(again) << again.error().ToString();
  EXPECT_EQ(again->access.paths["/usr"].paths, 2u);
  // And with a new run's path beneath it: three.
  again->access.Merge(Fs({{"/usr/share/x", {fa::kReadFile, 1}}}));
  auto relearned = Synthesize(*again, {});
  ASSERT_TRUE(relearned) << relearned.error().ToString();
  EXPECT_THAT(relearned->text, MatchesRegex("(.|\n)*fs read-file /usr +# 8; 3 paths\n(.|\n)*"));
}

TEST(SynthesizeAccess, NoFileOpenedMeansFsNone) {
  Recording rec;
  rec.calls[{Arch::kX86_64, "write"}] = {1, true, {}};
  rec.access.fs = true;
  auto l = Synthesize(rec, {});
  ASSERT_TRUE(l) << l.error().ToString();
  EXPECT_THAT(l->text, HasSubstr("fs none"));
  EXPECT_NE(l->policy.access.handled_fs, 0u);
  EXPECT_TRUE(l->policy.access.paths.empty());
}

TEST(SynthesizeAccess, WithoutFsOrNetThereIsNoSection) {
  Recording rec;
  rec.calls[{Arch::kX86_64, "write"}] = {1, true, {}};
  auto l = Synthesize(rec, {});
  ASSERT_TRUE(l) << l.error().ToString();
  EXPECT_THAT(l->text, Not(HasSubstr("Landlock")));
  EXPECT_TRUE(l->policy.access.empty());
}

}  // namespace
}  // namespace sysgate::learn
