// The architecture table. Audit values are AUDIT_ARCH_* of <linux/audit.h> (EM_* machine number
// | 64BIT 0x80000000 | LE 0x40000000 | MIPS N32 convention 0x20000000); arch_test.cc checks them
// against the installed header.
#include <algorithm>
#include <array>

#include "base/strings.h"
#include "sysgate/arch.h"

namespace sysgate {
namespace {

constexpr Endian kLE = Endian::kLittle;
constexpr Endian kBE = Endian::kBig;

// Table indices follow tools/gen/gen_syscall_tables.py TABLES.
constexpr std::array<ArchInfo, kNumArches> kArchInfos = {{
    {Arch::kX86_64, "x86_64", "SCMP_ARCH_X86_64", 0xC000003E, 64, 64, kLE, 0, Arch::kX86_64, 0},
    {Arch::kX32, "x32", "SCMP_ARCH_X32", 0xC000003E, 32, 64, kLE, 0x40000000, Arch::kX86_64, 1},
    {Arch::kI386, "i386", "SCMP_ARCH_X86", 0x40000003, 32, 32, kLE, 0, Arch::kX86_64, 2},
    {Arch::kAarch64, "aarch64", "SCMP_ARCH_AARCH64", 0xC00000B7, 64, 64, kLE, 0, Arch::kAarch64, 3},
    {Arch::kArm, "arm", "SCMP_ARCH_ARM", 0x40000028, 32, 32, kLE, 0, Arch::kAarch64, 4},
    {Arch::kRiscv64, "riscv64", "SCMP_ARCH_RISCV64", 0xC00000F3, 64, 64, kLE, 0, Arch::kRiscv64, 5},
    {Arch::kRiscv32, "riscv32", "SCMP_ARCH_RISCV32", 0x400000F3, 32, 32, kLE, 0, Arch::kRiscv64, 6},
    {Arch::kPpc64le, "ppc64le", "SCMP_ARCH_PPC64LE", 0xC0000015, 64, 64, kLE, 0, Arch::kPpc64le, 7},
    {Arch::kPpc64, "ppc64", "SCMP_ARCH_PPC64", 0x80000015, 64, 64, kBE, 0, Arch::kPpc64, 7},
    {Arch::kPpc, "ppc", "SCMP_ARCH_PPC", 0x00000014, 32, 32, kBE, 0, Arch::kPpc64, 8},
    {Arch::kS390x, "s390x", "SCMP_ARCH_S390X", 0x80000016, 64, 64, kBE, 0, Arch::kS390x, 9},
    {Arch::kS390, "s390", "SCMP_ARCH_S390", 0x00000016, 32, 32, kBE, 0, Arch::kS390x, 10},
    {Arch::kMips64el, "mips64el", "SCMP_ARCH_MIPSEL64", 0xC0000008, 64, 64, kLE, 0, Arch::kMips64el,
     11},
    {Arch::kMips64, "mips64", "SCMP_ARCH_MIPS64", 0x80000008, 64, 64, kBE, 0, Arch::kMips64, 11},
    {Arch::kMips64n32el, "mips64n32el", "SCMP_ARCH_MIPSEL64N32", 0xE0000008, 32, 64, kLE, 0,
     Arch::kMips64el, 12},
    {Arch::kMips64n32, "mips64n32", "SCMP_ARCH_MIPS64N32", 0xA0000008, 32, 64, kBE, 0,
     Arch::kMips64, 12},
    {Arch::kMipsel, "mipsel", "SCMP_ARCH_MIPSEL", 0x40000008, 32, 32, kLE, 0, Arch::kMips64el, 13},
    {Arch::kMips, "mips", "SCMP_ARCH_MIPS", 0x00000008, 32, 32, kBE, 0, Arch::kMips64, 13},
    {Arch::kLoongarch64, "loongarch64", "SCMP_ARCH_LOONGARCH64", 0xC0000102, 64, 64, kLE, 0,
     Arch::kLoongarch64, 14},
    {Arch::kParisc64, "parisc64", "SCMP_ARCH_PARISC64", 0x8000000F, 64, 64, kBE, 0, Arch::kParisc64,
     15},
    {Arch::kParisc, "parisc", "SCMP_ARCH_PARISC", 0x0000000F, 32, 32, kBE, 0, Arch::kParisc64, 16},
    {Arch::kSparc64, "sparc64", "SCMP_ARCH_SPARC64", 0x8000002B, 64, 64, kBE, 0, Arch::kSparc64,
     17},
    {Arch::kSparc, "sparc", "SCMP_ARCH_SPARC", 0x00000002, 32, 32, kBE, 0, Arch::kSparc64, 18},
    {Arch::kM68k, "m68k", "SCMP_ARCH_M68K", 0x00000004, 32, 32, kBE, 0, Arch::kM68k, 19},
}};

struct Alias {
  std::string_view alias;
  Arch arch;
};
// Spellings of other tools: Debian/GOARCH names (Docker archMap uses amd64, arm64, 386, ...),
// kernel/uname names, and libseccomp's without the SCMP_ARCH_ prefix.
constexpr Alias kAliases[] = {
    {"amd64", Arch::kX86_64},
    {"x86-64", Arch::kX86_64},
    {"x64", Arch::kX86_64},
    {"x86", Arch::kI386},
    {"386", Arch::kI386},
    {"i686", Arch::kI386},
    {"i586", Arch::kI386},
    {"ia32", Arch::kI386},
    {"arm64", Arch::kAarch64},
    {"armhf", Arch::kArm},
    {"armel", Arch::kArm},
    {"arm32", Arch::kArm},
    {"powerpc64le", Arch::kPpc64le},
    {"powerpc64", Arch::kPpc64},
    {"powerpc", Arch::kPpc},
    {"mipsel64", Arch::kMips64el},
    {"mips64le", Arch::kMips64el},
    {"mipsel64n32", Arch::kMips64n32el},
    {"mipsn32el", Arch::kMips64n32el},
    {"mipsn32", Arch::kMips64n32},
    {"mipsle", Arch::kMipsel},
    {"loong64", Arch::kLoongarch64},
    {"hppa64", Arch::kParisc64},
    {"hppa", Arch::kParisc},
};

}  // namespace

const ArchInfo& Info(Arch arch) { return kArchInfos[static_cast<size_t>(arch)]; }

std::span<const Arch> AllArches() {
  static constexpr auto kAll = [] {
    std::array<Arch, kNumArches> all{};
    for (int i = 0; i < kNumArches; ++i) all[i] = static_cast<Arch>(i);
    return all;
  }();
  return kAll;
}

std::optional<Arch> ArchFromName(std::string_view name) {
  std::string lower = base::ToLower(name);
  std::string_view n = lower;
  if (n.starts_with("scmp_arch_")) {
    for (const ArchInfo& info : kArchInfos) {
      if (base::ToLower(info.scmp_name) == n) return info.arch;
    }
    n.remove_prefix(10);
  }
  for (const ArchInfo& info : kArchInfos) {
    if (info.name == n) return info.arch;
  }
  for (const Alias& a : kAliases) {
    if (a.alias == n) return a.arch;
  }
  return std::nullopt;
}

std::vector<std::string_view> ArchAliases(Arch arch) {
  std::vector<std::string_view> out{Info(arch).name, Info(arch).scmp_name};
  for (const Alias& a : kAliases) {
    if (a.arch == arch) out.push_back(a.alias);
  }
  return out;
}

std::string UnknownArchMessage(std::string_view name) {
  std::vector<std::string_view> names;
  for (Arch a : AllArches()) {
    for (std::string_view n : ArchAliases(a)) names.push_back(n);
  }
  std::string msg = "unknown arch '" + std::string(name) + "'";
  if (auto m = base::ClosestMatch(name, names)) msg += "; did you mean '" + *m + "'?";
  return msg;
}

std::optional<Arch> ArchFromAudit(uint32_t audit_arch, int32_t nr) {
  if (audit_arch == Info(Arch::kX86_64).audit_arch) {
    // x32 numbers carry bit 30; negative numbers (-1: a tracer skipped the call) are not x32.
    return (nr >= 0 && (nr & 0x40000000) != 0) ? Arch::kX32 : Arch::kX86_64;
  }
  for (const ArchInfo& info : kArchInfos) {
    if (info.audit_arch == audit_arch) return info.arch;
  }
  return std::nullopt;
}

Arch HostArch() {
#if defined(__x86_64__) && defined(__ILP32__)
  return Arch::kX32;
#elif defined(__x86_64__)
  return Arch::kX86_64;
#elif defined(__i386__)
  return Arch::kI386;
#elif defined(__aarch64__)
  return Arch::kAarch64;
#elif defined(__arm__)
  return Arch::kArm;
#elif defined(__riscv) && __riscv_xlen == 64
  return Arch::kRiscv64;
#elif defined(__riscv)
  return Arch::kRiscv32;
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return Arch::kPpc64le;
#elif defined(__powerpc64__)
  return Arch::kPpc64;
#elif defined(__powerpc__)
  return Arch::kPpc;
#elif defined(__s390x__)
  return Arch::kS390x;
#elif defined(__s390__)
  return Arch::kS390;
#elif defined(__mips__) && _MIPS_SIM == _ABI64
  return __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? Arch::kMips64el : Arch::kMips64;
#elif defined(__mips__) && _MIPS_SIM == _ABIN32
  return __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? Arch::kMips64n32el : Arch::kMips64n32;
#elif defined(__mips__)
  return __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? Arch::kMipsel : Arch::kMips;
#elif defined(__loongarch64)
  return Arch::kLoongarch64;
#elif defined(__hppa__) && defined(__LP64__)
  return Arch::kParisc64;
#elif defined(__hppa__)
  return Arch::kParisc;
#elif defined(__sparc__) && defined(__arch64__)
  return Arch::kSparc64;
#elif defined(__sparc__)
  return Arch::kSparc;
#elif defined(__m68k__)
  return Arch::kM68k;
#else
#error "sysgate does not know this architecture"
#endif
}

std::vector<Arch> CompatArches(Arch native) {
  std::vector<Arch> out;
  if (Info(native).kernel != native) return out;  // a compat ABI has no compat ABIs of its own
  for (const ArchInfo& info : kArchInfos) {
    if (info.kernel == native && info.arch != native) out.push_back(info.arch);
  }
  return out;
}

std::vector<Arch> DefaultArches(Arch host) {
  std::vector<Arch> out{host};
  for (Arch a : CompatArches(host)) {
    if (a != Arch::kX32) out.push_back(a);
  }
  return out;
}

}  // namespace sysgate
