// The decisions of the runner's supervisor. The runner installs the policy with its errno and
// kill-process verdicts turned into USER_NOTIF; each notification comes here, gets the verdict
// the policy means, and is answered so: the syscall never runs. The runner's own first execve
// of the program is let through (it is the runner's code, with the runner's arguments).
//
//   PolicySupervisor s(policy, child_pid);
//   Decision d = s.Decide(notification);   // d.response, d.kill, d.verdict
#pragma once

#include <sys/types.h>

#include "supervise/notify_fd.h"
#include "sysgate/policy.h"

namespace sysgate::supervise {

// The policy as installed under supervision: errno and kill-process verdicts become notify
// (kill-thread, trap, trace and log stay with the kernel).
Policy RouteBlockingVerdicts(const Policy& policy);

struct Decision {
  Response response;
  bool kill = false;           // kill the calling thread's process (a kill verdict)
  bool runner_exec = false;    // the runner's own exec, let through
  Verdict verdict;
};

class PolicySupervisor {
 public:
  PolicySupervisor(const Policy& policy, pid_t child);
  Decision Decide(const Notification& n);

 private:
  Interpreter interp_;
  pid_t child_;
  bool exec_seen_ = false;
};

}  // namespace sysgate::supervise
