#include "supervise/flag_names.h"

#include <algorithm>
#include <array>
#include <bit>
#include <map>
#include <span>
#include <vector>

#include <fmt/format.h>

#include "sysgate/arch.h"

namespace sysgate::supervise {
namespace {

enum class How { kBits, kEnum, kOpenFlags, kCloneFlags, kSocketType, kMode, kAtFlags };

struct Entry {
  std::string_view syscall;  // "*" for any
  std::string_view arg;
  How how;
  std::string_view prefix;  // of the constants
};

constexpr std::array<Entry, 39> kEntries = {{
    {"open", "flags", How::kOpenFlags, "O_"},
    {"openat", "flags", How::kOpenFlags, "O_"},
    {"mmap", "prot", How::kBits, "PROT_"},
    {"mprotect", "prot", How::kBits, "PROT_"},
    {"pkey_mprotect", "prot", How::kBits, "PROT_"},
    {"mmap", "flags", How::kBits, "MAP_"},
    {"clone", "clone_flags", How::kCloneFlags, "CLONE_"},
    {"unshare", "unshare_flags", How::kBits, "CLONE_"},
    {"setns", "flags", How::kBits, "CLONE_"},
    {"socket", "family", How::kEnum, "AF_"},
    {"socketpair", "family", How::kEnum, "AF_"},
    {"socket", "type", How::kSocketType, "SOCK_"},
    {"socketpair", "type", How::kSocketType, "SOCK_"},
    {"prctl", "option", How::kEnum, "PR_"},
    {"fcntl", "cmd", How::kEnum, "F_"},
    {"ioctl", "cmd", How::kEnum, "TIOC"},
    {"mount", "flags", How::kBits, "MS_"},
    {"kill", "sig", How::kEnum, "SIG"},
    {"arch_prctl", "option", How::kEnum, "ARCH_"},
    {"sendmsg", "flags", How::kBits, "MSG_"},
    {"sendto", "flags", How::kBits, "MSG_"},
    {"recvfrom", "flags", How::kBits, "MSG_"},
    {"ptrace", "request", How::kEnum, "PTRACE_"},
    {"madvise", "behavior", How::kEnum, "MADV_"},
    {"process_madvise", "behavior", How::kEnum, "MADV_"},
    {"setsockopt", "level", How::kEnum, "SOL_"},
    {"getsockopt", "level", How::kEnum, "SOL_"},
    {"umask", "mask", How::kMode, ""},
    {"fchownat", "flag", How::kAtFlags, "AT_"},
    {"fchmodat2", "flags", How::kAtFlags, "AT_"},
    {"newfstatat", "flag", How::kAtFlags, "AT_"},
    {"fstatat64", "flag", How::kAtFlags, "AT_"},
    {"linkat", "flags", How::kAtFlags, "AT_"},
    {"unlinkat", "flag", How::kAtFlags, "AT_"},
    {"utimensat", "flags", How::kAtFlags, "AT_"},
    {"execveat", "flags", How::kAtFlags, "AT_"},
    {"statx", "flags", How::kAtFlags, "AT_"},
    {"name_to_handle_at", "flag", How::kAtFlags, "AT_"},
    {"faccessat2", "flags", How::kAtFlags, "AT_"},
}};

// The *at calls' flags. AT_ also names the auxiliary vector's entries (AT_SYSINFO_EHDR), and
// 0x200 is AT_REMOVEDIR to unlinkat but AT_EACCESS to faccessat2.
std::string AtFlags(std::string_view syscall, uint64_t v) {
  std::vector<std::string_view> names = {
      "AT_SYMLINK_NOFOLLOW", "AT_SYMLINK_FOLLOW",   "AT_NO_AUTOMOUNT",   "AT_EMPTY_PATH",
      "AT_RECURSIVE",        "AT_STATX_FORCE_SYNC", "AT_STATX_DONT_SYNC"};
  if (syscall == "unlinkat") names.push_back("AT_REMOVEDIR");
  if (syscall == "faccessat2") names.push_back("AT_EACCESS");
  if (v == 0) return "0";
  std::vector<std::string> parts;
  for (std::string_view n : names) {
    auto c = FindConstant(n);
    if (c && *c > 0 && (v & static_cast<uint64_t>(*c)) == static_cast<uint64_t>(*c)) {
      parts.emplace_back(n);
      v &= ~static_cast<uint64_t>(*c);
    }
  }
  if (v != 0) parts.push_back(fmt::format("{:#x}", v));
  return fmt::format("{}", fmt::join(parts, "|"));
}

// Constants that share a family's prefix but are values of some other argument: lockf and
// lock-type values and seals beside fcntl's commands, the sub-commands and flags of prctl
// options beside the options. Without this, F_SETFD would be named F_SEAL_SHRINK.
constexpr std::string_view kNotFcntlCommands[] = {"F_SEAL_", "F_OK",    "F_LOCK",  "F_ULOCK",
                                                  "F_TLOCK", "F_TEST",  "F_RDLCK", "F_WRLCK",
                                                  "F_UNLCK", "F_EXLCK", "F_SHLCK"};
constexpr std::string_view kNotPrctlOptions[] = {"PR_CAP_AMBIENT_",
                                                 "PR_ENDIAN_",
                                                 "PR_FPEMU_",
                                                 "PR_FP_EXC_",
                                                 "PR_FP_MODE_",
                                                 "PR_MCE_KILL_CLEAR",
                                                 "PR_MCE_KILL_DEFAULT",
                                                 "PR_MCE_KILL_EARLY",
                                                 "PR_MCE_KILL_LATE",
                                                 "PR_MCE_KILL_SET",
                                                 "PR_MTE_",
                                                 "PR_PAC_AP",
                                                 "PR_SCHED_CORE_",
                                                 "PR_SET_MM_",
                                                 "PR_SET_PTRACER_ANY",
                                                 "PR_SET_VMA_ANON_NAME",
                                                 "PR_SME_VL_",
                                                 "PR_SME_SET_VL_ONEXEC",
                                                 "PR_SPEC_",
                                                 "PR_SVE_VL_",
                                                 "PR_SVE_SET_VL_ONEXEC",
                                                 "PR_SYS_DISPATCH_",
                                                 "PR_TAGGED_ADDR_ENABLE",
                                                 "PR_TIMING_",
                                                 "PR_TSC_",
                                                 "PR_UNALIGN_"};

// Beside TCP's socket options: connection states' and repair modes' values, cookie and MD5
// sizes and flags. Beside the SO_ options: the names of the 32-bit time layouts and getsockopt's
// alias of SO_ATTACH_FILTER (SocketOptionName names it for getsockopt), mips's SO_STYLE (an
// alias of SO_TYPE).
constexpr std::string_view kNotTcpOptions[] = {
    "TCP_COOKIE_IN", "TCP_COOKIE_OUT",   "TCP_COOKIE_M",    "TCP_COOKIE_PAIR",
    "TCP_MAXWIN",    "TCP_MAX_WINSHIFT", "TCP_MD5SIG_FLAG", "TCP_MD5SIG_MAXKEYLEN",
    "TCP_MSS",       "TCP_REPAIR_OFF",   "TCP_REPAIR_ON",   "TCP_S_DATA",
    "TCP_CM_INQ"};
constexpr std::string_view kNotSocketOptions[] = {"SO_GET_FILTER", "SO_DETACH_BPF", "SO_STYLE",
                                                  "SO_ORIGINAL_DST"};
// Beside IP's and IPv6's options: the values of IP_MTU_DISCOVER and of routing headers, defaults
// and limits, and the longer aliases strace does not use (IP_RETOPTS, IPV6_HOPOPTS, ...).
constexpr std::string_view kNotIpOptions[] = {"IP_PMTUDISC_", "IP_DEFAULT_MULTICAST_",
                                              "IP_MAX_MEMBERSHIPS", "IP_RECVRETOPTS",
                                              "IP_RECVORIGDSTADDR"};
constexpr std::string_view kNotIpv6Options[] = {
    "IPV6_PMTUDISC_", "IPV6_RTHDR_LOOSE", "IPV6_RTHDR_STRICT",   "IPV6_RTHDR_TYPE_",
    "IPV6_RXHOPOPTS", "IPV6_RXDSTOPTS",   "IPV6_RECVORIGDSTADDR"};

bool OutsideFamily(std::string_view prefix, std::string_view name) {
  auto listed = [&](std::span<const std::string_view> list) {
    return std::ranges::any_of(list, [&](std::string_view p) { return name.starts_with(p); });
  };
  if (prefix == "F_") return listed(kNotFcntlCommands);
  if (prefix == "PR_") return listed(kNotPrctlOptions);
  if (prefix == "TCP_") return listed(kNotTcpOptions);
  if (prefix == "SO_") return listed(kNotSocketOptions) || name.ends_with("_OLD");
  if (prefix == "IP_") return listed(kNotIpOptions);
  if (prefix == "IPV6_") return listed(kNotIpv6Options);
  if (prefix == "MCAST_") return name == "MCAST_INCLUDE" || name == "MCAST_EXCLUDE";  // modes
  return false;
}

// One name per value: the longest (MAP_ANONYMOUS over MAP_ANON, O_NONBLOCK over O_NDELAY).
std::vector<std::pair<std::string_view, uint64_t>> Names(std::string_view prefix,
                                                         bool single_bits) {
  std::map<uint64_t, std::string_view> best;
  for (auto [name, value] : ConstantsWithPrefix(prefix)) {
    uint64_t v = static_cast<uint64_t>(value);
    if (single_bits && !std::has_single_bit(v)) continue;
    if (prefix == "SIG" && (name.starts_with("SIG_") || v > 64)) continue;
    if (OutsideFamily(prefix, name)) continue;
    auto it = best.find(v);
    if (it == best.end() || name.size() > it->second.size() ||
        (name.size() == it->second.size() && name < it->second)) {
      best[v] = name;
    }
  }
  std::vector<std::pair<std::string_view, uint64_t>> out;
  for (auto [v, n] : best) out.emplace_back(n, v);
  return out;
}

std::string Bits(std::string_view prefix, uint64_t v, std::vector<std::string> parts = {}) {
  for (auto [name, bit] : Names(prefix, true)) {
    if (v & bit) {
      parts.emplace_back(name);
      v &= ~bit;
    }
  }
  if (v != 0 || parts.empty()) parts.push_back(fmt::format("{:#x}", v));
  return fmt::format("{}", fmt::join(parts, "|"));
}

std::optional<std::string_view> EnumName(std::string_view prefix, uint64_t v) {
  for (auto [name, value] : Names(prefix, false)) {
    if (value == v) return name;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> SocketOptionName(uint64_t level, uint64_t optname, bool get) {
  for (auto [level_name, prefix] :
       {std::pair{"SOL_SOCKET", "SO_"}, std::pair{"IPPROTO_TCP", "TCP_"},
        std::pair{"IPPROTO_IP", "IP_"}, std::pair{"IPPROTO_IPV6", "IPV6_"}}) {
    auto l = FindConstant(level_name);
    if (!l || static_cast<uint64_t>(*l) != level) continue;
    // The one option whose name differs by direction: getsockopt reads the attached filter.
    if (get && level_name == std::string_view("SOL_SOCKET") &&
        FindConstant("SO_GET_FILTER") == static_cast<int64_t>(optname)) {
      return std::string("SO_GET_FILTER");
    }
    if (auto n = EnumName(prefix, optname)) return std::string(*n);
    // IP's and IPv6's other families: multicast groups, and iptables', whose numbers mean one
    // thing to setsockopt and another to getsockopt (64: IPT_SO_SET_REPLACE, IPT_SO_GET_INFO).
    const std::string_view ip = level_name;
    if (ip == "IPPROTO_IP" || ip == "IPPROTO_IPV6") {
      const bool v6 = ip == "IPPROTO_IPV6";
      if (auto n = EnumName("MCAST_", optname)) return std::string(*n);
      if (auto n = EnumName(
              v6 ? (get ? "IP6T_SO_GET_" : "IP6T_SO_SET_") : (get ? "IPT_SO_GET_" : "IPT_SO_SET_"),
              optname))
        return std::string(*n);
      const char* dst = v6 ? "IP6T_SO_ORIGINAL_DST" : "SO_ORIGINAL_DST";  // netfilter's NAT
      if (get && FindConstant(dst) == static_cast<int64_t>(optname)) return std::string(dst);
    }
    return std::nullopt;
  }
  return std::nullopt;
}

std::optional<std::string> NameValue(std::string_view syscall, std::string_view arg, uint64_t v) {
  auto it = std::ranges::find_if(kEntries, [&](const Entry& e) {
    return (e.syscall == syscall || e.syscall == "*") && e.arg == arg;
  });
  if (it == kEntries.end()) return std::nullopt;
  switch (it->how) {
    case How::kBits: return Bits(it->prefix, v);
    case How::kEnum: {
      if (auto n = EnumName(it->prefix, v)) return std::string(*n);
      if (it->prefix == "TIOC") {  // other ioctls: the terminal TC* and the file FI* (FICLONE)
        for (std::string_view family : {"TC", "FI"}) {
          if (auto n = EnumName(family, v)) return std::string(*n);
        }
      }
      if (it->prefix == "SOL_") {  // a protocol's own options: IPPROTO_TCP, ...
        if (auto n = EnumName("IPPROTO_", v)) return std::string(*n);
      }
      return std::nullopt;
    }
    case How::kMode: return fmt::format("{:#03o}", v);  // 000, 022, 0777, as strace writes them
    case How::kAtFlags: return AtFlags(syscall, v);
    case How::kOpenFlags: {  // the access mode is a 2-bit field, not bits
      static constexpr std::array<std::string_view, 4> kModes = {"O_RDONLY", "O_WRONLY", "O_RDWR",
                                                                 "0x3"};
      uint64_t rest = v & ~uint64_t{3};
      if (rest == 0) return std::string(kModes[v & 3]);
      return Bits("O_", rest, {std::string(kModes[v & 3])});
    }
    case How::kCloneFlags: {  // the low byte is the exit signal
      uint64_t sig = v & 0xff;
      std::string flags = (v & ~uint64_t{0xff}) ? Bits("CLONE_", v & ~uint64_t{0xff}) : "";
      auto s = sig ? EnumName("SIG", sig) : std::nullopt;
      std::string sig_text = sig ? (s ? std::string(*s) : std::to_string(sig)) : "";
      if (flags.empty()) return sig_text.empty() ? std::string("0") : sig_text;
      return sig_text.empty() ? flags : flags + "|" + sig_text;
    }
    case How::kSocketType: {  // a type in the low bits, SOCK_CLOEXEC and SOCK_NONBLOCK above
      // Named here: the SOCK_ prefix also covers socket options (SOCK_TXREHASH_*).
      static constexpr std::array<std::string_view, 7> kTypes = {
          "SOCK_STREAM",    "SOCK_DGRAM", "SOCK_RAW",   "SOCK_RDM",
          "SOCK_SEQPACKET", "SOCK_DCCP",  "SOCK_PACKET"};
      std::vector<std::string> parts;
      for (std::string_view t : kTypes) {
        if (auto c = FindConstant(t); c && static_cast<uint64_t>(*c) == (v & 0xf))
          parts.emplace_back(t);
      }
      if (parts.empty()) parts.push_back(std::to_string(v & 0xf));
      uint64_t rest = v & ~uint64_t{0xf};
      for (std::string_view f : {"SOCK_CLOEXEC", "SOCK_NONBLOCK"}) {
        auto c = FindConstant(f);
        if (c && (rest & static_cast<uint64_t>(*c))) {
          parts.emplace_back(f);
          rest &= ~static_cast<uint64_t>(*c);
        }
      }
      if (rest) parts.push_back(fmt::format("{:#x}", rest));
      return fmt::format("{}", fmt::join(parts, "|"));
    }
  }
  return std::nullopt;
}

}  // namespace sysgate::supervise
