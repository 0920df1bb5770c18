#include "run_report.h"

#include "cli_util.h"

#include <string.h>

#include <algorithm>
#include <iostream>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace sysgate::cli {
namespace {

// What every report says about a call, in text and JSON.
struct CallFacts {
  int pid;
  std::string arch, syscall, call, action, rule;
  int32_t nr;

  CallFacts(const Policy& policy, int tid, const SeccompData& d, std::string text, const Verdict& v)
      : pid(tid), call(std::move(text)), action(v.action.ToString()), rule(DecidedBy(policy, v)), nr(d.nr) {
    auto abi = ArchFromAudit(d.arch, d.nr);
    arch = abi ? std::string(Info(*abi).name) : fmt::format("arch {:#x}", d.arch);
    auto name = abi ? SyscallName(*abi, d.nr) : std::nullopt;
    syscall = name ? std::string(*name) : fmt::format("#{}", d.nr);
  }
  nlohmann::json Json(std::string_view event) const {
    return {{"event", event}, {"pid", pid},   {"arch", arch},     {"nr", nr},
            {"syscall", syscall}, {"call", call}, {"action", action}, {"rule", rule}};
  }
  std::string Where() const { return fmt::format("[{} #{}, pid {}, {}]", arch, nr, pid, rule); }
};

}  // namespace

void ReportBlocked(const ReportStyle& style, const Policy& policy, const run::Call& c) {
  CallFacts f(policy, c.pid, c.data, c.text, c.verdict);
  auto name = ErrnoName(c.error);
  std::string outcome = fmt::format("-1 {} ({})", name ? *name : std::to_string(c.error), strerror(c.error));
  // The policy's own notify rule: sysgate run answers for it, and says so.
  if (c.verdict.action.kind() == ActionKind::kNotify) outcome += ", no handler for notify";
  if (c.error == 0) outcome = c.verdict.action.kind() == ActionKind::kErrno ? "0 (errno(0))" : "killed";
  if (style.json) {
    nlohmann::json j = f.Json("blocked");
    j["result"] = outcome;
    std::cerr << j.dump() << "\n";
  } else if (!style.quiet) {
    std::cerr << fmt::format("sysgate: blocked {} = {}  {}\n", f.call, outcome, f.Where());
  }
}

void Auditor::Report(const Policy& policy, const run::Call& c) {
  CallFacts f(policy, c.pid, c.data, c.text, c.verdict);
  uint64_t seen = ++counts_[{f.syscall, f.action + ", " + f.rule}];
  ++total_;
  std::string line = log_ || style_.json ? f.Json("audit").dump() + "\n" : "";
  if (log_) {
    std::fputs(line.c_str(), log_);
    std::fflush(log_);
  }
  if (style_.json) {
    std::cerr << line;
  } else if (!style_.quiet && seen <= kRepeatsShown) {
    std::cerr << fmt::format("sysgate: audit: {} would be stopped: {}  {}{}\n", f.call, f.action,
                             f.Where(), seen == kRepeatsShown ? " (further ones only counted)" : "");
  }
}

void Auditor::Summary() const {
  if (style_.quiet) return;
  if (total_ == 0) {
    std::cerr << "sysgate: audit: the policy would not have stopped anything\n";
    return;
  }
  std::cerr << fmt::format("sysgate: audit: {} calls would have been stopped:\n", total_);
  std::vector<std::pair<std::pair<std::string, std::string>, uint64_t>> rows(counts_.begin(), counts_.end());
  std::ranges::stable_sort(rows, [](const auto& a, const auto& b) { return a.second > b.second; });
  for (const auto& [key, n] : rows) std::cerr << fmt::format("  {:>8}  {:<20} {}\n", n, key.first, key.second);
}

}  // namespace sysgate::cli
