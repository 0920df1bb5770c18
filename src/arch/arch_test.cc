#include <linux/audit.h>

#include <gtest/gtest.h>

#include <set>

#include "sysgate/arch.h"

namespace sysgate {
namespace {

// The audit values written in arch.cc equal the kernel header's, where the header has them.
TEST(Arch, AuditValuesMatchKernelHeader) {
  EXPECT_EQ(Info(Arch::kX86_64).audit_arch, AUDIT_ARCH_X86_64);
  EXPECT_EQ(Info(Arch::kX32).audit_arch, AUDIT_ARCH_X86_64);
  EXPECT_EQ(Info(Arch::kI386).audit_arch, AUDIT_ARCH_I386);
  EXPECT_EQ(Info(Arch::kAarch64).audit_arch, AUDIT_ARCH_AARCH64);
  EXPECT_EQ(Info(Arch::kArm).audit_arch, AUDIT_ARCH_ARM);
  EXPECT_EQ(Info(Arch::kRiscv64).audit_arch, AUDIT_ARCH_RISCV64);
  EXPECT_EQ(Info(Arch::kRiscv32).audit_arch, AUDIT_ARCH_RISCV32);
  EXPECT_EQ(Info(Arch::kPpc64le).audit_arch, AUDIT_ARCH_PPC64LE);
  EXPECT_EQ(Info(Arch::kPpc64).audit_arch, AUDIT_ARCH_PPC64);
  EXPECT_EQ(Info(Arch::kPpc).audit_arch, AUDIT_ARCH_PPC);
  EXPECT_EQ(Info(Arch::kS390x).audit_arch, AUDIT_ARCH_S390X);
  EXPECT_EQ(Info(Arch::kS390).audit_arch, AUDIT_ARCH_S390);
  EXPECT_EQ(Info(Arch::kMips64el).audit_arch, AUDIT_ARCH_MIPSEL64);
  EXPECT_EQ(Info(Arch::kMips64).audit_arch, AUDIT_ARCH_MIPS64);
  EXPECT_EQ(Info(Arch::kMips64n32el).audit_arch, AUDIT_ARCH_MIPSEL64N32);
  EXPECT_EQ(Info(Arch::kMips64n32).audit_arch, AUDIT_ARCH_MIPS64N32);
  EXPECT_EQ(Info(Arch::kMipsel).audit_arch, AUDIT_ARCH_MIPSEL);
  EXPECT_EQ(Info(Arch::kMips).audit_arch, AUDIT_ARCH_MIPS);
#ifdef AUDIT_ARCH_LOONGARCH64
  EXPECT_EQ(Info(Arch::kLoongarch64).audit_arch, AUDIT_ARCH_LOONGARCH64);
#endif
  EXPECT_EQ(Info(Arch::kParisc64).audit_arch, AUDIT_ARCH_PARISC64);
  EXPECT_EQ(Info(Arch::kParisc).audit_arch, AUDIT_ARCH_PARISC);
  EXPECT_EQ(Info(Arch::kSparc64).audit_arch, AUDIT_ARCH_SPARC64);
  EXPECT_EQ(Info(Arch::kSparc).audit_arch, AUDIT_ARCH_SPARC);
  EXPECT_EQ(Info(Arch::kM68k).audit_arch, AUDIT_ARCH_M68K);
}

TEST(Arch, AuditBitsAgreeWithWordSizeAndEndianness) {
  for (Arch a : AllArches()) {
    const ArchInfo& i = Info(a);
    EXPECT_EQ(i.arch, a);
    bool le = (i.audit_arch & 0x40000000) != 0;
    EXPECT_EQ(le, i.endian == Endian::kLittle) << i.name;
    bool is64 = (i.audit_arch & 0x80000000) != 0;
    // x32 and MIPS n32 run on a 64-bit kernel ABI with 32-bit user pointers.
    if (a == Arch::kX32 || a == Arch::kMips64n32 || a == Arch::kMips64n32el) {
      EXPECT_TRUE(is64) << i.name;
      EXPECT_EQ(i.word_bits, 32) << i.name;
    } else {
      EXPECT_EQ(is64, i.word_bits == 64) << i.name;
    }
  }
}

TEST(Arch, NamesAndAliasesResolve) {
  EXPECT_EQ(ArchFromName("x86_64"), Arch::kX86_64);
  EXPECT_EQ(ArchFromName("amd64"), Arch::kX86_64);
  EXPECT_EQ(ArchFromName("SCMP_ARCH_X86_64"), Arch::kX86_64);
  EXPECT_EQ(ArchFromName("scmp_arch_x86"), Arch::kI386);
  EXPECT_EQ(ArchFromName("arm64"), Arch::kAarch64);
  EXPECT_EQ(ArchFromName("SCMP_ARCH_MIPSEL64N32"), Arch::kMips64n32el);
  EXPECT_EQ(ArchFromName("loong64"), Arch::kLoongarch64);
  EXPECT_EQ(ArchFromName("vax"), std::nullopt);
  // Every alias maps back to its arch, and no spelling names two arches.
  std::set<std::string> seen;
  for (Arch a : AllArches()) {
    for (std::string_view n : ArchAliases(a)) {
      EXPECT_EQ(ArchFromName(n), a) << n;
      EXPECT_TRUE(seen.insert(std::string(n)).second) << n;
    }
  }
}

TEST(Arch, X32IsTheX86_64AuditValueWithBit30) {
  uint32_t x86_64 = Info(Arch::kX86_64).audit_arch;
  EXPECT_EQ(ArchFromAudit(x86_64, 59), Arch::kX86_64);
  EXPECT_EQ(ArchFromAudit(x86_64, 0x40000000 | 59), Arch::kX32);
  // -1 (a tracer's "skip") has bit 30 set but is not an x32 call.
  EXPECT_EQ(ArchFromAudit(x86_64, -1), Arch::kX86_64);
  EXPECT_EQ(ArchFromAudit(x86_64, INT32_MIN), Arch::kX86_64);
  EXPECT_EQ(ArchFromAudit(AUDIT_ARCH_I386, 11), Arch::kI386);
  EXPECT_EQ(ArchFromAudit(0x12345678, 0), std::nullopt);
}

TEST(Arch, CompatAndDefaults) {
  EXPECT_EQ(HostArch(), Arch::kX86_64);  // the development and CI machines
  std::vector<Arch> compat = CompatArches(Arch::kX86_64);
  EXPECT_EQ(compat, (std::vector<Arch>{Arch::kX32, Arch::kI386}));
  EXPECT_EQ(DefaultArches(Arch::kX86_64), (std::vector<Arch>{Arch::kX86_64, Arch::kI386}));
  EXPECT_EQ(DefaultArches(Arch::kAarch64), (std::vector<Arch>{Arch::kAarch64, Arch::kArm}));
  EXPECT_EQ(DefaultArches(Arch::kS390x), (std::vector<Arch>{Arch::kS390x, Arch::kS390}));
  EXPECT_EQ(DefaultArches(Arch::kMips64el),
            (std::vector<Arch>{Arch::kMips64el, Arch::kMips64n32el, Arch::kMipsel}));
  EXPECT_EQ(DefaultArches(Arch::kLoongarch64), (std::vector<Arch>{Arch::kLoongarch64}));
  EXPECT_TRUE(CompatArches(Arch::kI386).empty());
}

}  // namespace
}  // namespace sysgate
