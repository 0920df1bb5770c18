// sysgate explain: the kernel's seccomp audit records (docs/inspect.md) decoded, and matched
// against a policy.
//
//   auto r = analysis::ParseSeccompRecord(line, {"audit.log", 12, 0});
//   if (!r) ...                      // "audit.log:12:87: code=zz is not a hexadecimal number"
//   if (*r) {                         // nothing for a line that holds no seccomp record
//     Interpreter interp(policy);
//     analysis::Explained e = analysis::Explain(**r, &interp);
//     // e.syscall "unshare", e.action errno(EPERM), e.matching: the verdicts that gave it
//   }
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sysgate/arch.h"
#include "sysgate/interpreter.h"
#include "sysgate/policy.h"
#include "sysgate/result.h"

namespace sysgate::analysis {

// One record the kernel writes when a seccomp filter's verdict is logged (type=1326, SECCOMP:
// kill verdicts and `log` verdicts by default, every one but allow of a filter installed with
// SECCOMP_FILTER_FLAG_LOG, as kernel.seccomp.actions_logged allows), as the raw log has it:
// the kernel's own lines (dmesg, /dev/kmsg, `journalctl -k`), auditd's audit.log (its
// ENRICHED part, after \x1d, is left aside) and ausearch (with -i too), journald's
// `audit[PID]: SECCOMP`.
struct SeccompRecord {
  std::optional<int64_t> seconds;  // audit(SECONDS.MILLIS:SERIAL), the time of the call (UTC)
  int millis = 0;
  std::optional<uint64_t> serial;
  std::optional<uint32_t> auid, uid, gid, ses;
  std::optional<int32_t> pid;
  std::optional<std::string> comm, exe;  // hex-encoded values decoded
  std::optional<int32_t> sig;            // the signal a kill verdict sent (SIGSYS)
  uint32_t arch = 0;                     // AUDIT_ARCH_* of the call
  int32_t syscall = 0;                   // its number, as the filter saw it
  std::optional<int32_t> compat;
  std::optional<uint64_t> ip;
  uint32_t code = 0;  // the filter's action (the kernel leaves out the data)
  // Read from ausearch -i's interpretation, which writes names for the numbers (arch=x86_64,
  // syscall=unshare, code=errno, uid=root): ids given by name and the time, a local date, are
  // left out, and its "kill" is either kill action (it drops the bit that tells them apart).
  bool interpreted = false;
};

// The record in `line`, nothing when the line holds none (any other log line). The record
// must open the line's message: after nothing, `node=HOST`, or the kernel's `audit:` (at the
// start, after dmesg's time, /dev/kmsg's prefix or syslog's `kernel:`), or journald's
// `audit[PID]: SECCOMP`; so that a program's own log line ("hello type=1326 ...") or a name
// it chose is not taken for one. ausearch -i's interpretation is read too (`interpreted`). An
// error, located at `at` (file and line) and the column of the field, for a seccomp record
// without arch, syscall or code, or with a value that is neither a number nor, interpreted, a
// name ausearch writes.
Result<std::optional<SeccompRecord>> ParseSeccompRecord(std::string_view line, const SourceLoc& at);

struct Explained {
  std::optional<Arch> abi;  // nothing for an audit arch value sysgate does not know
  std::string syscall;      // "unshare"; "#1000" for a number the ABI has no name for
  Action action;            // what the filter answered, errno numbered as policies write it
  // The kernel logs the action without its data (errno(EPERM) is logged as errno, 0x50000):
  // whether `action` has it (a record with data bits set), or only its kind.
  bool data_known = false;
  bool either_kill = false;  // ausearch -i's "kill": kill-thread or kill-process
  // With a policy: what it can answer this call (Interpreter::Candidates, in order), and which
  // of those give the record's action, as indexes into `candidates`. A USER_NOTIF record
  // matches notify verdicts and, since `sysgate run` sends them to its supervisor to be
  // reported, errno verdicts (`routed`; kill verdicts stay the kernel's). Empty `matching`:
  // this policy did not make the record.
  std::vector<Interpreter::Candidate> candidates;
  std::vector<size_t> matching;
  bool routed = false;
};

// `policy` may be null: the record decoded only. Without the data, a verdict of the record's
// kind matches whatever its data.
Explained Explain(const SeccompRecord& record, const Interpreter* policy = nullptr);

// The record's action as far as it is known: "errno(EPERM)", or "errno" without the data.
std::string ActionText(const Explained& e);

}  // namespace sysgate::analysis
