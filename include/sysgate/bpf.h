// Classic BPF programs as seccomp runs them.
//
//   bpf::Program p = *Compile(policy);                 // see compiler.h
//   std::string bytes = bpf::EncodeRaw(p);             // what bwrap --seccomp / crun consume
//   Result<bpf::Program> back = bpf::DecodeRaw(bytes); // size checked, 8 bytes an instruction
//   std::string c = bpf::EncodeC(p, "filter");         // a C array of struct sock_filter
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sysgate/result.h"

namespace sysgate::bpf {

// Layout-compatible with struct sock_filter.
struct Insn {
  uint16_t code = 0;
  uint8_t jt = 0;
  uint8_t jf = 0;
  uint32_t k = 0;
  friend bool operator==(const Insn&, const Insn&) = default;
};
static_assert(sizeof(Insn) == 8);

using Program = std::vector<Insn>;

inline constexpr size_t kMaxInsns = 4096;  // BPF_MAXINSNS
inline constexpr uint32_t kMemWords = 16;  // BPF_MEMWORDS

// Opcode fields (linux/bpf_common.h).
namespace op {
inline constexpr uint16_t kLd = 0x00, kLdx = 0x01, kSt = 0x02, kStx = 0x03, kAlu = 0x04,
                          kJmp = 0x05, kRet = 0x06, kMisc = 0x07;
inline constexpr uint16_t kW = 0x00, kH = 0x08, kB = 0x10;
inline constexpr uint16_t kImm = 0x00, kAbs = 0x20, kInd = 0x40, kMem = 0x60, kLen = 0x80,
                          kMsh = 0xa0;
inline constexpr uint16_t kAdd = 0x00, kSub = 0x10, kMul = 0x20, kDiv = 0x30, kOr = 0x40,
                          kAnd = 0x50, kLsh = 0x60, kRsh = 0x70, kNeg = 0x80, kMod = 0x90,
                          kXor = 0xa0;
inline constexpr uint16_t kJa = 0x00, kJeq = 0x10, kJgt = 0x20, kJge = 0x30, kJset = 0x40;
inline constexpr uint16_t kK = 0x00, kX = 0x08, kA = 0x10;
inline constexpr uint16_t kTax = 0x00, kTxa = 0x80;

constexpr uint16_t Class(uint16_t code) { return code & 0x07; }
constexpr uint16_t Size(uint16_t code) { return code & 0x18; }
constexpr uint16_t Mode(uint16_t code) { return code & 0xe0; }
constexpr uint16_t Op(uint16_t code) { return code & 0xf0; }
constexpr uint16_t Src(uint16_t code) { return code & 0x08; }
constexpr uint16_t RetSrc(uint16_t code) { return code & 0x18; }
constexpr uint16_t MiscOp(uint16_t code) { return code & 0xf8; }
constexpr bool IsCondJump(uint16_t code) { return Class(code) == kJmp && Op(code) != kJa; }
}  // namespace op

// seccomp return values (linux/seccomp.h).
namespace ret {
inline constexpr uint32_t kKillProcess = 0x80000000U;
inline constexpr uint32_t kKillThread = 0x00000000U;
inline constexpr uint32_t kTrap = 0x00030000U;
inline constexpr uint32_t kErrno = 0x00050000U;
inline constexpr uint32_t kUserNotif = 0x7fc00000U;
inline constexpr uint32_t kTrace = 0x7ff00000U;
inline constexpr uint32_t kLog = 0x7ffc0000U;
inline constexpr uint32_t kAllow = 0x7fff0000U;
inline constexpr uint32_t kActionFull = 0xffff0000U;
inline constexpr uint32_t kData = 0x0000ffffU;
}  // namespace ret

// Offsets in struct seccomp_data.
namespace data {
inline constexpr uint32_t kNr = 0, kArch = 4, kIp = 8, kArgs = 16, kSize = 64;
}

Insn Stmt(uint16_t code, uint32_t k);
Insn Jump(uint16_t code, uint32_t k, uint8_t jt, uint8_t jf);

// Raw little-endian array of struct sock_filter, 8 bytes an instruction.
std::string EncodeRaw(const Program& p);
// Fails unless the size is a non-zero multiple of 8 and at most 4096 instructions.
Result<Program> DecodeRaw(std::string_view bytes);
// `static const struct sock_filter NAME[] = { BPF_STMT(...), BPF_JUMP(...) };` with a length.
std::string EncodeC(const Program& p, std::string_view name = "filter");
// One instruction per line: "0x20 0x00 0x00 0x00000004".
std::string EncodeHex(const Program& p);
Result<Program> DecodeHex(std::string_view text);

}  // namespace sysgate::bpf

// ---- actions <-> return values ----
#include "sysgate/interpreter.h"
#include "sysgate/policy.h"

namespace sysgate::bpf {

// The seccomp return value of an action: ALLOW, ERRNO|errno, TRAP|data, ...
uint32_t RetOf(const Action& a);
// The same on one ABI: errno numbers are Linux's generic ones in policies, that ABI's in the
// filter (errno(ENOSYS) returns 89 on mips; see ErrnoOn).
uint32_t RetOf(const Action& a, Arch abi);
// ... on the ABI that made the call `d` (the generic numbers for ABIs sysgate does not know).
uint32_t RetOf(const Action& a, const SeccompData& d);
// The action a return value means to the kernel. Unknown actions mean kill-process, as the
// kernel treats them; errno values above 4095 are capped to 4095 like the kernel does.
Action ActionOfRet(uint32_t ret);
// The same for a return value made on `abi`, its errno numbered as policies write them
// (generic: mips's ENOSYS, 89, is errno(ENOSYS), 38); the inverse of RetOf(action, abi).
Action ActionOfRet(uint32_t ret, Arch abi);
// "ALLOW", "ERRNO(1)", "KILL_PROCESS", "TRAP(3)", ... as disassemblers print them.
std::string RetName(uint32_t ret);

}  // namespace sysgate::bpf
