#include "run_report.h"

#include "cli_util.h"

#include <string.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "supervise/access_effects.h"
#include "sysgate/access_rules.h"
#include "sysgate/policy.h"

namespace sysgate::cli {

// Reports hold what the program chose (paths of its calls): bytes that are not UTF-8 become
// U+FFFD in JSON rather than an exception that would lose the report.
constexpr auto kInvalidUtf8 = nlohmann::json::error_handler_t::replace;
namespace {

// Calls a C library makes knowing they may fail, and then does without or falls back to an
// older call: their refusal is expected and costs the program nothing.
struct ExpectedFallback {
  std::string_view syscall;
  int error;  // the errno it falls back on; 0: any
  std::string_view what;
};
constexpr ExpectedFallback kFallbacks[] = {
    {"clone3", ENOSYS, "C libraries fall back to clone"},
    {"faccessat2", ENOSYS, "glibc falls back to faccessat"},
    {"fchmodat2", ENOSYS, "glibc falls back to fchmodat"},
    {"statx", ENOSYS, "glibc falls back to fstatat"},
    {"close_range", ENOSYS, "callers fall back to closing fds one by one"},
    {"rseq", 0, "glibc goes on without restartable sequences"},
};

std::string_view FallbackOf(std::string_view syscall, int error) {
  for (const ExpectedFallback& f : kFallbacks) {
    if (f.syscall == syscall && (f.error == 0 || f.error == error)) return f.what;
  }
  return {};
}

// Calls the built-in profiles deny on purpose because of what they give a program: a hint to
// allow one is worded as a warning, with why.
struct Risky {
  std::string_view syscall;
  std::string_view why;
};
constexpr Risky kRisky[] = {
    {"ptrace", "it reads and changes other processes"},
    {"process_vm_readv", "it reads other processes' memory"},
    {"process_vm_writev", "it changes other processes' memory"},
    {"io_uring_setup", "io_uring's operations bypass seccomp"},
    {"io_uring_enter", "io_uring's operations bypass seccomp"},
    {"io_uring_register", "io_uring's operations bypass seccomp"},
    {"ioctl", "TIOCSTI and TIOCLINUX push input into a terminal"},
    {"unshare", "new namespaces open much of the kernel to the program"},
    {"setns", "it enters other processes' namespaces"},
    {"userfaultfd", "it helps exploit kernel races"},
    {"bpf", "it loads programs into the kernel"},
    {"perf_event_open", "it observes other processes and the kernel"},
    {"keyctl", "the kernel keyring is shared beyond the program"},
    {"add_key", "the kernel keyring is shared beyond the program"},
};

std::string_view RiskOf(std::string_view syscall) {
  for (const Risky& r : kRisky) {
    if (r.syscall == syscall) return r.why;
  }
  return {};
}

// How to allow a blocked call: an --allow, and where in the policy file a rule would.
std::string HintFor(const ReportStyle& style, const Policy& policy, const Verdict& v,
                    std::string_view syscall) {
  std::string hint = fmt::format("allow it with --allow {}", syscall);
  if (style.policy_file.empty()) return hint;
  if (v.reason != Verdict::Reason::kRule) {
    return hint + fmt::format(", or \"allow {}\" in {}", syscall, style.policy_file);
  }
  const SourceLoc& loc = policy.rules[static_cast<size_t>(v.rule)].loc;
  if (!loc.known()) return hint + fmt::format(", or allow it in {}", loc.file);
  return hint + fmt::format(", or \"allow {}\" in {} before line {}", syscall, loc.file, loc.line);
}

// Whether a hint can help: the call failed with the policy's errno, by its default or one of
// its own rules (not sysgate's terminal rule, not an --allow or --deny of this run).
bool Hintable(const Policy& policy, const run::Call& c) {
  if (c.error == 0 || c.verdict.action.kind() != ActionKind::kErrno) return false;
  if (c.verdict.reason == Verdict::Reason::kDefault) return true;
  if (c.verdict.reason != Verdict::Reason::kRule) return false;
  const std::string& file = policy.rules[static_cast<size_t>(c.verdict.rule)].loc.file;
  return !file.starts_with("<sysgate") && !file.starts_with("--allow ") &&
         !file.starts_with("--deny ");
}

// What every report says about a call, in text and JSON.
struct CallFacts {
  int pid;
  std::string arch, syscall, call, action, rule, group;
  std::string denial;  // audit: why the fs or net rules would deny the call
  int32_t nr;
  bool named = false;  // the syscall has a name on its ABI

  CallFacts(const Policy& policy, const run::Call& c)
      : pid(c.pid),
        call(c.text),
        action(c.verdict.action.ToString()),
        rule(DecidedBy(policy, c.verdict)),
        nr(c.data.nr) {
    CallNames names = NamesOf(c.data);
    arch = std::move(names.arch);
    syscall = std::move(names.syscall);
    named = names.named;
    if (named) group = DecidingGroup(policy, c.verdict, syscall);
  }
  nlohmann::json Json(std::string_view event) const {
    nlohmann::json j = {{"event", event},     {"pid", pid},   {"arch", arch},     {"nr", nr},
                        {"syscall", syscall}, {"call", call}, {"action", action}, {"rule", rule}};
    if (!group.empty()) j["group"] = group;
    if (!denial.empty()) j["denial"] = denial;
    return j;
  }
  // The kind of the call, with what happened: all numbers without a name are one syscall.
  CallTally::Kind KindOf(const std::string& outcome) const {
    return {named ? syscall : std::string(CallTally::kUnnamed), outcome, rule, group};
  }
  std::string Where() const {
    return fmt::format("[{} #{}, pid {}, {}]", arch, nr, pid, RuleText(rule, group));
  }
};

double Now() {
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

// A summary row in JSON: the fields of the call's own event ("rule" and "group" apart).
nlohmann::json KindJson(std::string_view event, const CallTally::Kind& kind,
                        std::string_view outcome_key, uint64_t count) {
  const auto& [syscall, outcome, rule, group] = kind;
  nlohmann::json j = {
      {"event", event}, {"syscall", syscall}, {outcome_key, outcome}, {"rule", rule}};
  if (!group.empty()) j["group"] = group;
  j["count"] = count;
  return j;
}

// The end of a JSON summary: calls of kinds past the limit, reports the rate limit dropped.
void LimitsJson(ReportSink& sink, const CallTally& tally) {
  if (tally.untracked() > 0) {
    sink.Always(nlohmann::json({{"event", "untracked"},
                                {"count", tally.untracked()},
                                {"syscalls", tally.untracked_syscalls()}})
                    .dump(-1, ' ', false, kInvalidUtf8) +
                "\n");
  }
  if (sink.dropped() > 0)
    sink.Always(nlohmann::json({{"event", "dropped"}, {"count", sink.dropped()}})
                    .dump(-1, ' ', false, kInvalidUtf8) +
                "\n");
}

// The kinds that came more than once, most frequent first.
std::vector<std::pair<CallTally::Kind, uint64_t>> Repeated(const CallTally& tally,
                                                           uint64_t more_than) {
  std::vector<std::pair<CallTally::Kind, uint64_t>> rows;
  for (const auto& row : tally.counts()) {
    if (row.second > more_than) rows.push_back(row);
  }
  std::ranges::stable_sort(rows, [](const auto& a, const auto& b) { return a.second > b.second; });
  return rows;
}

}  // namespace

void ReportSink::Line(const std::string& line) {
  const double now = Now();
  if (last_ >= 0) tokens_ = std::min(kBurst, tokens_ + (now - last_) * kPerSecond);
  last_ = now;
  if (tokens_ < 1) {
    ++dropped_;
    return;
  }
  tokens_ -= 1;
  Always(line);
}

void ReportSink::Always(const std::string& line) {
  if (journal_) {
    nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
    Journal::Fields entry =
        j.is_object() ? JournalEntry(j)
                      : Journal::Fields{{"MESSAGE", line}, {"SYSLOG_IDENTIFIER", "sysgate"}};
    if (!journal_->Send(entry)) ++lost_;
    return;
  }
  std::fputs(line.c_str(), out_);
  std::fflush(out_);
}

uint64_t CallTally::Count(const Kind& kind) {
  ++total_;
  auto it = counts_.find(kind);
  if (it == counts_.end()) {
    if (counts_.size() >= kMaxKinds) {
      ++untracked_;
      untracked_syscalls_.insert(std::get<0>(kind));
      return 0;
    }
    it = counts_.emplace(kind, 0).first;
  }
  return ++it->second;
}

AccessCheck::AccessCheck(const AccessRules& rules, uint64_t fs, uint64_t net)
    : rules_(rules), real_paths_(RealRulePaths(rules_)), fs_(fs), net_(net) {}

// What the fs or net rules deny of a call the syscall rules allow: which rules and why, or
// nothing. (The files the program was started with are no denial: AccessEffectsOf leaves them
// out. What a move between directories would gain, which the kernel refuses with EXDEV, is not
// checked.)
std::optional<AccessDenial> AccessCheck::Denial(const run::Call& c, std::string* object) const {
  if (!c.pending || rules_.empty()) return std::nullopt;
  const supervise::AccessEffects e = supervise::AccessEffectsOf(
      *c.pending, (rules_.handled_fs & fs_) != 0, (rules_.handled_net & net_) != 0);
  // The paths are as the kernel resolves them for the call, the rules' as it took them.
  for (const auto& need : e.needs) {
    if (auto denied = FsDenial(rules_, need.path, need.access, fs_, real_paths_)) {
      if (object) *object = DeniedObject(need.path, std::nullopt);
      return denied;
    }
  }
  if (!e.port) return std::nullopt;
  if (object) *object = DeniedObject(std::nullopt, e.port->port);
  return NetDenial(rules_, e.port->access, e.port->port, net_);
}

void UnconfirmedDenials::Add(Key key) {
  const double now = Now();
  Expire(now);
  if (pending_.size() >= kMax) return;  // its record, when it comes, is reported: twice, not hidden
  pending_.emplace_back(now, std::move(key));
}

bool UnconfirmedDenials::Confirms(const Key& key) {
  Expire(Now());
  auto it = std::ranges::find(pending_, key, &std::pair<double, Key>::second);
  if (it == pending_.end()) return false;
  pending_.erase(it);
  return true;
}

void UnconfirmedDenials::Expire(double now) {
  while (!pending_.empty() && now - pending_.front().first > kWindowSeconds) pending_.pop_front();
}

std::string DeniedObject(const std::optional<std::string>& path, std::optional<uint16_t> port) {
  if (path) return *path;
  if (port) return fmt::format("TCP port {}", *port);
  return {};
}

AccessDenial AccessCheck::Recorded(const analysis::LandlockRecord& r) const {
  if (r.fs && r.path) {
    if (auto denied = FsDenial(rules_, *r.path, r.fs, fs_, real_paths_)) return *denied;
    return {"fs rules", fmt::format("the kernel denied {} on {}", FsAccessText(r.fs),
                                    base::PlainOrQuoted(*r.path))};
  }
  if (r.fs) {
    return {"fs rules", fmt::format("the kernel denied {} on an entry named {}", FsAccessText(r.fs),
                                    base::PlainOrQuoted(r.name.value_or("")))};
  }
  if (r.net && r.port) {
    if (auto denied = NetDenial(rules_, r.net, *r.port, net_)) return *denied;
    return {"net rules",
            fmt::format("the kernel denied {} to TCP port {}", NetAccessName(r.net), *r.port)};
  }
  if (r.scopes) {
    std::string to;
    if (r.opid) to = fmt::format(" (pid {})", *r.opid);
    return {"scope rules", fmt::format("the policy scopes {}{}", ScopeText(r.scopes), to)};
  }
  std::vector<std::string> rights;
  for (const std::string& b : r.blockers) rights.push_back(analysis::BlockerText(b));
  return {"Landlock rules",
          fmt::format("Landlock denies {} to every domain", fmt::join(rights, " "))};
}

void BlockedReporter::ReportRecorded(const KernelDenial& d) {
  if (style_.quiet || !recorded_) return;
  const AccessDenial denied = recorded_->Recorded(d.access);
  CallNames names{"?", "a call", false};
  int64_t nr = -1;
  if (d.call && d.call->arch && d.call->syscall) {
    SeccompData data;
    data.arch = *d.call->arch;
    data.nr = *d.call->syscall;
    names = NamesOf(data);
    nr = data.nr;
  }
  const int32_t pid = d.call && d.call->pid ? *d.call->pid : 0;
  const std::string rule = "<" + denied.rules + ">";
  const CallTally::Kind kind{names.named ? names.syscall : std::string(CallTally::kUnnamed),
                             "denied: " + denied.reason, rule, ""};
  // The kernel's record of a denial the supervisor reported already (--report-access): not
  // counted again. One it did not report (a call it does not see, or judged otherwise) is.
  if (d.call && d.call->pid && d.call->arch &&
      unconfirmed_.Confirms(
          {*d.call->pid, *d.call->arch, nr, DeniedObject(d.access.path, d.access.port)})) {
    return;
  }
  // Counted with the supervisor's denials: a kind reported once, whoever saw it first.
  if (denied_.Count(kind) != 1) return;
  if (style_.json) {
    nlohmann::json j = {{"event", "denied"},
                        {"source", "kernel"},
                        {"pid", pid},
                        {"arch", names.arch},
                        {"nr", nr},
                        {"syscall", names.syscall},
                        {"rule", rule},
                        {"denial", denied.reason},
                        {"blockers", d.access.blockers},
                        {"domain", fmt::format("{:x}", d.access.domain)}};
    if (d.access.path) j["path"] = *d.access.path;
    if (d.access.port) j["port"] = *d.access.port;
    sink_.Line(j.dump(-1, ' ', false, kInvalidUtf8) + "\n");
    return;
  }
  const std::string where = nr >= 0 ? fmt::format("{} #{}, pid {}", names.arch, nr, pid)
                                    : std::string("no call recorded");
  sink_.Line(fmt::format("sysgate: denied {} {}  [{}, {}, the kernel's record]\n", names.syscall,
                         denied.ToString(), where, rule));
}

void BlockedReporter::Report(const Policy& policy, const run::Call& c) {
  if (style_.quiet) return;
  CallFacts f(policy, c);
  if (c.verdict.action.kind() == ActionKind::kAllow) {  // run::FilterOptions::report_access
    std::string object;
    auto denied = access_ ? access_->Denial(c, &object) : std::nullopt;
    if (!denied) return;
    // Denials name their paths, so there can be many kinds: each kind's first is shown, at
    // the rate limit, and counted apart from blocked calls.
    f.rule = "<" + denied->rules + ">";
    f.group.clear();
    f.denial = denied->reason;
    // With --log its record will come too (ReportRecorded): that one is this denial.
    if (recorded_) unconfirmed_.Add({c.pending->tgid(), c.data.arch, c.data.nr, object});
    if (denied_.Count(f.KindOf("denied: " + f.denial)) != 1) return;
    f.call = c.pending->Describe();
    if (style_.json) {
      nlohmann::json j = f.Json("denied");
      j.erase("action");
      sink_.Line(j.dump(-1, ' ', false, kInvalidUtf8) + "\n");
    } else {
      sink_.Line(fmt::format("sysgate: denied {} {}  {}\n", f.call, denied->ToString(), f.Where()));
    }
    return;
  }
  auto name = ErrnoName(c.error);
  std::string outcome =
      fmt::format("-1 {} ({})", name ? *name : std::to_string(c.error), strerror(c.error));
  // The policy's own notify rule: sysgate run answers for it, and says so.
  if (c.verdict.action.kind() == ActionKind::kNotify) outcome += ", no handler for notify";
  if (c.error == 0)
    outcome = c.verdict.action.kind() == ActionKind::kErrno ? "0 (errno(0))" : "killed";
  const std::string_view fallback = f.named ? FallbackOf(f.syscall, c.error) : std::string_view();
  if (!fallback.empty() && !style_.verbose) return;
  // Only a kind's first call is reported, never rate-limited: a program cannot push a call out
  // of the reports by making many others first.
  if (tally_.Count(f.KindOf(outcome)) != 1) return;  // a repeat, or past the limit
  const std::string hint =
      f.named && Hintable(policy, c) ? HintFor(style_, policy, c.verdict, f.syscall) : "";
  const std::string_view risk = hint.empty() ? std::string_view() : RiskOf(f.syscall);
  if (style_.json) {
    nlohmann::json j = f.Json("blocked");
    j["result"] = outcome;
    if (!fallback.empty())
      j["expected"] = fallback;
    else if (!hint.empty())
      j["hint"] = hint;
    if (!risk.empty() && fallback.empty()) j["risk"] = risk;
    sink_.Always(j.dump(-1, ' ', false, kInvalidUtf8) + "\n");
    return;
  }
  std::string line = fmt::format("sysgate: blocked {} = {}  {}\n", f.call, outcome, f.Where());
  if (!fallback.empty())
    line += fmt::format("sysgate:   expected: {}\n", fallback);
  else if (!risk.empty())
    line += fmt::format("sysgate:   careful, {}: only if the program needs it, {}\n", risk, hint);
  else if (!hint.empty())
    line += fmt::format("sysgate:   {}\n", hint);
  if (!f.named)
    line += "sysgate:   further numbers without a name under this rule are only counted\n";
  sink_.Always(line);
}

void BlockedReporter::Summary() {
  if (style_.quiet) return;
  const auto rows = Repeated(tally_, 1);
  if (style_.json) {
    for (const auto& [kind, n] : rows)
      sink_.Always(KindJson("repeated", kind, "result", n).dump(-1, ' ', false, kInvalidUtf8) +
                   "\n");
    for (const auto& [kind, n] : Repeated(denied_, 1)) {
      sink_.Always(KindJson("repeated", kind, "result", n).dump(-1, ' ', false, kInvalidUtf8) +
                   "\n");
    }
    if (denied_.untracked() > 0) {
      sink_.Always(nlohmann::json({{"event", "untracked_denials"},
                                   {"count", denied_.untracked()},
                                   {"syscalls", denied_.untracked_syscalls()}})
                       .dump(-1, ' ', false, kInvalidUtf8) +
                   "\n");
    }
    LimitsJson(sink_, tally_);
    return;
  }
  if (!rows.empty()) {
    sink_.Always("sysgate: blocked more than once (the first call of each reported above):\n");
    for (const auto& [kind, n] : rows) {
      const auto& [syscall, outcome, rule, group] = kind;
      sink_.Always(
          fmt::format("  {:>8}  {:<20} {}  [{}]\n", n, syscall, outcome, RuleText(rule, group)));
    }
  }
  if (tally_.untracked() > 0) {
    sink_.Always(fmt::format(
        "sysgate: {} more blocked calls of kinds past the first {}, not reported: {}\n",
        tally_.untracked(), CallTally::kMaxKinds, fmt::join(tally_.untracked_syscalls(), ", ")));
  }
  if (denied_.total() > 0) {
    const auto denials = Repeated(denied_, 1);
    if (!denials.empty())
      sink_.Always("sysgate: denied more than once by the fs, net and scope rules:\n");
    for (const auto& [kind, n] : denials) {
      const auto& [syscall, outcome, rule, group] = kind;
      sink_.Always(fmt::format("  {:>8}  {:<20} {}  [{}]\n", n, syscall, outcome, rule));
    }
    if (denied_.untracked() > 0) {
      sink_.Always(
          fmt::format("sysgate: {} more denials of kinds past the first {}, not reported: {}\n",
                      denied_.untracked(), CallTally::kMaxKinds,
                      fmt::join(denied_.untracked_syscalls(), ", ")));
    }
  }
  if (sink_.dropped() > 0) {
    sink_.Always(fmt::format("sysgate: {} reports dropped (more than {:g} a second)\n",
                             sink_.dropped(), ReportSink::kPerSecond));
  }
}

void Auditor::Report(const Policy& policy, const run::Call& c) {
  CallFacts f(policy, c);
  const ActionKind verdict = c.verdict.action.kind();
  if (verdict == ActionKind::kAllow || verdict == ActionKind::kLog) {
    // Allowed by the syscall rules: here for the fs and net rules (RouteForAudit).
    auto denied = access_ ? access_->Denial(c) : std::nullopt;
    if (!denied) return;
    f.action = "denied";
    f.rule = "<" + denied->rules + ">";
    f.group.clear();
    f.denial = denied->reason;
  }
  const uint64_t seen = tally_.Count(f.KindOf(f.action));
  // A kind's first call is always shown; its repeats are rate-limited.
  auto show = [&](const std::string& text) { seen == 1 ? sink_.Always(text) : sink_.Line(text); };
  std::string line =
      log_ || style_.json ? f.Json("audit").dump(-1, ' ', false, kInvalidUtf8) + "\n" : "";
  if (log_) {
    std::fputs(line.c_str(), log_);
    std::fflush(log_);
  }
  if (style_.json) {
    show(line);
  } else if (!style_.quiet && seen != 0 && seen <= kRepeatsShown) {
    const std::string what = f.denial.empty()
                                 ? "would be stopped: " + f.action
                                 : fmt::format("would be denied by the {}: {}",
                                               f.rule.substr(1, f.rule.size() - 2), f.denial);
    show(fmt::format("sysgate: audit: {} {}  {}{}\n", f.call, what, f.Where(),
                     seen == kRepeatsShown ? " (further ones only counted)" : ""));
  }
}

void Auditor::Summary() {
  if (style_.quiet) return;
  if (style_.json) {
    sink_.Always(nlohmann::json({{"event", "audit_summary"}, {"count", tally_.total()}})
                     .dump(-1, ' ', false, kInvalidUtf8) +
                 "\n");
    for (const auto& [kind, n] : Repeated(tally_, 0))
      sink_.Always(KindJson("stopped", kind, "action", n).dump(-1, ' ', false, kInvalidUtf8) +
                   "\n");
    LimitsJson(sink_, tally_);
    return;
  }
  if (tally_.total() == 0) {
    sink_.Always(scope_unchecked_
                     ? "sysgate: audit: the policy would not have stopped anything (its "
                       "scope rules were not checked)\n"
                     : "sysgate: audit: the policy would not have stopped anything\n");
    return;
  }
  sink_.Always(fmt::format("sysgate: audit: {} call{} would have been stopped:\n", tally_.total(),
                           tally_.total() == 1 ? "" : "s"));
  for (const auto& [kind, n] : Repeated(tally_, 0)) {
    const auto& [syscall, action, rule, group] = kind;
    sink_.Always(
        fmt::format("  {:>8}  {:<20} {}, {}\n", n, syscall, action, RuleText(rule, group)));
  }
  if (tally_.untracked() > 0) {
    sink_.Always(fmt::format("  {:>8}  (calls of kinds past the first {}: {})\n",
                             tally_.untracked(), CallTally::kMaxKinds,
                             fmt::join(tally_.untracked_syscalls(), ", ")));
  }
  if (sink_.dropped() > 0) {
    sink_.Always(fmt::format("sysgate: audit: {} reports dropped (more than {:g} a second)\n",
                             sink_.dropped(), ReportSink::kPerSecond));
  }
}

}  // namespace sysgate::cli
