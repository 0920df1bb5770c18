// The decisions of the runner's supervisor (docs/run.md "Safety"). The runner installs the
// policy with its errno verdicts turned into USER_NOTIF, the errno kept in the action's data
// (which the kernel ignores); each notification comes here and is answered with that errno:
// the syscall never runs. The answer is what the installed program itself says for the call
// (run in the emulator on the call's seccomp_data), so it needs no policy, parses nothing and
// allocates nothing. Every other verdict (kill, trap, ...) stays with the kernel, so that
// nothing a program does to its supervisor (stopping, starving or killing it) turns a kill
// into anything else.
//
//   PolicySupervisor s(installed_program);
//   Decision d = s.Decide(call.data());    // d.reply: fail with the verdict's errno
//
// RunnerExec recognises the runner's own execve of the program, which the runner's supervisor
// lets through: exactly that call (the runner's pid, the host ABI, the runner's own pointer
// arguments), once, and only if the installed filter would not allow it anyway.
#pragma once

#include <sys/types.h>

#include "supervise/notify_fd.h"
#include "sysgate/bpf.h"
#include "sysgate/policy.h"
#include "sysgate/supervisor.h"

namespace sysgate::supervise {

// The policy as installed for reports: errno verdicts become notify (the errno in its data);
// nothing else changes.
Policy RouteForReports(const Policy& policy);
// The policy as installed for audit mode: every verdict but allow and log becomes notify, and
// so do calls of ABIs the policy does not target, so that the supervisor sees (and lets run)
// everything the policy would stop; with fs or net rules, so do the calls that reach files and
// ports (AccessSyscalls), which the supervisor checks against those rules.
Policy RouteForAudit(const Policy& policy);

// `routed` (from RouteForReports) with the calls that reach files and ports (AccessSyscalls)
// notified where the policy allows them, marked so that Decide lets them run: the runner
// reports what the policy's fs and net rules deny of them (run --report-access). Nothing the
// policy denies, kills or logs changes, and the first rule to match any call is the same.
Policy RouteAccessForReports(const Policy& routed);

struct Decision {
  // Fail(errno), or Return(0) for an errno(0) verdict, or KillProcess for a call the policy
  // kills that the runner's exec gate notified; Continue only for a call the policy allows,
  // routed by RouteAccessForReports (then `allowed`).
  Reply reply;
  bool allowed = false;
  // The errno the call fails with (ENOSYS for the policy's own notify rules), by its generic
  // number; the reply carries the calling ABI's (ErrnoOn: ENOSYS is 89 on mips).
  int error = 0;
};

class PolicySupervisor {
 public:
  // `installed`: a program compiled from RouteForReports(policy) (without a gate in front: a
  // gated call is decided as the policy decides it). Kept by reference.
  explicit PolicySupervisor(const bpf::Program& installed) : installed_(installed) {}
  // Allocation-free: a supervisor short of memory still answers.
  Decision Decide(const SeccompData& data) const;

 private:
  const bpf::Program& installed_;
};

class RunnerExec {
 public:
  // `exec` is the runner's execve as the kernel will see it (the host ABI, its pointer
  // arguments); `installed` the filter it runs under. Armed only if that filter notifies it.
  RunnerExec(pid_t runner, const SeccompData& exec, const bpf::Program& installed);
  bool armed() const { return armed_; }
  // True for the runner's exec while armed: the same thread, ABI, number and pointers.
  bool Matches(const Notification& n) const;
  // After the answer reached it: nothing else is let through, ever.
  void Disarm() { armed_ = false; }

 private:
  pid_t runner_;
  SeccompData exec_;
  bool armed_ = false;
};

}  // namespace sysgate::supervise
