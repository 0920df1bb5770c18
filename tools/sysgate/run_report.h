// What `sysgate run` prints about the calls a policy stops: one line (or JSON object) per
// blocked call, and in audit mode per call that would have been stopped, with a summary.
#pragma once

#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <utility>

#include "sysgate/interpreter.h"
#include "sysgate/run.h"

namespace sysgate::cli {

struct ReportStyle {
  bool quiet = false;
  bool json = false;  // JSON objects on stderr instead of text
};

// sysgate: blocked execve("/bin/sh", ["sh", "-c", "id"], 0x7ffd5a1c) = -1 EPERM (Operation not permitted)  [x86_64 #59, pid 4242, default action]
void ReportBlocked(const ReportStyle& style, const Policy& policy, const run::Call& c);

// Audit mode: every call the policy would stop runs, and is reported; Summary() at the end.
class Auditor {
 public:
  // `log` (may be null): every call also as a JSON line.
  Auditor(const ReportStyle& style, std::FILE* log) : style_(style), log_(log) {}
  void Report(const Policy& policy, const run::Call& c);
  void Summary() const;

 private:
  static constexpr uint64_t kRepeatsShown = 3;
  ReportStyle style_;
  std::FILE* log_;
  std::map<std::pair<std::string, std::string>, uint64_t> counts_;  // (syscall, verdict) -> calls
  uint64_t total_ = 0;
};

}  // namespace sysgate::cli
