// run --log: the program's Landlock denials as the kernel records them (Landlock ABI 7, audit
// enabled), read while it runs and reported as the supervisor's reports are (docs/landlock.md,
// "Reports").
//
//   auto reader = KernelDenialReader::Start([&](const KernelDenial& d) { ... });
//   if (auto* why = std::get_if<std::string>(&reader)) ...   // "audit is disabled", ...
//   ... reader->Expect(child);   // once forked: its domains are the run's
//   ... reader->Finish();        // after the run: the records still on their way, then stop
#pragma once

#include <sys/types.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "sysgate/explain.h"

namespace sysgate::cli {

// A denial by one of the run's domains: Landlock's access record, and its event's SYSCALL
// record (the call and the process) when one came.
struct KernelDenial {
  analysis::LandlockRecord access;
  std::optional<analysis::SyscallRecord> call;
};

// The kernel's records grouped by event, keeping the denials of the run's domains. A domain is
// the run's when its LANDLOCK_DOMAIN record (written with the domain's first denial) names a
// pid given to Expect() and `exe`, this program's executable, which the runner's child still
// ran when it made the domain, and once one of its denials is made in the program's process
// tree (its SYSCALL record's process or parent is the child, or the child is an ancestor of
// that parent): a domain that another process made under a pid since given to the child is not
// the run's. Until then its denials are only counted (unconfirmed()): a daemon whose parents
// have gone cannot be told to be the program's. A domain the program makes itself, or anyone
// else's, is left out, and its later records are not held; so is a record not of the kernel's
// shape. Bounded: kMaxEvents events
// are held and kMaxHeldRecords records in all (the oldest event ends when more come), each
// event with kMaxLogEventRecords access records; kMaxDomains domains are the run's and
// kMaxForeign others are remembered. When full, the oldest event that holds nothing of the run's
// ends first; a domain record not made by the child drops its event's records at once.
class DomainDenials {
 public:
  static constexpr size_t kMaxEvents = 256;
  static constexpr size_t kMaxHeldRecords = 1024;
  static constexpr size_t kMaxDomains = 64;
  static constexpr size_t kMaxForeign = 4096;
  // A process's parent (/proc/PID/stat), nothing when it is gone.
  using ParentOf = std::function<std::optional<int32_t>(int32_t pid)>;
  static std::optional<int32_t> ParentFromProc(int32_t pid);

  explicit DomainDenials(std::string exe, ParentOf parent_of = ParentFromProc)
      : exe_(std::move(exe)), parent_of_(std::move(parent_of)) {}
  void Expect(int32_t pid) { pids_.insert(pid); }
  // The child was reaped at `millis` (CLOCK_REALTIME, the stamps' clock): its pid may be
  // another process's in records stamped later.
  void Reaped(int64_t millis) { reaped_ms_ = millis; }
  // One record: its type (the netlink header's, never the text's) and text ("audit(...): ...").
  // The denials of the events it ended.
  std::vector<KernelDenial> Add(uint16_t type, std::string_view text);
  // The denials of every event held.
  std::vector<KernelDenial> Flush();
  // A domain of the run's has denied something, and every one has since been freed (its
  // "deallocated" record): no record of the run is to come.
  bool AllEnded() const {
    return !ours_.empty() && std::ranges::all_of(ours_, [](const auto& d) { return d.second; });
  }
  bool AnyOurs() const { return !ours_.empty(); }
  size_t malformed() const { return malformed_; }
  // Denials by a domain that names the child and sysgate, made where the program's process
  // tree could not be told (a process whose parents had gone, a record without its call),
  // before any of its denials was made in it: not given.
  size_t unconfirmed() const { return unconfirmed_; }

 private:
  struct Event {
    int64_t millis = 0;  // its stamp
    std::vector<analysis::LandlockRecord> access, domains;
    std::optional<analysis::SyscallRecord> call;
  };
  Event* Held(const analysis::AuditStamp& stamp, bool make, std::vector<KernelDenial>& out);
  void EndOldest(std::vector<KernelDenial>& out);
  size_t HeldRecords() const;
  void End(Event& e, std::vector<KernelDenial>& out);
  void Learn(const analysis::LandlockRecord& domain, const Event& e);
  bool MadeByChild(const analysis::LandlockRecord& domain) const;
  bool InTree(const analysis::SyscallRecord& call, const Event& e) const;
  void Foreign(uint64_t domain);
  void Drop(uint64_t domain);

  std::string exe_;
  ParentOf parent_of_;
  std::set<int32_t> pids_;
  // By serial (audit(...:SERIAL)), which the kernel counts up: the oldest first.
  std::map<uint64_t, Event> events_;
  std::map<uint64_t, bool> ours_;  // the run's domains: freed or not
  std::set<uint64_t> candidates_;  // named the child and sysgate; no denial in its tree yet
  std::set<uint64_t> foreign_;
  std::optional<int64_t> reaped_ms_;
  size_t malformed_ = 0, unconfirmed_ = 0;
};

// A thread that reads the kernel's audit log (kernel/audit_log.h) and hands the run's denials
// to `report` as their events end. It blocks every signal (the runner's are for the runner).
class KernelDenialReader {
 public:
  using Report = std::function<void(const KernelDenial&)>;
  // Joins the audit log now, before the program runs; why it cannot, in a few words ("audit
  // is disabled", "no CAP_AUDIT_READ") when it cannot.
  static std::variant<std::unique_ptr<KernelDenialReader>, std::string> Start(Report report);
  ~KernelDenialReader();
  KernelDenialReader(const KernelDenialReader&) = delete;
  KernelDenialReader& operator=(const KernelDenialReader&) = delete;

  // The runner's child: records are read from here on (they wait in the socket until then).
  void Expect(pid_t pid);
  // After the run: reads on until the run's domains have been freed (a second at most) or,
  // when none denied anything, for kQuietMs more; then stops. Problems met, in words (records
  // lost, the log failing), or empty.
  std::string Finish();
  // The audit socket, which the program must not be given (run::Options::supervisor_fds).
  int fd() const;
  // What may keep records from coming though the log was joined ("whether audit is enabled
  // cannot be asked: ..."), or empty.
  const std::string& caveat() const;

  static constexpr int kQuietMs = 100;

 private:
  struct State;
  explicit KernelDenialReader(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace sysgate::cli
