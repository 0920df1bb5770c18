// Reading the filters of processes, as `sysgate dump` does: those a running thread holds
// (kernel/filter_dump.cc) and those a command installs as it runs (kernel/filter_capture.cc).
//
//   auto f = kernel::ReadFilters(tid);                 // CAP_SYS_ADMIN, unfiltered caller
//   if (f) for (const auto& x : f->filters) ...        // oldest first, with the LOG flag
//   auto c = kernel::CaptureFilters({"nginx", "-t"});  // ptrace: no privilege needed
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "sysgate/arch.h"
#include "sysgate/bpf.h"
#include "sysgate/result.h"

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
