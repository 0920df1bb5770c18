// A policy's fs, net and scope rules made into a Landlock ruleset, and a process restricted by
// it (docs/landlock.md). sysgate run and ApplyToThisProcess do this for you.
//
//   auto ruleset = kernel::LandlockRuleset::Make(policy.access);   // paths opened now
//   if (!ruleset) die(ruleset.error().ToString());   // a missing path, a kernel without Landlock
//   ...                                               // fork, set no_new_privs
//   if (ruleset->RestrictRaw() < 0) _exit(125);       // this thread and what it starts
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "sysgate/access_rules.h"
#include "sysgate/result.h"

namespace sysgate::kernel {

// The running kernel's Landlock ABI version; 0 when it has none (not built in, or not enabled
// at boot: lsm=). Asked once.
int LandlockAbi();

class LandlockRuleset {
 public:
  // Restricts nothing: what a policy without fs, net or scope statements makes.
  LandlockRuleset() = default;
  // Opens every path of `rules` (O_PATH, following symlinks as the kernel will) and adds it
  // with its rights, and every port. Fails closed, with the rule's file:line:col: a path that
  // cannot be opened, rights that mean nothing on a file, and anything the kernel's ABI cannot
  // enforce (no Landlock, rights or scopes of a later ABI) unless the rules say best-effort,
  // which enforces what the ABI offers and lists the rest in dropped(). `abi` is the running
  // kernel's unless a test asks for less.
  static Result<LandlockRuleset> Make(const AccessRules& rules, int abi = LandlockAbi());

  LandlockRuleset(LandlockRuleset&&) noexcept = default;
  LandlockRuleset& operator=(LandlockRuleset&&) noexcept = default;

  bool empty() const { return fd_.value < 0; }
  int fd() const { return fd_.value; }
  // What is enforced: the policy's, less what best-effort dropped.
  uint64_t handled_fs() const { return handled_fs_; }
  uint64_t handled_net() const { return handled_net_; }
  uint64_t scoped() const { return scoped_; }
  // What best-effort left out, in words ("ioctl-dev (Landlock ABI 5; this kernel has 3)").
  const std::vector<std::string>& dropped() const { return dropped_; }
  // (What the rules grant on a path: GrantedOnResolved in sysgate/access_rules.h.)

  // landlock_restrict_self(2) on the calling thread, which needs no_new_privs or CAP_SYS_ADMIN.
  // Raw and allocation-free, for use between fork and exec: 0 or -errno. (Nothing to do, 0,
  // when empty.) By Landlock's default the kernel's audit records of denials stop at the next
  // exec; `log_after_exec` keeps them for the program it executes
  // (LANDLOCK_RESTRICT_SELF_LOG_NEW_EXEC_ON, on a kernel of ABI 7 or later; ignored before).
  long RestrictRaw(bool log_after_exec = false) const;

 private:
  // The ruleset's fd: closed with it, and left -1 where it was moved from, so that the
  // ruleset's moves are the members' own.
  struct OwnedFd {
    int value = -1;
    OwnedFd() = default;
    OwnedFd(OwnedFd&& o) noexcept : value(std::exchange(o.value, -1)) {}
    OwnedFd& operator=(OwnedFd&& o) noexcept;
    ~OwnedFd();
  };
  OwnedFd fd_;
  int abi_ = 0;  // the kernel's, which the ruleset was made for
  uint64_t handled_fs_ = 0, handled_net_ = 0, scoped_ = 0;
  std::vector<std::string> dropped_;
};

}  // namespace sysgate::kernel
