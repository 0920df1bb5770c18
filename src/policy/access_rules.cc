// The names, texts and ABI facts of AccessRules, what they grant on a path, and why they deny
// an access.
#include "sysgate/access_rules.h"

#include <fcntl.h>

#include <algorithm>
#include <array>
#include <optional>
#include <span>

#include <fmt/format.h>

#include "base/files.h"
#include "base/strings.h"

namespace sysgate {
namespace {

struct Named {
  std::string_view name;
  uint64_t bits;
};

// Shorthands first: FsAccessText prefers them, in this order.
constexpr std::array<Named, 22> kFsNames = {{
    {"all", fs_access::kAll},
    {"read", fs_access::kRead},
    {"write", fs_access::kWrite},
    {"exec", fs_access::kExecute},
    {"create", fs_access::kCreate},
    {"remove", fs_access::kRemove},
    {"execute", fs_access::kExecute},
    {"write-file", fs_access::kWriteFile},
    {"read-file", fs_access::kReadFile},
    {"read-dir", fs_access::kReadDir},
    {"remove-dir", fs_access::kRemoveDir},
    {"remove-file", fs_access::kRemoveFile},
    {"make-char", fs_access::kMakeChar},
    {"make-dir", fs_access::kMakeDir},
    {"make-reg", fs_access::kMakeReg},
    {"make-sock", fs_access::kMakeSock},
    {"make-fifo", fs_access::kMakeFifo},
    {"make-block", fs_access::kMakeBlock},
    {"make-sym", fs_access::kMakeSym},
    {"refer", fs_access::kRefer},
    {"truncate", fs_access::kTruncate},
    {"ioctl-dev", fs_access::kIoctlDev},
}};

constexpr std::array<Named, 2> kScopeNames = {{
    {"abstract-unix", scope::kAbstractUnixSocket},
    {"signals", scope::kSignal},
}};

std::optional<uint64_t> Find(std::span<const Named> names, std::string_view name) {
  for (const Named& n : names) {
    if (n.name == name) return n.bits;
  }
  return std::nullopt;
}

// The next component of `p` from `i` on (skipping slashes), and where it ends.
std::string_view NextComponent(std::string_view p, size_t* i) {
  while (*i < p.size() && p[*i] == '/') ++*i;
  size_t start = *i;
  while (*i < p.size() && p[*i] != '/') ++*i;
  return p.substr(start, *i - start);
}

}  // namespace

std::optional<uint64_t> FsAccessFromName(std::string_view name) { return Find(kFsNames, name); }

std::vector<std::string_view> FsAccessNames() {
  std::vector<std::string_view> out;
  for (const Named& n : kFsNames) out.push_back(n.name);
  return out;
}

std::string FsAccessText(uint64_t bits) {
  if (bits == fs_access::kAll) return "all";
  std::vector<std::string_view> words;
  uint64_t left = bits;
  for (size_t i = 1; i < kFsNames.size(); ++i) {
    // A shorthand where all of it is still to be said; then single rights for the rest.
    if ((kFsNames[i].bits & left) != kFsNames[i].bits) continue;
    words.push_back(kFsNames[i].name);
    left &= ~kFsNames[i].bits;
  }
  return fmt::format("{}", fmt::join(words, " "));
}

std::optional<uint64_t> ScopeFromName(std::string_view name) { return Find(kScopeNames, name); }

std::string ScopeText(uint64_t bits) {
  std::vector<std::string_view> words;
  for (const Named& n : kScopeNames) {
    if (bits & n.bits) words.push_back(n.name);
  }
  return fmt::format("{}", fmt::join(words, ", "));
}

std::string_view NetAccessName(uint64_t bit) {
  if (bit == net_access::kBindTcp) return "bind";
  if (bit == net_access::kConnectTcp) return "connect";
  return "?";
}

int FsAccessAbi(uint64_t bit) {
  if (bit == fs_access::kRefer) return 2;
  if (bit == fs_access::kTruncate) return 3;
  if (bit == fs_access::kIoctlDev) return 5;
  if (bit != 0 && bit < fs_access::kRefer) return 1;
  return 0;
}

uint64_t FsAccessOfAbi(int abi) {
  uint64_t out = 0;
  for (uint64_t bit = 1; bit & fs_access::kAll; bit <<= 1) {
    if (abi >= FsAccessAbi(bit)) out |= bit;
  }
  return abi >= 1 ? out : 0;
}

uint64_t NetAccessOfAbi(int abi) { return abi >= kNetAbi ? net_access::kAll : 0; }
uint64_t ScopesOfAbi(int abi) { return abi >= kScopeAbi ? scope::kAll : 0; }

bool PathIsBeneath(std::string_view path, std::string_view ancestor) {
  size_t i = 0, j = 0;
  while (true) {
    std::string_view want = NextComponent(ancestor, &j);
    if (want.empty()) return true;
    if (NextComponent(path, &i) != want) return false;
  }
}

PathGrant GrantedOn(const AccessRules& rules, std::string_view path) {
  PathGrant out;
  for (const PathRule& r : rules.paths) {
    if (!PathIsBeneath(path, r.path)) continue;
    out.access |= r.access;
    out.rules.push_back(&r);
  }
  return out;
}

const PortRule* PortGrantedBy(const AccessRules& rules, uint64_t bit, uint16_t port) {
  for (const PortRule& r : rules.ports) {
    if ((r.access & bit) && r.first <= port && port <= r.last) return &r;
  }
  return nullptr;
}

std::vector<std::string> RealRulePaths(const AccessRules& rules) {
  std::vector<std::string> out;
  out.reserve(rules.paths.size());
  for (const PathRule& r : rules.paths) out.push_back(base::RealPathOr(r.path));
  return out;
}

namespace {

// Adds to `g` the rules whose paths, resolved, hold `real_path` (symlinks resolved), after
// those it has. `real_rule_paths`: RealRulePaths(rules), or empty to resolve them now.
void AddResolvedRules(const AccessRules& rules, std::string_view real_path,
                      std::span<const std::string> real_rule_paths, PathGrant* g) {
  std::vector<std::string> resolved;
  if (real_rule_paths.size() != rules.paths.size()) {
    resolved = RealRulePaths(rules);
    real_rule_paths = resolved;
  }
  for (size_t i = 0; i < rules.paths.size(); ++i) {
    const PathRule& r = rules.paths[i];
    if (std::ranges::find(g->rules, &r) != g->rules.end() ||
        !PathIsBeneath(real_path, real_rule_paths[i]))
      continue;
    g->access |= r.access;
    g->rules.push_back(&r);
  }
}

// Where `path` leads: its symlinks resolved where it exists; for a file not there yet (one
// about to be made), where its directory leads; else as written.
std::string Reached(std::string_view path) {
  const std::string whole(path);
  std::string real = base::RealPathOr(whole);
  if (real != whole) return real;
  const size_t slash = path.rfind('/');
  if (slash == std::string_view::npos || slash == 0) return whole;
  const std::string dir(path.substr(0, slash));
  const std::string real_dir = base::RealPathOr(dir);
  return real_dir == dir ? whole : real_dir + whole.substr(slash);
}

}  // namespace

PathGrant GrantedOnResolved(const AccessRules& rules, std::string_view path,
                            std::span<const std::string> real_rule_paths) {
  // A path that exists is reached where its symlinks lead: what its words match as written
  // does not count then (a rule on /srv/app does not grant /srv/app/config -> /etc/secret).
  const std::string real = Reached(path);
  PathGrant g = real == path ? GrantedOn(rules, path) : PathGrant{};
  AddResolvedRules(rules, real, real_rule_paths, &g);
  return g;
}

namespace {}  // namespace

std::optional<AccessDenial> FsDenial(const AccessRules& rules, std::string_view path,
                                     uint64_t access, uint64_t enforced,
                                     std::span<const std::string> real_rule_paths) {
  const uint64_t asked = access & rules.handled_fs & enforced;
  if (asked == 0) return std::nullopt;
  PathGrant g = GrantedOn(rules, path);
  AddResolvedRules(rules, path, real_rule_paths, &g);  // `path` is resolved already
  const uint64_t missing = asked & ~g.access;
  if (missing == 0) return std::nullopt;
  return AccessDenial{"fs rules", fmt::format("no rule grants {} on {}", FsAccessText(missing),
                                              base::PlainOrQuoted(path))};
}

std::optional<AccessDenial> NetDenial(const AccessRules& rules, uint64_t access, uint16_t port,
                                      uint64_t enforced) {
  if (!(rules.handled_net & enforced & access)) return std::nullopt;
  if (PortGrantedBy(rules, access, port) != nullptr) return std::nullopt;
  return AccessDenial{"net rules",
                      fmt::format("no rule lets it {} TCP port {}", NetAccessName(access), port)};
}

uint64_t OpenFileAccess(uint64_t flags) {
  if (flags & O_PATH) return 0;  // no access to the file's contents: Landlock checks nothing
  uint64_t access = 0;
  switch (flags & O_ACCMODE) {
    case O_RDONLY: access = fs_access::kReadFile; break;
    case O_WRONLY: access = fs_access::kWriteFile; break;
    case O_RDWR: access = fs_access::kReadFile | fs_access::kWriteFile; break;
    default: break;
  }
  if (flags & O_TRUNC) access |= fs_access::kTruncate;
  return access;
}

std::optional<std::string> FsPathProblem(std::string_view path) {
  if (path.empty() || path.front() != '/') {
    return fmt::format("fs paths are absolute: '{}' does not start with '/'", path);
  }
  for (char c : path) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return "fs paths with control characters (a newline, a NUL) cannot be written in a policy";
    }
  }
  if (path.size() > 4095) return "the fs path is longer than PATH_MAX (4095 bytes)";
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t start = i;
    while (i < path.size() && path[i] != '/') ++i;
    std::string_view c = path.substr(start, i - start);
    if (c == "." || c == "..") {
      return fmt::format("fs paths are taken as written, without '.' or '..' ({})", path);
    }
    if ((c == "*" || c == "**") && i >= path.size()) {
      return fmt::format(
          "a rule covers everything beneath its directory: write '{}' without "
          "'/{}'",
          path.substr(0, start > 1 ? start - 1 : 1), c);
    }
    if (c.find('*') != std::string_view::npos) {
      return fmt::format("fs paths are taken as written, without globs: '*' in {}", path);
    }
  }
  return std::nullopt;
}

}  // namespace sysgate
