// Installing seccomp filters and asking the running kernel what it supports.
//
//   kernel::InstallOptions opt{.tsync = true};
//   Result<int> r = kernel::Install(prog, opt);     // sets no_new_privs first
//   if (!r) std::cerr << r.error().ToString();       // which step failed, and why
//   const kernel::Features& f = kernel::Probe();    // actions, flags, notify sizes
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <optional>
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

// ---- reading the filters of processes (sysgate dump) ----

namespace sysgate::kernel {

// A filter in a thread's stack, as the kernel holds it.
struct InstalledFilter {
  bpf::Program program;
  bool log = false;  // SECCOMP_FILTER_FLAG_LOG: the one flag the kernel keeps (GET_METADATA)
};

struct ThreadFilters {
  pid_t tid = 0;
  int mode = 0;                          // /proc/TID/status "Seccomp:": 0 none, 1 strict, 2 filter
  std::vector<InstalledFilter> filters;  // oldest first: the order they were installed in
};

// Every filter of thread `tid` (a process id names its main thread), read with
// PTRACE_SECCOMP_GET_FILTER and PTRACE_SECCOMP_GET_METADATA: attaches (PTRACE_SEIZE),
// stops the thread for the moment of reading, detaches. The kernel allows this only to a
// caller with CAP_SYS_ADMIN that runs under no filter itself; the error says which is missing.
Result<ThreadFilters> ReadFilters(pid_t tid);

// A filter a traced command passed to seccomp(SECCOMP_SET_MODE_FILTER) or
// prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER), read from its memory at the call.
struct CapturedFilter {
  bpf::Program program;
  pid_t tid = 0;            // the thread that made the call
  std::optional<Arch> abi;  // the ABI of the call (nothing for one sysgate does not know)
  bool via_prctl = false;   // prctl(2) rather than seccomp(2)
  unsigned flags = 0;       // SECCOMP_FILTER_FLAG_* (prctl has none)
  int error = 0;            // the errno the kernel refused it with
  int read_error = 0;       // the errno of reading its program from the thread's memory
                            // (then `program` is empty): EPERM for a process that made itself
                            // non-dumpable (sysgate run's supervised programs) unless root
  pid_t unsynced = 0;       // TSYNC refused: the thread that could not take the filter (the
                            // call's return value; nothing was installed)
  bool installed() const { return error == 0 && unsynced == 0; }
};

struct CaptureOptions {
  size_t limit = 1;           // stop after this many filter calls (0: run the command to its end)
  bool keep_running = false;  // at the limit, detach and let the command go on (else kill it)
};

struct CaptureResult {
  std::vector<CapturedFilter> filters;  // in the order the calls were made
  pid_t running = 0;    // keep_running: the command, detached and still running (wait for it)
  int wait_status = 0;  // otherwise: how the command ended (a waitpid status)
  bool killed = false;  // sysgate killed it at the limit
};

// Runs argv[0] (found on PATH) with argv, tracing it and every thread and process it starts
// (ptrace: no privilege needed), and captures each filter they install. Waits with
// waitpid(-1): the calling process must have no other children it waits for.
Result<CaptureResult> CaptureFilters(const std::vector<std::string>& argv,
                                     const CaptureOptions& options = {});

}  // namespace sysgate::kernel
