// Architectures, syscall tables, syscall signatures and named constants.
//
//   using namespace sysgate;
//   Arch a = *ArchFromName("arm64");                    // aliases: aarch64, SCMP_ARCH_AARCH64
//   int32_t nr = *SyscallNumber(Arch::kAarch64, "openat");        // 56
//   std::string_view n = *SyscallName(Arch::kI386, 11);            // "execve"
//   const Signature* s = FindSignature("openat");   // dfd, filename, flags, mode
//   int64_t v = *FindConstant(Arch::kAarch64, "O_DIRECTORY");   // 040000 (x86_64: 0200000)
//
// The tables are generated from kernel sources (see tools/gen/) and cover 24 ABIs of 20 tables.
// Lookups are binary searches over sorted constant arrays.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace sysgate {

enum class Arch : uint8_t {
  kX86_64,
  kX32,
  kI386,
  kAarch64,
  kArm,
  kRiscv64,
  kRiscv32,
  kPpc64le,
  kPpc64,
  kPpc,
  kS390x,
  kS390,
  kMips64el,
  kMips64,
  kMips64n32el,
  kMips64n32,
  kMipsel,
  kMips,
  kLoongarch64,
  kParisc64,
  kParisc,
  kSparc64,
  kSparc,
  kM68k,
};
inline constexpr int kNumArches = 24;

enum class Endian : uint8_t { kLittle, kBig };

struct ArchInfo {
  Arch arch;
  std::string_view name;       // canonical sysgate name, e.g. "x86_64"
  std::string_view scmp_name;  // libseccomp/OCI name, e.g. "SCMP_ARCH_X86_64"
  uint32_t audit_arch;         // AUDIT_ARCH_* value seen in seccomp_data.arch
  int word_bits;               // width of long and pointers in user space
  int register_bits;           // width of the registers that carry syscall arguments (x32: 64)
  Endian endian;               // byte order of seccomp_data.args on this arch
  uint32_t syscall_bit;        // bit every syscall number carries (x32: 0x40000000)
  Arch kernel;                 // the 64-bit kernel arch this ABI runs on (itself if it is one)
  int table;                   // index of its syscall number table (internal)
};

const ArchInfo& Info(Arch arch);
std::span<const Arch> AllArches();

// Accepts sysgate names and the aliases of other tools: x86_64, amd64, x86-64,
// SCMP_ARCH_X86_64, aarch64, arm64, i386, x86, i686, ... Case-insensitive. Not "native".
std::optional<Arch> ArchFromName(std::string_view name);
// Every spelling ArchFromName accepts for `arch`, canonical first.
std::vector<std::string_view> ArchAliases(Arch arch);
// "unknown arch 'x86_65'; did you mean 'x86_64'?"
std::string UnknownArchMessage(std::string_view name);

// The ABI that produced a seccomp_data: by audit arch value, and for x86_64 by the x32 bit of
// a non-negative syscall number. Nothing for audit values sysgate does not know.
std::optional<Arch> ArchFromAudit(uint32_t audit_arch, int32_t nr);

// The arch sysgate was built for.
Arch HostArch();
// Other ABIs the kernel of `native` can run (x86_64: i386 and x32; aarch64: arm; ...).
std::vector<Arch> CompatArches(Arch native);
// What a policy targets when it names no arch: `host` and its compat ABIs, except x32.
std::vector<Arch> DefaultArches(Arch host = HostArch());

// ---- syscall tables ----

inline constexpr int32_t kNoSyscall = INT32_MIN;

std::optional<int32_t> SyscallNumber(Arch arch, std::string_view name);
std::optional<std::string_view> SyscallName(Arch arch, int32_t nr);
// True if some arch has a syscall of this name.
bool IsSyscallName(std::string_view name);
// "unknown syscall 'opne'; did you mean 'open'?"
std::string UnknownSyscallMessage(std::string_view name);

struct SyscallEntry {
  int32_t nr;
  std::string_view name;
};
// The syscalls of `arch`, by number.
std::vector<SyscallEntry> Syscalls(Arch arch);
// Smallest and largest syscall numbers of `arch`.
int32_t MinSyscallNumber(Arch arch);
int32_t MaxSyscallNumber(Arch arch);

// ---- signatures ----

// What an argument means, for reports and for choosing comparison widths.
enum class ArgKind : uint8_t {
  kInt,      // signed integer
  kUInt,     // unsigned integer
  kLong,     // signed long
  kULong,    // unsigned long
  kSize,     // size_t
  kPointer,  // user pointer to data
  kString,   // user pointer to a NUL-terminated string the kernel reads
  kStruct,   // user pointer to a struct
  kFlags,    // bit flags
  kFd,       // file descriptor
  kMode,     // file mode bits
  kPid,      // process id
};
std::string_view ArgKindName(ArgKind kind);

struct ArgInfo {
  std::string_view name;  // empty when the kernel declares none
  ArgKind kind;
  uint8_t bits;  // 32 or 64: the width the kernel uses
  bool is_signed;
  // The register that holds it (seccomp_data.args[slot]); past 5, one seccomp does not see.
  // A 64-bit value on an ABI with 32-bit registers takes two: `slot` holds its low half,
  // `hi_slot` its high half (-1 otherwise).
  int8_t slot;
  int8_t hi_slot;
};

struct Signature {
  std::string_view name;
  int nargs;
  std::array<ArgInfo, 6> args;
};

// The x86_64 prototype of `syscall` (for the syscalls other ABIs have alone, theirs).
const Signature* FindSignature(std::string_view syscall);
// The prototype of `syscall` on `arch`, nothing if the arch has no such syscall: the width of
// each argument there, the registers that hold it (clone's flags are the second on s390x; a
// 64-bit offset takes two registers on i386). See docs/architectures.md.
const Signature* FindSignature(Arch arch, std::string_view syscall);
// "openat(fd:s32 dfd, string filename, flags:u32 flags, mode:u32 mode)"
std::string FormatSignature(const Signature& sig);

// ---- named constants ----

// Constants have each ABI's own values, from that ABI's C headers (O_DIRECTORY is 0200000 on
// x86_64 and 040000 on aarch64; EAGAIN is 11, 35 on sparc). Nothing where `arch` has no such
// constant (ARCH_SET_FS on aarch64).
std::optional<int64_t> FindConstant(Arch arch, std::string_view name);
// The host arch's value.
std::optional<int64_t> FindConstant(std::string_view name);
// True if some arch has a constant of this name.
bool IsConstantName(std::string_view name);
// Every constant whose name starts with `prefix` (sorted by name), for decoding values.
std::vector<std::pair<std::string_view, int64_t>> ConstantsWithPrefix(std::string_view prefix,
                                                                      Arch arch = HostArch());
// Names of all constants of any arch, sorted (for suggestions).
std::vector<std::string_view> ConstantNames();

std::optional<int> ErrnoFromName(Arch arch, std::string_view name);  // (mips, "ENOSYS") -> 89
std::optional<std::string_view> ErrnoName(Arch arch, int value);
std::optional<int> SignalFromName(Arch arch, std::string_view name);
std::optional<std::string_view> SignalName(Arch arch, int value);
// The same on the host arch.
std::optional<int> ErrnoFromName(std::string_view name);   // "EPERM" -> 1
std::optional<std::string_view> ErrnoName(int value);      // 1 -> "EPERM"
std::optional<int> SignalFromName(std::string_view name);  // "SIGSYS" -> 31
std::optional<std::string_view> SignalName(int value);

// errno numbers in policies (errno(38), errno(ENOSYS)) are Linux's generic numbering, that of
// x86 and arm; mips, sparc and parisc number some errors differently. The number `arch` uses
// for the error that is `generic` there (ENOSYS: 38 -> 89 on mips); numbers without a name
// stay as they are.
uint32_t ErrnoOn(Arch arch, uint32_t generic);

}  // namespace sysgate
