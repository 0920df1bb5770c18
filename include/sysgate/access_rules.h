// Paths, ports and scopes: what a policy's `fs`, `net` and `scope` statements say, enforced by
// Landlock beside the syscall filter (docs/landlock.md). The filter decides which calls run;
// these decide which files and TCP ports those calls may reach.
//
//   fs read exec /usr          ->  PathRule{kRead | kExecute, "/usr"}
//   fs write /var/log/nginx    ->  PathRule{kWrite, "/var/log/nginx"}
//   net bind 80, 443           ->  PortRule{kBindTcp, 80, 80}, PortRule{kBindTcp, 443, 443}
//   net connect none           ->  handled_net |= kConnectTcp, no rule
//   scope signals              ->  scoped |= kScopeSignal
//
// Anything a section handles and no rule grants is denied. A policy without these statements
// has empty() rules and runs without Landlock.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sysgate/result.h"

namespace sysgate {

// Landlock's filesystem access rights (the kernel's LANDLOCK_ACCESS_FS_* bits).
namespace fs_access {
inline constexpr uint64_t kExecute = 1ULL << 0;
inline constexpr uint64_t kWriteFile = 1ULL << 1;
inline constexpr uint64_t kReadFile = 1ULL << 2;
inline constexpr uint64_t kReadDir = 1ULL << 3;
inline constexpr uint64_t kRemoveDir = 1ULL << 4;
inline constexpr uint64_t kRemoveFile = 1ULL << 5;
inline constexpr uint64_t kMakeChar = 1ULL << 6;
inline constexpr uint64_t kMakeDir = 1ULL << 7;
inline constexpr uint64_t kMakeReg = 1ULL << 8;
inline constexpr uint64_t kMakeSock = 1ULL << 9;
inline constexpr uint64_t kMakeFifo = 1ULL << 10;
inline constexpr uint64_t kMakeBlock = 1ULL << 11;
inline constexpr uint64_t kMakeSym = 1ULL << 12;
inline constexpr uint64_t kRefer = 1ULL << 13;     // ABI 2
inline constexpr uint64_t kTruncate = 1ULL << 14;  // ABI 3
inline constexpr uint64_t kIoctlDev = 1ULL << 15;  // ABI 5
inline constexpr uint64_t kAll = (1ULL << 16) - 1;
// The rights that mean something on a file that is not a directory.
inline constexpr uint64_t kFileRights = kExecute | kWriteFile | kReadFile | kTruncate | kIoctlDev;

// The shorthands of the language.
inline constexpr uint64_t kRead = kReadFile | kReadDir;
inline constexpr uint64_t kCreate = kMakeReg | kMakeDir | kMakeSym | kMakeSock | kMakeFifo;
inline constexpr uint64_t kRemove = kRemoveFile | kRemoveDir;
// Change anything beneath: contents, new and removed entries, renames across directories; not
// device nodes.
inline constexpr uint64_t kWrite = kWriteFile | kTruncate | kCreate | kRemove | kRefer;
}  // namespace fs_access

// Landlock's network access rights (LANDLOCK_ACCESS_NET_*, ABI 4): TCP only.
namespace net_access {
inline constexpr uint64_t kBindTcp = 1ULL << 0;
inline constexpr uint64_t kConnectTcp = 1ULL << 1;
inline constexpr uint64_t kAll = kBindTcp | kConnectTcp;
}  // namespace net_access

// Landlock's scopes (LANDLOCK_SCOPE_*, ABI 6): IPC the program may not reach outside its domain.
namespace scope {
inline constexpr uint64_t kAbstractUnixSocket = 1ULL << 0;
inline constexpr uint64_t kSignal = 1ULL << 1;
inline constexpr uint64_t kAll = kAbstractUnixSocket | kSignal;
}  // namespace scope

// `fs RIGHTS PATH`: the rights on the path and everything beneath it.
struct PathRule {
  uint64_t access = 0;  // fs_access bits
  std::string path;     // absolute, as written
  SourceLoc loc;        // not part of equality
  friend bool operator==(const PathRule& a, const PathRule& b) {
    return a.access == b.access && a.path == b.path;
  }
};

// `net bind|connect PORTS`: TCP ports first..last.
struct PortRule {
  uint64_t access = 0;  // net_access bits
  uint16_t first = 0, last = 0;
  SourceLoc loc;
  friend bool operator==(const PortRule& a, const PortRule& b) {
    return a.access == b.access && a.first == b.first && a.last == b.last;
  }
};

struct AccessRules {
  uint64_t handled_fs = 0;   // fs_access bits denied unless a rule grants them
  uint64_t handled_net = 0;  // net_access bits denied unless a rule grants them
  uint64_t scoped = 0;       // scope bits
  // `fs best-effort`: enforce what the running kernel's Landlock can, rather than refuse to run.
  bool best_effort = false;
  std::vector<PathRule> paths;
  std::vector<PortRule> ports;
  SourceLoc loc;  // the first fs/net/scope statement

  bool empty() const { return handled_fs == 0 && handled_net == 0 && scoped == 0; }
  friend bool operator==(const AccessRules& a, const AccessRules& b) {
    return a.handled_fs == b.handled_fs && a.handled_net == b.handled_net && a.scoped == b.scoped &&
           a.best_effort == b.best_effort && a.paths == b.paths && a.ports == b.ports;
  }
};

// The names of the language: fs rights and shorthands (read, write, exec, create, remove, all,
// and each right: read-file, make-dir, ioctl-dev, ...), scopes (signals, abstract-unix).
std::optional<uint64_t> FsAccessFromName(std::string_view name);
std::vector<std::string_view> FsAccessNames();  // every accepted name
// `bits` in words FsAccessFromName reads back to the same bits: shorthands where whole.
std::string FsAccessText(uint64_t bits);
std::optional<uint64_t> ScopeFromName(std::string_view name);
std::string ScopeText(uint64_t bits);
std::string_view NetAccessName(uint64_t bit);  // "bind", "connect"

// The Landlock ABI version that first offered each bit (0: unknown bit).
int FsAccessAbi(uint64_t bit);
inline constexpr int kNetAbi = 4;
inline constexpr int kScopeAbi = 6;
// The rights, network rights and scopes the kernel's Landlock ABI `abi` offers.
uint64_t FsAccessOfAbi(int abi);
uint64_t NetAccessOfAbi(int abi);
uint64_t ScopesOfAbi(int abi);

// What the rules grant on `path` (absolute; compared component by component, no symlinks
// resolved): the union of the rules on it and its parents, and the first of those rules.
struct PathGrant {
  uint64_t access = 0;
  std::vector<const PathRule*> rules;  // those that contribute, in policy order
};
PathGrant GrantedOn(const AccessRules& rules, std::string_view path);
// The first rule that lets `bit` (net_access::kBindTcp or kConnectTcp) reach TCP `port`, or
// null.
const PortRule* PortGrantedBy(const AccessRules& rules, uint64_t bit, uint16_t port);
// The rules' paths with their symlinks resolved where they exist, in the order of rules.paths:
// what the kernel takes when the rules are applied (on Debian, /lib64 is /usr/lib64).
std::vector<std::string> RealRulePaths(const AccessRules& rules);
// What the rules grant on `path` (absolute) as the kernel sees it: where `path` exists, where
// its symlinks lead (a rule on /srv/app does not grant /srv/app/config -> /etc/secret), held
// against the rules' paths with their symlinks resolved (a rule on /lib64 covers /usr/lib64/...
// on Debian); where it does not, as written too. The rights are the rules' as written; the
// rules are those that cover `path` as written (in policy order), then those that cover it
// only once resolved. Reads the filesystem (realpath); `real_rule_paths`, RealRulePaths(rules)
// made once, saves resolving the rules' paths again for every question (they are resolved now
// when its size is not the rules').
PathGrant GrantedOnResolved(const AccessRules& rules, std::string_view path,
                            std::span<const std::string> real_rule_paths = {});

// Why the rules deny an access, in the words of `sysgate run --report-access` ("sysgate: denied
// openat(...) by the fs rules: no rule grants read-file on /etc/passwd").
struct AccessDenial {
  std::string rules;   // "fs rules" or "net rules"
  std::string reason;  // "no rule grants read-file on /etc/passwd"
  // "by the fs rules: no rule grants read-file on /etc/passwd"
  std::string ToString() const { return "by the " + rules + ": " + reason; }
};
// Whether the rules deny `access` (fs_access bits) on `path`, counting only the rights in
// `enforced` (what the kernel enforces of them: LandlockRuleset::handled_fs(),
// Applied::handled_fs); nothing when they grant it. `path` is absolute and named as the kernel
// resolved it for the call (symlinks followed: realpath(3), or a path that has none), and is
// not resolved here: a process locked down by its syscall rules may not be able to. The rules'
// paths are resolved as GrantedOnResolved does: give RealRulePaths(rules), made before the
// lockdown, for the same reason.
std::optional<AccessDenial> FsDenial(const AccessRules& rules, std::string_view path,
                                     uint64_t access, uint64_t enforced = fs_access::kAll,
                                     std::span<const std::string> real_rule_paths = {});
// Whether the rules deny a TCP bind or connect (`access`: net_access::kBindTcp or kConnectTcp)
// of `port`, counting only the rights in `enforced`; nothing when they let it.
std::optional<AccessDenial> NetDenial(const AccessRules& rules, uint64_t access, uint16_t port,
                                      uint64_t enforced = net_access::kAll);
// The fs rights Landlock checks when a file (not a directory) is opened with open(2)'s
// `flags`: read-file, write-file, and truncate for O_TRUNC; none for O_PATH.
uint64_t OpenFileAccess(uint64_t flags);
// Why `path` cannot be an fs rule's path, if it cannot: not absolute, a control character,
// longer than PATH_MAX, a '.' or '..' component, a glob (rules cover what is beneath).
std::optional<std::string> FsPathProblem(std::string_view path);
// Whether `ancestor` is `path` or a directory above it, component-wise ("/usr" holds
// "/usr/bin", not "/usrx"). Both absolute.
bool PathIsBeneath(std::string_view path, std::string_view ancestor);

}  // namespace sysgate
