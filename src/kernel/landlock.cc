// Landlock: the kernel's side of a policy's fs, net and scope rules. The uapi structures are
// spelled out here because the build machine's headers may predate them (Debian 12's know ABI 2).
#include "sysgate/landlock.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>

#include <fmt/format.h>

namespace sysgate::kernel {
namespace {

// <linux/landlock.h>
constexpr long kCreateRuleset = 444, kAddRule = 445, kRestrictSelf = 446;  // every ABI's number
constexpr unsigned kCreateRulesetVersion = 1U << 0;
constexpr int kRulePathBeneath = 1, kRuleNetPort = 2;

struct RulesetAttr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;  // ABI 4
  uint64_t scoped;              // ABI 6
};
struct __attribute__((packed)) PathBeneathAttr {
  uint64_t allowed_access;
  int32_t parent_fd;
};
struct NetPortAttr {
  uint64_t allowed_access;
  uint64_t port;
};

struct Probed {
  int abi = 0;
  int err = 0;  // why there is none
};

const Probed& Probe() {
  static const Probed p = [] {
    long v = syscall(kCreateRuleset, nullptr, 0, kCreateRulesetVersion);
    return v < 0 ? Probed{0, errno} : Probed{static_cast<int>(v), 0};
  }();
  return p;
}

// Why a kernel has no Landlock, from the version query's errno.
std::string WhyNoLandlock(int err) {
  switch (err) {
    case ENOSYS:
      return "Landlock itself (not built into this kernel, or an outer seccomp filter answers "
             "ENOSYS for its calls, as runc and crun do for calls their profile does not know)";
    case EOPNOTSUPP: return "Landlock itself (built in but not enabled at boot: lsm=)";
    case EPERM:
    case EACCES:
      return "Landlock itself (its calls are refused here: a seccomp filter of the environment, "
             "a container's profile?)";
    default:
      return fmt::format("Landlock itself (landlock_create_ruleset: {})", std::strerror(err));
  }
}

// The names of the fs rights in `bits` that need a later ABI than `abi`, one by one.
void Unsupported(uint64_t bits, int abi, std::vector<std::string>* out) {
  for (uint64_t bit = 1; bit & fs_access::kAll; bit <<= 1) {
    if ((bits & bit) && FsAccessAbi(bit) > abi) {
      out->push_back(fmt::format("fs {} (Landlock ABI {})", FsAccessText(bit), FsAccessAbi(bit)));
    }
  }
}

std::string RuleWhere(const SourceLoc& loc) { return loc.known() ? loc.ToString() + ": " : ""; }

// What of `rules` a kernel with Landlock ABI `abi` (0 or less: none) cannot enforce, in words.
std::vector<std::string> MissingFromAbi(const AccessRules& rules, int abi) {
  std::vector<std::string> missing;
  if (abi <= 0) {
    const int err = abi == LandlockAbi() ? Probe().err : 0;
    missing.push_back(
        err ? WhyNoLandlock(err)
            : "Landlock itself (not built into this kernel, or not enabled at boot: lsm=)");
  } else {
    Unsupported(rules.handled_fs, abi, &missing);
    if (rules.handled_net & ~NetAccessOfAbi(abi))
      missing.push_back(fmt::format("net rules (Landlock ABI {})", kNetAbi));
    if (rules.scoped & ~ScopesOfAbi(abi))
      missing.push_back(fmt::format("scope (Landlock ABI {})", kScopeAbi));
  }
  return missing;
}

// The refusal of rules that are not best-effort when the kernel lacks `missing`.
Error CannotEnforce(const AccessRules& rules, int abi, const std::vector<std::string>& missing) {
  const char* kHint = "; say `fs best-effort` in the policy to enforce only what the kernel can";
  return MakeError(
      ErrorCode::kUnsupported,
      fmt::format("{}the policy's fs, net and scope rules cannot be enforced: this kernel "
                  "{} {}{}",
                  RuleWhere(rules.loc),
                  abi > 0 ? fmt::format("has Landlock ABI {}, without", abi) : "lacks",
                  fmt::join(missing, ", "), kHint));
}

// A new ruleset handling these rights, as a close-on-exec fd of 3 or more.
Result<int> CreateRuleset(uint64_t handled_fs, uint64_t handled_net, uint64_t scoped) {
  RulesetAttr attr{handled_fs, handled_net, scoped};
  long fd = syscall(kCreateRuleset, &attr, sizeof attr, 0);
  if (fd < 0) return SystemError("landlock_create_ruleset", errno);
  // Above stdin, stdout and stderr even when one is closed: a run must not hand the ruleset to
  // its program in their place (or in place of a --keep-fd that was not open).
  int high = fcntl(static_cast<int>(fd), F_DUPFD_CLOEXEC, 3);
  close(static_cast<int>(fd));
  if (high < 0) return SystemError("fcntl(F_DUPFD_CLOEXEC)", errno);
  return high;
}

// Adds `r` to the ruleset `ruleset_fd`, with the rights of `handled_fs` it asks for (on a file,
// only those that mean something on one).
Result<void> AddPathRule(int ruleset_fd, const PathRule& r, uint64_t handled_fs) {
  int pfd = open(r.path.c_str(), O_PATH | O_CLOEXEC);
  if (pfd < 0) {
    int err = errno;
    return MakeError(ErrorCode::kNotFound,
                     fmt::format("fs path {}: {} (a rule's path must exist when the policy is "
                                 "applied)",
                                 r.path, std::strerror(err)),
                     r.loc);
  }
  struct stat st {};
  uint64_t access = r.access & handled_fs;
  if (fstat(pfd, &st) == 0 && !S_ISDIR(st.st_mode)) {
    if ((r.access & fs_access::kFileRights) == 0) {
      close(pfd);
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("fs {} {}: it is not a directory, and these rights mean "
                                   "something only on directories (on a file: read, write, "
                                   "exec, truncate, ioctl-dev)",
                                   FsAccessText(r.access), r.path),
                       r.loc);
    }
    access &= fs_access::kFileRights;
  }
  if (access != 0) {
    PathBeneathAttr pb{access, pfd};
    if (syscall(kAddRule, ruleset_fd, kRulePathBeneath, &pb, 0) != 0) {
      int err = errno;
      close(pfd);
      return MakeError(ErrorCode::kInvalidArgument,
                       fmt::format("fs {} {}: landlock_add_rule: {}", FsAccessText(access), r.path,
                                   std::strerror(err)),
                       r.loc);
    }
  }
  close(pfd);
  return {};
}

// Adds the ports of `ports` to the ruleset `ruleset_fd`, with the rights of `handled_net` they
// ask for.
Result<void> AddPortRules(int ruleset_fd, const std::vector<PortRule>& ports,
                          uint64_t handled_net) {
  // One Landlock rule per port, whatever the ranges: overlapping ranges cost nothing more.
  std::vector<uint8_t> port_access(65536, 0);  // net_access bits
  std::vector<const PortRule*> port_rule(65536, nullptr);
  for (const PortRule& r : ports) {
    const uint64_t access = r.access & handled_net;
    for (uint32_t port = r.first; access != 0 && port <= r.last; ++port) {
      port_access[port] |= static_cast<uint8_t>(access);
      if (!port_rule[port]) port_rule[port] = &r;
    }
  }
  for (uint32_t port = 0; port < port_access.size(); ++port) {
    if (port_access[port] == 0) continue;
    NetPortAttr np{port_access[port], port};
    if (syscall(kAddRule, ruleset_fd, kRuleNetPort, &np, 0) != 0) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          fmt::format("net port {}: landlock_add_rule: {}", port, std::strerror(errno)),
          port_rule[port]->loc);
    }
  }
  return {};
}

}  // namespace

int LandlockAbi() { return Probe().abi; }

LandlockRuleset::OwnedFd& LandlockRuleset::OwnedFd::operator=(OwnedFd&& o) noexcept {
  if (this != &o) {
    if (value >= 0) close(value);
    value = std::exchange(o.value, -1);
  }
  return *this;
}

LandlockRuleset::OwnedFd::~OwnedFd() {
  if (value >= 0) close(value);
}

Result<LandlockRuleset> LandlockRuleset::Make(const AccessRules& rules, int abi) {
  LandlockRuleset out;
  if (rules.empty()) return out;
  std::vector<std::string> missing = MissingFromAbi(rules, abi);
  if (!missing.empty()) {
    if (!rules.best_effort) return CannotEnforce(rules, abi, missing);
    out.dropped_ = std::move(missing);
    for (std::string& d : out.dropped_) {
      d += abi > 0 ? fmt::format("; this kernel has ABI {}", abi) : "";
    }
    if (abi <= 0) return out;
  }
  out.abi_ = abi;
  out.handled_fs_ = rules.handled_fs & FsAccessOfAbi(abi);
  out.handled_net_ = rules.handled_net & NetAccessOfAbi(abi);
  out.scoped_ = rules.scoped & ScopesOfAbi(abi);
  if (out.handled_fs_ == 0 && out.handled_net_ == 0 && out.scoped_ == 0) return out;

  Result<int> fd = CreateRuleset(out.handled_fs_, out.handled_net_, out.scoped_);
  if (!fd) return fd.error();
  out.fd_.value = *fd;  // out closes it from here on, also when a rule fails
  for (const PathRule& r : rules.paths) {
    if (Result<void> added = AddPathRule(out.fd_.value, r, out.handled_fs_); !added)
      return added.error();
  }
  if (Result<void> ports = AddPortRules(out.fd_.value, rules.ports, out.handled_net_); !ports)
    return ports.error();
  return out;
}

long LandlockRuleset::RestrictRaw(bool log_after_exec) const {
  if (fd_.value < 0) return 0;
  constexpr unsigned kLogNewExecOn = 1U << 1;  // LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON (ABI 7)
  const unsigned flags = log_after_exec && abi_ >= 7 ? kLogNewExecOn : 0;
  long r = syscall(kRestrictSelf, fd_.value, flags);
  return r < 0 ? -errno : 0;
}

}  // namespace sysgate::kernel
