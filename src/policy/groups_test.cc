#include "policy/groups.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "sysgate/arch.h"

namespace sysgate::policy {
namespace {

TEST(Groups, SystemdAndSysgateGroups) {
  const SyscallGroup* fs = FindGroup("@file-system");
  ASSERT_NE(fs, nullptr);
  EXPECT_EQ(fs->origin, GroupOrigin::kSystemd);
  EXPECT_TRUE(std::ranges::binary_search(fs->members, std::string_view("openat")));
  const SyscallGroup* uring = FindGroup("@io-uring");
  ASSERT_NE(uring, nullptr);
  EXPECT_EQ(uring->origin, GroupOrigin::kSysgate);
  EXPECT_EQ(uring->members.size(), 3u);
  EXPECT_EQ(FindGroup("@nonsense"), nullptr);
}

TEST(Groups, NestedGroupsAreExpanded) {
  // @system-service includes @basic-io, which includes read.
  const SyscallGroup* svc = FindGroup("@system-service");
  ASSERT_NE(svc, nullptr);
  EXPECT_TRUE(std::ranges::binary_search(svc->members, std::string_view("read")));
  const SyscallGroup* priv = FindGroup("@privileged");
  EXPECT_TRUE(
      std::ranges::binary_search(priv->members, std::string_view("init_module")));  // via @module
}

TEST(Groups, MembersAreKnownNamesAndKnownIsEverything) {
  for (const SyscallGroup& g : AllGroups()) {
    EXPECT_TRUE(std::ranges::is_sorted(g.members)) << g.name;
    for (std::string_view m : g.members) EXPECT_TRUE(IsSyscallName(m)) << g.name << " " << m;
  }
  EXPECT_EQ(FindGroup("@known")->members.size(), AllSyscallNames().size());
}

// Every member that systemd 252 lists for a group (and that our tables know) is in our group.
TEST(Groups, ContainSystemdListing) {
  std::filesystem::path file =
      std::filesystem::path(SYSGATE_SHARED_DATA) / "profiles/systemd-groups.txt";
  if (!std::filesystem::exists(file)) GTEST_SKIP() << "no reference data at " << file;
  std::ifstream in(file);
  std::string line, group;
  int checked = 0;
  while (std::getline(in, line)) {
    if (line.starts_with("# ---- Upstream")) break;
    if (line.starts_with("@")) {
      group = line.substr(0, line.find('\t'));
    } else if (line.starts_with("  ") && line[2] != '#' && line[2] != '@' && group != "@known") {
      std::string m = line.substr(2);
      if (!IsSyscallName(m)) continue;
      if (group == "@mount" && m == "open_tree") continue;  // moved to @file-system upstream
      const SyscallGroup* g = FindGroup(group);
      ASSERT_NE(g, nullptr) << group;
      EXPECT_TRUE(std::ranges::binary_search(g->members, std::string_view(m))) << group << " " << m;
      ++checked;
    }
  }
  EXPECT_GT(checked, 400);
}

}  // namespace
}  // namespace sysgate::policy
