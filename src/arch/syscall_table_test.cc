#include <sys/syscall.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <utility>

#include "arch/fixed_name.h"
#include "sysgate/arch.h"

namespace sysgate {
namespace {

TEST(SyscallTable, KnownNumbers) {
  EXPECT_EQ(SyscallNumber(Arch::kI386, "execve"), 11);
  EXPECT_EQ(SyscallNumber(Arch::kAarch64, "openat"), 56);
  EXPECT_EQ(SyscallNumber(Arch::kX86_64, "openat"), 257);
  EXPECT_EQ(SyscallNumber(Arch::kX32, "read"), 0x40000000);
  EXPECT_EQ(SyscallNumber(Arch::kMips, "read"), 4003);
  EXPECT_EQ(SyscallNumber(Arch::kMips64, "read"), 5000);
  EXPECT_EQ(SyscallNumber(Arch::kMips64n32el, "read"), 6000);
  EXPECT_EQ(SyscallNumber(Arch::kArm, "set_tls"), 0x0f0005);
  EXPECT_EQ(SyscallNumber(Arch::kAarch64, "open"), std::nullopt);  // no legacy open on arm64
  EXPECT_EQ(SyscallNumber(Arch::kX86_64, "no_such_call"), std::nullopt);
  EXPECT_EQ(SyscallName(Arch::kI386, 11), "execve");
  EXPECT_EQ(SyscallName(Arch::kX86_64, 11), "munmap");
  EXPECT_EQ(SyscallName(Arch::kX86_64, 100000), std::nullopt);
  EXPECT_EQ(SyscallName(Arch::kX86_64, -1), std::nullopt);
}

// The generated x86_64 table agrees with the numbers this machine's libc headers give.
TEST(SyscallTable, AgreesWithHostHeaders) {
  EXPECT_EQ(SyscallNumber(Arch::kX86_64, "read"), SYS_read);
  EXPECT_EQ(SyscallNumber(Arch::kX86_64, "execve"), SYS_execve);
  EXPECT_EQ(SyscallNumber(Arch::kX86_64, "clone3"), SYS_clone3);
  EXPECT_EQ(SyscallNumber(Arch::kX86_64, "io_uring_setup"), SYS_io_uring_setup);
  EXPECT_EQ(SyscallNumber(Arch::kX86_64, "landlock_restrict_self"), SYS_landlock_restrict_self);
  EXPECT_EQ(SyscallNumber(Arch::kX86_64, "process_mrelease"), SYS_process_mrelease);
}

TEST(SyscallTable, RoundTripsAndIsSorted) {
  for (Arch a : AllArches()) {
    std::vector<SyscallEntry> all = Syscalls(a);
    ASSERT_FALSE(all.empty()) << Info(a).name;
    for (size_t i = 0; i < all.size(); ++i) {
      if (i > 0) {
        EXPECT_LT(all[i - 1].nr, all[i].nr);
      }
      EXPECT_EQ(SyscallNumber(a, all[i].name), all[i].nr);
      EXPECT_EQ(SyscallName(a, all[i].nr), all[i].name);
      EXPECT_TRUE(IsSyscallName(all[i].name));
      // Every x32 number carries the x32 bit; no other arch's does.
      EXPECT_EQ((all[i].nr & 0x40000000) != 0, a == Arch::kX32) << all[i].name;
    }
    EXPECT_EQ(MinSyscallNumber(a), all.front().nr);
    EXPECT_EQ(MaxSyscallNumber(a), all.back().nr);
  }
}

// Every entry of the reference tables in ../shared/data is in the generated tables, and the
// generated tables have nothing more.
TEST(SyscallTable, MatchesReferenceData) {
  std::filesystem::path dir = std::filesystem::path(SYSGATE_SHARED_DATA) / "syscalls";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "no reference data at " << dir;
  const std::map<std::string, std::vector<Arch>> files = {
      {"x86_64", {Arch::kX86_64}},
      {"x32", {Arch::kX32}},
      {"i386", {Arch::kI386}},
      {"arm64", {Arch::kAarch64}},
      {"arm", {Arch::kArm}},
      {"riscv64", {Arch::kRiscv64}},
      {"riscv32", {Arch::kRiscv32}},
      {"powerpc64", {Arch::kPpc64, Arch::kPpc64le}},
      {"powerpc", {Arch::kPpc}},
      {"s390x", {Arch::kS390x}},
      {"s390", {Arch::kS390}},
      {"mips64", {Arch::kMips64, Arch::kMips64el}},
      {"mips64n32", {Arch::kMips64n32, Arch::kMips64n32el}},
      {"mipso32", {Arch::kMips, Arch::kMipsel}},
      {"loongarch64", {Arch::kLoongarch64}},
      {"parisc64", {Arch::kParisc64}},
      {"parisc", {Arch::kParisc}},
      {"sparc64", {Arch::kSparc64}},
      {"sparc", {Arch::kSparc}},
      {"m68k", {Arch::kM68k}}};
  size_t checked = 0;
  for (const auto& [file, arches] : files) {
    std::ifstream in(dir / ("syscalls-" + file));
    ASSERT_TRUE(in) << file;
    std::string line;
    size_t count = 0;
    while (std::getline(in, line)) {
      auto tab = line.find('\t');
      if (tab == std::string::npos) continue;
      std::string name = line.substr(0, tab);
      int32_t nr = std::stoi(line.substr(tab + 1));
      for (Arch a : arches) EXPECT_EQ(SyscallNumber(a, name), nr) << file << " " << name;
      ++count;
    }
    for (Arch a : arches) EXPECT_EQ(Syscalls(a).size(), count) << file;
    checked += count;
  }
  EXPECT_GT(checked, 5000u);
}

// FixedName orders like the string it holds, a name that fills the array (no terminator)
// included; the tables are binary-searched with it.
TEST(FixedName, ComparesAsItsText) {
  constexpr FixedName<4> full{{'r', 'e', 'a', 'd'}};
  constexpr FixedName<4> shorter{"rea"};
  constexpr FixedName<4> empty{""};
  static_assert(full == std::string_view("read"));
  static_assert(full.view() == "read");
  for (auto [name, text] :
       {std::pair{full, "read"}, std::pair{shorter, "rea"}, std::pair{empty, ""}}) {
    for (std::string_view other :
         {"", "r", "re", "rea", "reb", "read", "reada", "readv", "reac", "z", "a"}) {
      EXPECT_EQ(name <=> other, std::string_view(text) <=> other) << text << " vs " << other;
      EXPECT_EQ(name == other, std::string_view(text) == other) << text << " vs " << other;
    }
  }
  // Every table name finds itself, and a prefix or extension of one does not.
  for (const SyscallNameText& n : AllSyscallNames()) {
    EXPECT_TRUE(IsSyscallName(n.view())) << n.view();
    EXPECT_FALSE(IsSyscallName(std::string(n.view()) + "_")) << n.view();
  }
  EXPECT_TRUE(IsSyscallName("sched_rr_get_interval_time64"));
  EXPECT_FALSE(IsSyscallName("sched_rr_get_interval_time6"));
}

}  // namespace
}  // namespace sysgate
