// The decisions of the runner's supervisor. The runner installs the policy with its errno and
// kill-process verdicts turned into USER_NOTIF; each notification comes here, gets the verdict
// the policy means, and is answered so: the syscall never runs.
//
//   PolicySupervisor s(policy);
//   Decision d = s.Decide(call.data());    // d.reply (fail or kill), d.verdict
//
// RunnerExec recognises the runner's own first execve of the program, which every supervisor
// of the runner lets through (it is the runner's code, with the runner's arguments).
#pragma once

#include <sys/types.h>

#include "supervise/notify_fd.h"
#include "sysgate/policy.h"
#include "sysgate/supervisor.h"

namespace sysgate::supervise {

// The policy as installed under supervision: errno and kill-process verdicts become notify
// (kill-thread, trap, trace and log stay with the kernel).
Policy RouteBlockingVerdicts(const Policy& policy);
// The policy as installed for audit mode: every verdict but allow and log becomes notify, so
// that the supervisor sees (and lets run) everything the policy would stop.
Policy RouteForAudit(const Policy& policy);

struct Decision {
  Reply reply;      // Fail(errno) or KillProcess: never Continue
  Verdict verdict;
};

class PolicySupervisor {
 public:
  explicit PolicySupervisor(const Policy& policy);
  Decision Decide(const SeccompData& data) const;

 private:
  Interpreter interp_;
};

class RunnerExec {
 public:
  explicit RunnerExec(pid_t child) : child_(child) {}
  // True once: for the first execve/execveat made by the child itself.
  bool IsRunnerExec(const Notification& n);

 private:
  pid_t child_;
  bool seen_ = false;
};

}  // namespace sysgate::supervise
