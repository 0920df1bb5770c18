// Probing the running kernel: which seccomp actions and filter flags it knows, and the sizes
// of the user-notification structures. Done once, without installing anything.
#include <errno.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <fmt/format.h>

#include "sysgate/kernel.h"

namespace sysgate::kernel {
namespace {

long Seccomp(unsigned op, unsigned flags, void* arg) {
  return syscall(SYS_seccomp, op, flags, arg);
}

bool ActionAvail(uint32_t action) { return Seccomp(SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0; }

Features DoProbe() {
  Features f;
  errno = 0;
  // With a NULL program the kernel checks the flags first: EFAULT means "known flag".
  long r = Seccomp(SECCOMP_SET_MODE_FILTER, 0, nullptr);
  f.seccomp_syscall = !(r < 0 && errno == ENOSYS);
  f.filter_mode = r < 0 && errno == EFAULT;
  for (unsigned bit = 0; bit < 8; ++bit) {
    errno = 0;
    unsigned flags = 1U << bit;
    // WAIT_KILLABLE_RECV alone is EINVAL: it is a modifier of NEW_LISTENER.
    if (flags == SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    r = Seccomp(SECCOMP_SET_MODE_FILTER, flags, nullptr);
    if (r < 0 && errno == EFAULT) f.flags |= 1U << bit;
  }
  f.kill_process = ActionAvail(bpf::ret::kKillProcess);
  f.kill_thread = ActionAvail(bpf::ret::kKillThread);
  f.trap = ActionAvail(bpf::ret::kTrap);
  f.errno_action = ActionAvail(bpf::ret::kErrno);
  f.trace = ActionAvail(bpf::ret::kTrace);
  f.log = ActionAvail(bpf::ret::kLog);
  f.allow = ActionAvail(bpf::ret::kAllow);
  f.user_notif = ActionAvail(bpf::ret::kUserNotif);
  seccomp_notif_sizes sizes{};
  if (Seccomp(SECCOMP_GET_NOTIF_SIZES, 0, &sizes) == 0) {
    f.notif_size = sizes.seccomp_notif;
    f.resp_size = sizes.seccomp_notif_resp;
    f.data_size = sizes.seccomp_data;
  }
  return f;
}

}  // namespace

bool Features::Supports(const Action& a) const { return Supports(a.kind()); }

bool Features::Supports(ActionKind kind) const {
  switch (kind) {
    case ActionKind::kAllow: return allow;
    case ActionKind::kErrno: return errno_action;
    case ActionKind::kKillProcess: return kill_process;
    case ActionKind::kKillThread: return kill_thread;
    case ActionKind::kTrap: return trap;
    case ActionKind::kTrace: return trace;
    case ActionKind::kLog: return log;
    case ActionKind::kNotify: return user_notif;
  }
  return false;
}

std::string Features::ToString() const {
  std::string actions;
  auto add = [&](bool on, const char* name) {
    if (on) actions += std::string(actions.empty() ? "" : " ") + name;
  };
  add(kill_process, "kill-process");
  add(kill_thread, "kill-thread");
  add(trap, "trap");
  add(errno_action, "errno");
  add(trace, "trace");
  add(log, "log");
  add(allow, "allow");
  add(user_notif, "notify");
  std::string flag_names;
  for (const std::string& name : FilterFlagNames(flags)) {
    flag_names += (flag_names.empty() ? "" : " ") + name;
  }
  return fmt::format("seccomp(2): {}; filters: {}; actions: {}; flags: {}; notify sizes: {}/{}/{}",
                     seccomp_syscall ? "yes" : "no (prctl only)", filter_mode ? "yes" : "no",
                     actions, flag_names, notif_size, resp_size, data_size);
}

const Features& Probe() {
  static const Features f = DoProbe();
  return f;
}

}  // namespace sysgate::kernel
