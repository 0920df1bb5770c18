#include "supervise/decode.h"

#include <algorithm>
#include <iterator>

#include <fmt/format.h>

#include "base/strings.h"
#include "supervise/flag_names.h"
#include "supervise/target_memory.h"

namespace sysgate::supervise {
namespace {

constexpr size_t kMaxString = 96;
constexpr size_t kMaxArgv = 8;

std::string Quote(const std::string& s, bool truncated) {
  return base::CQuote(s) + (truncated ? "..." : "");
}

// A user or group id argument (chown's, setresuid's, ...).
bool IsId(std::string_view name) {
  static constexpr std::string_view kIds[] = {"user", "group", "uid",  "gid",  "ruid", "euid",
                                              "suid", "rgid",  "egid", "sgid", "owner"};
  return std::ranges::find(kIds, name) != std::end(kIds);
}

std::string Hex(uint64_t v) { return v == 0 ? "NULL" : fmt::format("{:#x}", v); }

std::string StringArg(NotifyFd& fd, const Notification& n, uint64_t addr) {
  bool truncated = false;
  auto s = ReadString(fd, n, addr, kMaxString, &truncated);
  return s ? Quote(*s, truncated) : Hex(addr);
}

std::string ArgvArg(NotifyFd& fd, const Notification& n, uint64_t addr, size_t word) {
  auto ptrs = ReadWords(fd, n, addr, kMaxArgv + 1, word);
  if (!ptrs) return Hex(addr);
  std::vector<std::string> items;
  bool more = true;
  for (uint64_t p : *ptrs) {
    if (p == 0) {
      more = false;
      break;
    }
    if (items.size() == kMaxArgv) break;
    items.push_back(StringArg(fd, n, p));
  }
  return fmt::format("[{}{}]", fmt::join(items, ", "), more ? ", ..." : "");
}

}  // namespace

std::string FormatCall(NotifyFd& fd, const Notification& n) {
  auto abi = ArchFromAudit(n.data.arch, n.data.nr);
  auto name = abi ? SyscallName(*abi, n.data.nr) : std::nullopt;
  if (!name)
    return fmt::format("syscall_{}({:#x}, {:#x}, {:#x}, ...)", n.data.nr, n.data.args[0],
                       n.data.args[1], n.data.args[2]);
  const Signature* sig = FindSignature(*name);
  if (!sig)
    return fmt::format("{}({:#x}, {:#x}, {:#x}, ...)", *name, n.data.args[0], n.data.args[1],
                       n.data.args[2]);
  const size_t word = Info(*abi).word_bits == 64 ? 8 : 4;
  std::vector<std::string> args;
  for (int i = 0; i < sig->nargs; ++i) {
    const ArgInfo& a = sig->args[static_cast<size_t>(i)];
    uint64_t v = n.data.args[static_cast<size_t>(i)];
    if (a.bits == 32) v &= 0xffffffffULL;
    bool is_argv =
        (*name == "execve" && (i == 1 || i == 2)) || (*name == "execveat" && (i == 2 || i == 3));
    if (is_argv && i == (*name == "execve" ? 1 : 2)) {
      args.push_back(ArgvArg(fd, n, v, word));
      continue;
    }
    if (auto named = NameValue(*name, a.name, v)) {
      args.push_back(*named);
      continue;
    }
    if (a.name == "optname" && (*name == "setsockopt" || *name == "getsockopt")) {
      if (auto option = SocketOptionName(n.data.args[1] & 0xffffffff, v, *name == "getsockopt")) {
        args.push_back(*option);
        continue;
      }
    }
    switch (a.kind) {
      case ArgKind::kString: args.push_back(StringArg(fd, n, v)); break;
      case ArgKind::kFd:
      case ArgKind::kInt:
      case ArgKind::kPid:
        if (a.kind == ArgKind::kFd && static_cast<int32_t>(v) == -100) {
          args.push_back("AT_FDCWD");
        } else if (a.kind ==
                   ArgKind::kFd) {  // an int, whatever width the prototype gives it (mmap's -1)
          args.push_back(fmt::format("{}", static_cast<int32_t>(v)));
        } else {
          args.push_back(fmt::format("{}", a.bits == 32
                                               ? static_cast<int64_t>(static_cast<int32_t>(v))
                                               : static_cast<int64_t>(v)));
        }
        break;
      case ArgKind::kUInt:
      case ArgKind::kSize:
      case ArgKind::kLong:
      case ArgKind::kULong:
        if (a.kind == ArgKind::kUInt && a.bits == 32 && v == 0xffffffff && IsId(a.name)) {
          args.push_back("-1");  // (uid_t)-1: "leave it as it is" to chown and setresuid
        } else if (*name == "ioctl" && i == 2 && v >= 0x10000) {
          args.push_back(Hex(v));  // most requests take a pointer: an address, as strace shows it
        } else if (a.is_signed) {
          args.push_back(fmt::format("{}", static_cast<int64_t>(v)));
        } else {
          args.push_back(fmt::format("{}", v));
        }
        break;
      case ArgKind::kMode:
        args.push_back(fmt::format("{:#03o}", v));
        break;  // 000, 022, 0755, as strace
      case ArgKind::kFlags:
        args.push_back(v == 0 ? "0" : fmt::format("{:#x}", v));
        break;                                 // no flags: 0, not NULL
      default: args.push_back(Hex(v)); break;  // pointers, structs
    }
  }
  return fmt::format("{}({})", *name, fmt::join(args, ", "));
}

}  // namespace sysgate::supervise
