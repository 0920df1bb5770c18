// sysgate explain: the kernel's seccomp and Landlock audit records (docs/inspect.md) decoded,
// and matched against a policy.
//
//   auto r = analysis::ParseSeccompRecord(line, {"audit.log", 12, 0});
//   if (!r) ...                      // "audit.log:12:87: code=zz is not a hexadecimal number"
//   if (*r) {                         // nothing for a line that holds no seccomp record
//     Interpreter interp(policy);
//     analysis::Explained e = analysis::Explain(**r, &interp);
//     // e.syscall "unshare", e.action errno(EPERM), e.matching: the verdicts that gave it
//   }
//
//   auto a = analysis::ParseAuditRecord(line, {"audit.log", 12, 0});   // any record explain reads
//   if (a && *a)
//     if (auto* d = std::get_if<analysis::LandlockRecord>(&**a))
//       analysis::ExplainAccess(*d, policy.access);   // which fs/net rules grant what there
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sysgate/access_rules.h"
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

// audit(SECONDS.MILLIS:SERIAL): when the event happened (UTC) and its number; records of one
// event share it. ausearch -i writes a local date: only the millis and the serial are kept.
struct AuditStamp {
  std::optional<int64_t> seconds;
  int millis = 0;
  std::optional<uint64_t> serial;
};

// A record Landlock writes when audit is enabled (Linux 6.15, Landlock ABI 7), as the kernel's
// documentation (Documentation/admin-guide/LSM/landlock.rst) shows them:
//  - type=1423 (LANDLOCK_ACCESS), an access a domain denied: "domain=ID blockers=fs.read_file,
//    fs.read_dir" and what was reached: path= dev= ino= (or name=, an entry's own name), for
//    TCP saddr= src= (bind) or daddr= dest= (connect), for a signal or ptrace opid= ocomm=;
//  - type=1424 (LANDLOCK_DOMAIN), "domain=ID status=allocated mode=enforcing pid= uid= exe=
//    comm=" (who made the domain, logged with its first denial) or "status=deallocated
//    denials=N".
struct LandlockRecord {
  enum class Kind { kAccess, kDomainAllocated, kDomainDeallocated };
  Kind kind = Kind::kAccess;
  AuditStamp stamp;
  uint64_t domain = 0;  // the domain's id (hexadecimal in the record)
  // kAccess: the denied rights as the kernel names them ("fs.read_file", "net.connect_tcp",
  // "scope.signal", "ptrace", "fs.change_topology"; a later kernel's too), and those sysgate
  // has as fs_access, net_access and scope bits.
  std::vector<std::string> blockers;
  uint64_t fs = 0, net = 0, scopes = 0;
  std::optional<std::string> path;  // absolute, decoded from the kernel's quoting or hex
  std::optional<std::string> name;  // name=: the entry's own name only, not where it is
  std::optional<std::string> dev;
  std::optional<uint64_t> ino;
  std::optional<std::string> addr;  // saddr= (bind) or daddr= (connect)
  std::optional<uint16_t> port;     // src= (bind) or dest= (connect)
  std::optional<int32_t> opid;      // a signal's or ptrace's target
  std::optional<std::string> ocomm;
  // kDomainAllocated: the process that made the domain; kDomainDeallocated: its denials, logged
  // or not.
  std::optional<int32_t> pid;
  std::optional<uint32_t> uid;
  std::optional<std::string> exe, comm;
  std::optional<uint64_t> denials;
  bool interpreted = false;  // ausearch -i's form: values decoded and unquoted
};

// The SYSCALL record (type=1300) of an event: the call and the process that Landlock's access
// records of the same event (which name neither) happened in. Read for that context only:
// what it lacks or gives in another shape is left out, never an error.
struct SyscallRecord {
  AuditStamp stamp;
  std::optional<uint32_t> arch;
  std::optional<int32_t> syscall;
  std::optional<int64_t> exit;
  std::optional<int32_t> pid, ppid;
  std::optional<uint32_t> uid;
  std::optional<std::string> comm, exe;
};

// The end of a multi-record event (type=1320, EOE).
struct EventEnd {
  AuditStamp stamp;
};

using AuditRecord = std::variant<SeccompRecord, LandlockRecord, SyscallRecord, EventEnd>;

// The record in `line` of the types above, with ParseSeccompRecord's rules (the same shapes of
// log, the record opening the line's message, errors located at `at`); nothing for other lines.
// An error for a Landlock record without domain= (or blockers=, status=), or with a value that
// is not a number where the kernel writes one. ParseSeccompRecord is this, for seccomp only.
Result<std::optional<AuditRecord>> ParseAuditRecord(std::string_view line, const SourceLoc& at);

// What a policy's fs, net and scope rules say of a Landlock access record.
struct AccessExplained {
  enum class Match {
    kDecided,      // the policy handles the denied rights and grants them not here: it denied
    kOtherDomain,  // it does not handle them, or grants them here: another domain denied
    kUnknown,      // the record does not say enough (name= without its directory, no port)
  };
  Match match = Match::kUnknown;
  uint64_t fs = 0, net = 0, scopes = 0;                  // the denied rights sysgate knows
  uint64_t handled_fs = 0, handled_net = 0, scoped = 0;  // of those, what the policy handles
  uint64_t granted_fs = 0, granted_net = 0;  // of those, what its rules grant on the object
  std::vector<const PathRule*> path_rules;   // GrantedOnResolved's rules for the path
  const PortRule* port_rule = nullptr;       // PortGrantedBy's rule for the port
  // ptrace and fs.change_topology: Landlock denies them to every domain, whatever its rules.
  bool any_domain = false;
  std::vector<std::string> unknown;  // blockers sysgate has no rule for (a later kernel's)
};
// `rules` as the policy wrote them: their paths are resolved here where they exist, as the
// kernel took them (GrantedOnResolved; the record's path is resolved already).
AccessExplained ExplainAccess(const LandlockRecord& record, const AccessRules& rules);

// Landlock's name of a right without its prefix and in the language's words: "read-file",
// "connect", "signals"; the kernel's own for what sysgate has no name for.
std::string BlockerText(std::string_view blocker);

}  // namespace sysgate::analysis
