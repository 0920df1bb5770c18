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

#include <cstdint>
#include <deque>
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

// The kernel's records grouped by event, keeping the denials of the run's domains: those whose
// LANDLOCK_DOMAIN record (written with a domain's first denial) names a pid given to Expect()
// and `exe`, this program's executable, which the runner's child still ran when it made the
// domain. A domain the program makes itself, or anyone else's, is left out, and so is a record
// not of the kernel's shape. Bounded: kMaxEvents events are held (the oldest ends when more
// come), each with kMaxLogEventRecords access records, and kMaxDomains domains are the run's.
class DomainDenials {
 public:
  static constexpr size_t kMaxEvents = 256;
  static constexpr size_t kMaxDomains = 64;

  explicit DomainDenials(std::string exe) : exe_(std::move(exe)) {}
  void Expect(int32_t pid) { pids_.insert(pid); }
  // One record: its type (the netlink header's, never the text's) and text ("audit(...): ...").
  // The denials of the events it ended.
  std::vector<KernelDenial> Add(uint16_t type, std::string_view text);
  // The denials of every event held.
  std::vector<KernelDenial> Flush();
  // A domain of the run's has denied something, and every one has since been freed (its
  // "deallocated" record): no record of the run is to come.
  bool AllEnded() const { return !ours_.empty() && ended_ == ours_.size(); }
  bool AnyOurs() const { return !ours_.empty(); }
  size_t malformed() const { return malformed_; }

 private:
  using Key = std::pair<int64_t, uint64_t>;  // audit(SECONDS...:SERIAL)
  struct Event {
    std::vector<analysis::LandlockRecord> access, domains;
    std::optional<analysis::SyscallRecord> call;
  };
  Event* Held(const analysis::AuditStamp& stamp, bool make, std::vector<KernelDenial>& out);
  void End(Event& e, std::vector<KernelDenial>& out);
  void Learn(const analysis::LandlockRecord& domain);

  std::string exe_;
  std::set<int32_t> pids_;
  std::map<Key, Event> events_;
  std::deque<Key> order_;  // events_, oldest first
  std::map<uint64_t, bool> ours_;  // the run's domains: freed or not
  size_t ended_ = 0, malformed_ = 0;
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

  static constexpr int kQuietMs = 100;

 private:
  struct State;
  explicit KernelDenialReader(std::shared_ptr<State> state);
  std::shared_ptr<State> state_;
};

}  // namespace sysgate::cli
