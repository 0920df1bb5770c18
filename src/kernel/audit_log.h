// The kernel's audit records as it makes them, and its audit state (for run --log, which
// reports the program's Landlock denials from their records). Implemented in audit_log.cc.
//
//   kernel::AuditLog log;
//   if (auto r = log.Open(); !r) ...          // no CAP_AUDIT_READ (EPERM), no audit in the kernel
//   auto records = log.Receive(100);          // what came within 100 ms: {1423, "audit(...): ..."}
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sysgate/result.h"

namespace sysgate::kernel {

struct AuditState {
  bool enabled = false;  // whether the kernel makes records (auditctl -e)
  uint32_t daemon = 0;   // auditd's pid, 0 without: its records go to the kernel's log then
  uint32_t lost = 0;     // records the kernel has dropped since boot (backlog, rate limit)
};
// AUDIT_GET: needs CAP_AUDIT_CONTROL. An error says why it could not be asked.
Result<AuditState> AskAuditState();

// Whether this process is in the initial network namespace, the only one the kernel sends its
// audit records to; nothing when it cannot be told (before Linux 6.18, which numbers it
// PROC_NET_INIT_INO, pid 1's is compared, where it can be read).
std::optional<bool> InInitialNetNamespace();

// A NETLINK_AUDIT socket in the read-only log group (AUDIT_NLGRP_READLOG, Linux 3.16): a copy
// of every record the kernel makes, whether auditd runs or not, sent to the initial network
// namespace's sockets only; joining needs CAP_AUDIT_READ in the initial user namespace. Only
// the kernel's messages are taken (a process with CAP_NET_ADMIN may send to the group too).
// Not thread-safe: one reader.
class AuditLog {
 public:
  struct Record {
    uint16_t type = 0;  // AUDIT_* (1423: LANDLOCK_ACCESS, 1300: SYSCALL, 1320: EOE, ...)
    std::string text;   // "audit(1765000000.100:40): domain=2a blockers=..."
  };

  AuditLog() = default;
  AuditLog(const AuditLog&) = delete;
  AuditLog& operator=(const AuditLog&) = delete;
  ~AuditLog();

  // Joins the group. An error names the step and why (EPERM: no CAP_AUDIT_READ), or that this
  // process is not in the initial pid namespace (whose pids the records name) or, as far as it
  // can tell, network namespace (the only one the kernel sends its records to).
  Result<void> Open();
  int fd() const { return fd_; }  // close-on-exec
  // The records that came within `timeout_ms` (-1: waits for one), in the kernel's order;
  // empty when none came. Messages from anyone but the kernel are dropped.
  Result<std::vector<Record>> Receive(int timeout_ms);
  // Times the socket's buffer was full and the kernel dropped records for it (ENOBUFS).
  uint64_t overruns() const { return overruns_; }

 private:
  int fd_ = -1;
  uint64_t overruns_ = 0;
};

}  // namespace sysgate::kernel
