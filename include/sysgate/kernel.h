// Installing seccomp filters (kernel/install.cc) and asking the running kernel what it
// supports (kernel/probe.cc). Reading the filters of processes is sysgate/filter_dump.h.
//
//   kernel::InstallOptions opt{.tsync = true};
//   Result<int> r = kernel::Install(prog, opt);     // sets no_new_privs first
//   if (!r) std::cerr << r.error().ToString();       // which step failed, and why
//   const kernel::Features& f = kernel::Probe();    // actions, flags, notify sizes
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "sysgate/arch.h"
#include "sysgate/bpf.h"

namespace sysgate::kernel {

struct InstallOptions {
  bool no_new_privs = true;         // PR_SET_NO_NEW_PRIVS first (needed without CAP_SYS_ADMIN)
  bool tsync = false;               // SECCOMP_FILTER_FLAG_TSYNC: every thread of the process
  bool log = false;                 // SECCOMP_FILTER_FLAG_LOG: log every action but ALLOW
  bool spec_allow = false;          // SECCOMP_FILTER_FLAG_SPEC_ALLOW
  bool new_listener = false;        // SECCOMP_FILTER_FLAG_NEW_LISTENER: returns the notify fd
  bool wait_killable_recv = false;  // SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (with new_listener)
};

// The SECCOMP_FILTER_FLAG_* bits for these options (TSYNC_ESRCH added with tsync+listener).
unsigned FilterFlags(const InstallOptions& options);
// The names of SECCOMP_FILTER_FLAG_* bits without the prefix ("TSYNC", "LOG", ...), lowest
// bit first; bits the kernel has no name for as hex.
std::vector<std::string> FilterFlagNames(unsigned flags);

// Installs `prog` on the calling thread (or, with tsync, the whole process). Returns the
// listener fd with new_listener, else -1. Errors name the step (no_new_privs, seccomp, the
// thread that could not be synchronised) and carry errno.
Result<int> Install(const bpf::Program& prog, const InstallOptions& options = {});

// The same, async-signal-safe and allocation-free, for use between fork and exec. Returns
// the listener fd or 0 on success, -errno on failure; *failed_tid gets the thread that
// blocked TSYNC.
long InstallRaw(const bpf::Insn* insns, size_t count, unsigned flags, bool no_new_privs,
                long* failed_tid);

struct Features {
  bool seccomp_syscall = false;  // seccomp(2) exists (else prctl only)
  bool filter_mode = false;      // SECCOMP_MODE_FILTER works
  // Return actions the kernel knows (SECCOMP_GET_ACTION_AVAIL), by ActionKind order.
  bool kill_process = false, kill_thread = false, trap = false, errno_action = false, trace = false,
       log = false, allow = false, user_notif = false;
  unsigned flags = 0;  // SECCOMP_FILTER_FLAG_* the kernel accepts
  uint16_t notif_size = 0, resp_size = 0, data_size = 0;  // SECCOMP_GET_NOTIF_SIZES

  bool Supports(const Action& a) const;
  bool Supports(ActionKind kind) const;
  std::string ToString() const;
};

// What the running kernel supports, probed once.
const Features& Probe();

}  // namespace sysgate::kernel
