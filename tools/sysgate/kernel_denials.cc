#include "kernel_denials.h"

#include <linux/audit.h>
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <time.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "kernel/audit_log.h"
#include "sysgate/limits.h"

namespace sysgate::cli {

namespace {
// The record types read: Landlock's, and what tells an event's call and end.
constexpr uint16_t kLandlockAccess = 1423, kLandlockDomain = 1424;
}  // namespace

std::optional<int32_t> DomainDenials::ParentFromProc(int32_t pid) {
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // "PID (COMM) STATE PPID ...": the name may hold anything, the last ')' ends it.
  const size_t close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream rest(text.substr(close + 1));
  std::string state;
  int32_t ppid = 0;
  if (!(rest >> state >> ppid)) return std::nullopt;
  return ppid;
}

std::vector<KernelDenial> DomainDenials::Add(uint16_t type, std::string_view text) {
  std::vector<KernelDenial> out;
  if (type != kLandlockAccess && type != kLandlockDomain && type != AUDIT_SYSCALL &&
      type != AUDIT_EOE) {
    return out;
  }
  // As the kernel's log prints it: the type is the netlink header's, the text cannot name one.
  const std::string line = fmt::format("audit: type={} {}", type, text);
  auto parsed = analysis::ParseAuditRecord(line, {"the kernel's audit log", 0, 0});
  if (!parsed) {
    ++malformed_;
    return out;
  }
  if (!*parsed) return out;
  if (const auto* l = std::get_if<analysis::LandlockRecord>(&**parsed)) {
    using Kind = analysis::LandlockRecord::Kind;
    if (l->kind == Kind::kDomainDeallocated) {
      if (auto it = ours_.find(l->domain); it != ours_.end()) it->second = true;
      return out;
    }
    if (l->kind == Kind::kAccess && foreign_.contains(l->domain)) return out;
    // A domain record is told at once: one not made by the child drops its event's records
    // (it is written with the first of them) before a flood of such events can push the run's
    // out.
    if (l->kind == Kind::kDomainAllocated && !candidates_.contains(l->domain) &&
        !ours_.contains(l->domain) && !MadeByChild(*l)) {
      Foreign(l->domain);
      Drop(l->domain);
      return out;
    }
    if (HeldRecords() >= kMaxHeldRecords) EndOldest(out);
    Event* e = Held(l->stamp, /*make=*/true, out);
    if (!e) return out;
    std::vector<analysis::LandlockRecord>& list =
        l->kind == Kind::kDomainAllocated ? e->domains : e->access;
    if (list.size() < limits::kMaxLogEventRecords) list.push_back(*l);
    return out;
  }
  if (const auto* c = std::get_if<analysis::SyscallRecord>(&**parsed)) {
    if (Event* e = Held(c->stamp, /*make=*/false, out)) e->call = *c;
    return out;
  }
  if (const auto* end = std::get_if<analysis::EventEnd>(&**parsed)) {
    if (!end->stamp.serial) return out;
    if (auto it = events_.find(*end->stamp.serial); it != events_.end()) {
      End(it->second, out);
      events_.erase(it);
    }
  }
  return out;
}

// The event of `stamp`, made when `make` (the oldest one ended to make room); null without a
// serial, which every record the kernel sends has.
DomainDenials::Event* DomainDenials::Held(const analysis::AuditStamp& stamp, bool make,
                                          std::vector<KernelDenial>& out) {
  if (!stamp.serial) return nullptr;
  if (auto it = events_.find(*stamp.serial); it != events_.end()) return &it->second;
  if (!make) return nullptr;
  if (events_.size() >= kMaxEvents) EndOldest(out);
  Event& e = events_[*stamp.serial];
  e.millis = stamp.seconds.value_or(0) * 1000 + stamp.millis;
  return &e;
}

size_t DomainDenials::HeldRecords() const {
  size_t n = 0;
  for (const auto& [serial, e] : events_) n += e.access.size() + e.domains.size();
  return n;
}

// Ends the oldest event that holds nothing of the run's (nor of a candidate), or the oldest.
void DomainDenials::EndOldest(std::vector<KernelDenial>& out) {
  if (events_.empty()) return;
  auto pick = std::ranges::find_if(events_, [&](const auto& held) {
    const Event& e = held.second;
    return e.domains.empty() && std::ranges::none_of(e.access, [&](const auto& a) {
             return ours_.contains(a.domain) || candidates_.contains(a.domain);
           });
  });
  if (pick == events_.end()) pick = events_.begin();
  End(pick->second, out);
  events_.erase(pick);
}

// Lets go of the held access records of a domain found not to be the run's.
void DomainDenials::Drop(uint64_t domain) {
  for (auto& [serial, e] : events_)
    std::erase_if(e.access, [&](const auto& a) { return a.domain == domain; });
}

// The child made the domain, as far as its record says, and not after the child was reaped.
bool DomainDenials::MadeByChild(const analysis::LandlockRecord& d) const {
  if (!d.pid || !pids_.contains(*d.pid) || d.exe != exe_) return false;
  return !reaped_ms_ || d.stamp.seconds.value_or(0) * 1000 + d.stamp.millis <= *reaped_ms_;
}

void DomainDenials::End(Event& e, std::vector<KernelDenial>& out) {
  for (const analysis::LandlockRecord& d : e.domains) Learn(d, e);
  e.domains.clear();
  for (analysis::LandlockRecord& a : e.access) {
    // A candidate becomes the run's with its first denial seen in the program's tree.
    if (candidates_.contains(a.domain)) {
      if (!e.call || !InTree(*e.call, e)) {
        ++unconfirmed_;
        continue;
      }
      candidates_.erase(a.domain);
      if (ours_.size() < kMaxDomains) ours_.emplace(a.domain, false);
    }
    if (ours_.contains(a.domain)) out.push_back({std::move(a), e.call});
  }
  e.access.clear();
}

void DomainDenials::Learn(const analysis::LandlockRecord& d, const Event& e) {
  if (ours_.contains(d.domain) || foreign_.contains(d.domain) || candidates_.contains(d.domain))
    return;
  if (!MadeByChild(d)) return Foreign(d.domain);
  // Made by the child as far as the record says; whether the pid was the child's then is told
  // by where its denials are made (End).
  if (!e.call || !InTree(*e.call, e)) {
    if (candidates_.size() < kMaxDomains) candidates_.insert(d.domain);
    return;
  }
  if (ours_.size() < kMaxDomains) ours_.emplace(d.domain, false);
}

bool DomainDenials::InTree(const analysis::SyscallRecord& call, const Event& e) const {
  // After the child was reaped its pid may be another process's (50 ms: the kernel's coarse
  // clock of the stamps).
  if (reaped_ms_ && e.millis > *reaped_ms_ + 50) return false;
  if (call.pid && pids_.contains(*call.pid)) return true;
  if (!call.ppid) return false;
  // The parent still runs, mostly (the shell that waits for the denied command): up from it.
  std::optional<int32_t> p = call.ppid;
  for (int depth = 0; p && *p > 1 && depth < 64; ++depth) {
    if (pids_.contains(*p)) return true;
    p = parent_of_(*p);
  }
  return false;
}

void DomainDenials::Foreign(uint64_t domain) {
  foreign_.insert(domain);
  // Landlock numbers domains in the order it makes them: the smallest is the oldest.
  if (foreign_.size() > kMaxForeign) foreign_.erase(foreign_.begin());
}

std::vector<KernelDenial> DomainDenials::Flush() {
  std::vector<KernelDenial> out;
  // A record made outside a syscall has an event of its own: its domain's may come later.
  for (auto& [serial, e] : events_) {
    for (const analysis::LandlockRecord& d : e.domains) Learn(d, e);
  }
  for (auto& [serial, e] : events_) End(e, out);
  events_.clear();
  return out;
}

struct KernelDenialReader::State {
  explicit State(std::string exe, Report r) : denials(std::move(exe)), report(std::move(r)) {}
  void Read();

  kernel::AuditLog log;
  DomainDenials denials;  // the thread's alone
  Report report;
  std::mutex mutex;  // guards what follows
  std::condition_variable changed;
  std::vector<pid_t> expected;
  bool started = false, finishing = false, stop = false;
  std::chrono::steady_clock::time_point finish_at;
  int64_t reaped_ms = 0;  // when Finish() was called (the child reaped), in the stamps' clock
  std::string problem;
  std::string caveat;                     // set before the thread starts
  std::optional<uint32_t> lost_at_start;  // the kernel's count of records it dropped
  std::thread thread;
};

void KernelDenialReader::State::Read() {
  using Clock = std::chrono::steady_clock;
  {
    std::unique_lock lock(mutex);
    changed.wait(lock, [&] { return started || stop; });
  }
  try {
    for (;;) {
      bool finish = false;
      Clock::time_point since;
      {
        std::lock_guard lock(mutex);
        if (stop) break;
        for (pid_t pid : expected) denials.Expect(pid);
        expected.clear();
        finish = finishing;
        since = finish_at;
        if (finish) denials.Reaped(reaped_ms);
      }
      auto records = log.Receive(20);
      if (!records) {
        std::lock_guard lock(mutex);
        problem = records.error().ToString();
        break;
      }
      for (const kernel::AuditLog::Record& r : *records) {
        for (const KernelDenial& d : denials.Add(r.type, r.text)) report(d);
      }
      if (!finish) continue;
      const auto waited = Clock::now() - since;
      if (denials.AllEnded() || waited >= std::chrono::seconds(1)) break;
      if (waited >= std::chrono::milliseconds(kQuietMs) && !denials.AnyOurs()) break;
    }
    for (const KernelDenial& d : denials.Flush()) report(d);
  } catch (const std::exception& e) {
    std::lock_guard lock(mutex);
    problem = e.what();
  }
}

KernelDenialReader::KernelDenialReader(std::shared_ptr<State> state) : state_(std::move(state)) {}

std::variant<std::unique_ptr<KernelDenialReader>, std::string> KernelDenialReader::Start(
    Report report) {
  char exe[4096];
  const ssize_t n = readlink("/proc/self/exe", exe, sizeof exe);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof exe) return "/proc/self/exe cannot be read";
  auto state = std::make_shared<State>(std::string(exe, static_cast<size_t>(n)), std::move(report));
  if (auto opened = state->log.Open(); !opened) return opened.error().ToString();
  std::vector<std::string> caveats;
  if (kernel::InInitialNetNamespace() == std::nullopt) {  // (Open refused another)
    caveats.push_back(
        "whether this is the initial network namespace, the only one the kernel "
        "sends its records to, cannot be told: if it is not, none comes");
  }
  // Asked after joining: whoever may read the records may mostly ask too (CAP_AUDIT_CONTROL).
  if (auto audit = kernel::AskAuditState(); !audit) {
    caveats.push_back("whether audit is enabled cannot be asked (" + audit.error().ToString() +
                      "): if it is not, the kernel makes no record to report");
  } else if (!audit->enabled) {
    return "audit is disabled: auditctl -e 1 enables it";
  } else {
    state->lost_at_start = audit->lost;
  }
  state->caveat = fmt::format("{}", fmt::join(caveats, "; "));
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &old);
  try {
    state->thread = std::thread([s = state.get()] { s->Read(); });
  } catch (...) {
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return "no thread to read them";
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return std::unique_ptr<KernelDenialReader>(new KernelDenialReader(std::move(state)));
}

void KernelDenialReader::Expect(pid_t pid) {
  {
    std::lock_guard lock(state_->mutex);
    state_->expected.push_back(pid);
    state_->started = true;
  }
  state_->changed.notify_all();
}

std::string KernelDenialReader::Finish() {
  {
    std::lock_guard lock(state_->mutex);
    state_->finishing = true;
    state_->started = true;
    state_->finish_at = std::chrono::steady_clock::now();
    timespec now{};
    clock_gettime(CLOCK_REALTIME, &now);  // the clock of the records' stamps
    state_->reaped_ms = static_cast<int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
  }
  state_->changed.notify_all();
  if (state_->thread.joinable()) state_->thread.join();
  std::vector<std::string> problems;
  if (!state_->problem.empty()) problems.push_back("reading them failed: " + state_->problem);
  // The kernel drops records itself past its backlog or rate limit, machine-wide: anyone
  // making many can make it drop the run's.
  if (auto audit = kernel::AskAuditState();
      audit && state_->lost_at_start && audit->lost != *state_->lost_at_start) {
    problems.push_back(fmt::format(
        "the kernel lost {} audit records meanwhile (its backlog or rate limit, machine-wide): "
        "denials may be missing",
        audit->lost - *state_->lost_at_start));
  }
  if (state_->log.overruns() > 0) {
    problems.push_back(
        fmt::format("the kernel dropped some for want of room ({} times)", state_->log.overruns()));
  }
  if (state_->denials.unconfirmed() > 0) {
    problems.push_back(fmt::format(
        "{} denial(s) by a domain that names the program's pid and sysgate could not be told "
        "to be made in the program's processes (their parents had gone, or the call's record "
        "did not come): not reported",
        state_->denials.unconfirmed()));
  }
  if (state_->denials.malformed() > 0) {
    problems.push_back(fmt::format("{} could not be read (not of the kernel's shape)",
                                   state_->denials.malformed()));
  }
  return fmt::format("{}", fmt::join(problems, "; "));
}

int KernelDenialReader::fd() const { return state_->log.fd(); }

const std::string& KernelDenialReader::caveat() const { return state_->caveat; }

KernelDenialReader::~KernelDenialReader() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stop = true;
  }
  state_->changed.notify_all();
  if (state_->thread.joinable()) state_->thread.join();
}

}  // namespace sysgate::cli
