// What `sysgate run` prints about the calls a policy stops: the first of each kind (syscall,
// verdict, rule) with the group that decided it and how to allow it, then only counted, with
// the counts at exit; in audit mode each call the policy would have stopped, with a summary.
// A kind's first report is always printed; only the repeats audit mode shows are rate-limited.
// Calls of numbers without a name count as one kind per rule, so the kinds are bounded by the
// syscall names times the rules: a program cannot flood the supervisor's output, grow its
// memory, nor hide a call among many cheap ones.
#pragma once

#include <cstdint>
#include <cstdio>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "journal.h"
#include "kernel_denials.h"
#include "sysgate/access_rules.h"
#include "sysgate/interpreter.h"
#include "sysgate/run.h"

namespace sysgate::cli {

struct ReportStyle {
  bool quiet = false;
  bool json = false;     // JSON objects instead of text
  bool verbose = false;  // also the expected fallbacks (clone3 -> ENOSYS, which libc answers)
  // For the hint: the policy file, whose rules can allow a call; empty for a built-in profile
  // and for files in other formats (an "allow" line means nothing in Docker's JSON).
  std::string policy_file;
};

// Where reports go (stderr, --report-file, or the journal). Line() is rate-limited: at most
// kBurst lines at once and kPerSecond after that; the others are counted and the count printed
// at the end. To the journal, each report (a JSON line: the reporters write JSON for it) is an
// entry with its fields (journal.h).
class ReportSink {
 public:
  static constexpr double kPerSecond = 50;
  static constexpr double kBurst = 200;

  explicit ReportSink(std::FILE* out) : out_(out) {}
  explicit ReportSink(Journal* journal) : out_(nullptr), journal_(journal) {}
  void Line(const std::string& line);    // rate-limited
  void Always(const std::string& line);  // a kind's first report, a summary: not limited
  uint64_t dropped() const { return dropped_; }
  uint64_t lost() const { return lost_; }  // entries the journal did not take

 private:
  std::FILE* out_;
  Journal* journal_ = nullptr;
  uint64_t lost_ = 0;
  double tokens_ = kBurst;
  double last_ = -1;  // seconds (CLOCK_MONOTONIC) of the last refill
  uint64_t dropped_ = 0;
};

// Calls counted by kind (syscall, what happened, which rule). Unnamed numbers are one syscall,
// kUnnamed, so the kinds are bounded by design; kMaxKinds is a safety net above that bound (a
// policy of 100 rules): past it, calls are counted as `untracked`, with their syscalls' names.
class CallTally {
 public:
  static constexpr size_t kMaxKinds = 65536;
  static constexpr std::string_view kUnnamed = "(numbers without a name)";
  using Kind = std::tuple<std::string, std::string, std::string,
                          std::string>;  // syscall, outcome, rule, group

  // How many calls of this kind there have been, this one included; 0 once kinds are full.
  uint64_t Count(const Kind& kind);
  const std::map<Kind, uint64_t>& counts() const { return counts_; }
  uint64_t total() const { return total_; }
  uint64_t untracked() const { return untracked_; }
  const std::set<std::string>& untracked_syscalls() const { return untracked_syscalls_; }

 private:
  std::map<Kind, uint64_t> counts_;
  std::set<std::string> untracked_syscalls_;  // bounded: names, and kUnnamed
  uint64_t total_ = 0, untracked_ = 0;
};

// What a policy's fs and net rules deny of a call that reached the supervisor for them
// (--audit, --report-access): which rules ("fs rules", "net rules") and why, or nothing.
// Counts the rights `fs` and `net` only: what the ruleset enforces (all of the policy's in
// audit mode, which enforces nothing).
class AccessCheck {
 public:
  AccessCheck(const AccessRules& rules, uint64_t fs, uint64_t net);
  // `object`, when given: what was denied, as the kernel's record names it (DeniedObject).
  std::optional<AccessDenial> Denial(const run::Call& c, std::string* object = nullptr) const;
  // Why the kernel denied what its record says (run --log): in Denial()'s words where the
  // record names a path or a port, else from the record's own rights.
  AccessDenial Recorded(const analysis::LandlockRecord& r) const;

 private:
  AccessRules rules_;
  std::vector<std::string> real_paths_;  // RealRulePaths(rules_), as the kernel took them
  uint64_t fs_, net_;
};

// run --report-access --log: the denials the supervisor reported, by process and call, until
// the kernel's record of each comes (it comes after: the supervisor reports before it lets the
// call go on), so that the record does not count the denial again. An entry lasts
// kWindowSeconds: a denial the supervisor foresaw but the kernel did not make leaves no entry
// behind to swallow a later record of that process and call. At most kMax are held.
class UnconfirmedDenials {
 public:
  static constexpr double kWindowSeconds = 2;
  static constexpr size_t kMax = 4096;
  // The process (tgid), the call (its AUDIT_ARCH and number) and what it was denied
  // (DeniedObject): a record of another object is not this denial.
  using Key = std::tuple<int32_t, uint32_t, int64_t, std::string>;
  void Add(Key key);
  // Whether a record is one of those; it is then taken.
  bool Confirms(const Key& key);

 private:
  void Expire(double now);
  std::deque<std::pair<double, Key>> pending_;  // with when each came, oldest first
};
// What a denial was of, as the kernel's record names it: the path, or "TCP port N".
std::string DeniedObject(const std::optional<std::string>& path, std::optional<uint16_t> port);

// The default mode: blocked calls.
class BlockedReporter {
 public:
  BlockedReporter(ReportStyle style, ReportSink sink) : style_(std::move(style)), sink_(sink) {}
  // sysgate: blocked fchown(4, 1000, 1000) = -1 EPERM (Operation not permitted)  [x86_64 #93, pid
  // 4242, rule <profile strict>:12:1 (@privileged)] sysgate:   allow it with --allow fchown
  void Report(const Policy& policy, const run::Call& c);
  // The kinds blocked more than once, with their counts; reports dropped by the rate limit.
  void Summary();
  const ReportSink& sink() const { return sink_; }
  // run --report-access: the calls allowed by the policy come for this check.
  void CheckAccess(AccessCheck check) { access_.emplace(std::move(check)); }
  // run --log: the denials the kernel recorded come, explained by this check.
  void ReadRecords(AccessCheck check) { recorded_.emplace(std::move(check)); }
  // sysgate: denied openat by the fs rules: no rule grants read-file on /etc/shadow  [x86_64
  // #257, pid 4242, <fs rules>, the kernel's record]. Counted with the supervisor's denials;
  // the record of one the supervisor reported is not counted again.
  void ReportRecorded(const KernelDenial& d);

 private:
  ReportStyle style_;
  ReportSink sink_;
  CallTally tally_;
  // Denials by the fs and net rules, apart: they name paths and ports, so there can be many
  // kinds, which must not crowd blocked calls out of tally_.
  CallTally denied_;
  std::optional<AccessCheck> access_, recorded_;
  UnconfirmedDenials unconfirmed_;
};

// Audit mode: every call the policy would stop runs, and is reported; so is every call its fs
// and net rules would deny (checked on the calls that reach files and ports, which audit mode
// also sends to the supervisor); Summary() at the end.
class Auditor {
 public:
  // `log` (may be null): every call also as a JSON line.
  Auditor(ReportStyle style, ReportSink sink, std::FILE* log)
      : style_(std::move(style)), sink_(sink), log_(log) {}
  void Report(const Policy& policy, const run::Call& c);
  void Summary();
  const ReportSink& sink() const { return sink_; }
  // The policy has scope rules, which audit mode cannot check: the summary says so.
  void SetScopeUnchecked() { scope_unchecked_ = true; }
  // The policy has fs or net rules: the calls it allows come for this check.
  void CheckAccess(AccessCheck check) { access_.emplace(std::move(check)); }

 private:
  static constexpr uint64_t kRepeatsShown = 3;
  bool scope_unchecked_ = false;
  std::optional<AccessCheck> access_;
  ReportStyle style_;
  ReportSink sink_;
  std::FILE* log_;
  CallTally tally_;
};

}  // namespace sysgate::cli
