#include "run/supervision.h"

#include <unistd.h>

#include <new>

#include <memory>
#include <optional>

#include "supervise/policy_supervisor.h"

namespace sysgate::run {
namespace {

// The policy's verdicts, with the rule that decided, for reports. Built at the first report:
// a baked profile is parsed only then.
class Verdicts {
 public:
  explicit Verdicts(const Filter& filter) : filter_(filter) {}
  Verdict Of(const SeccompData& d) {
    if (!interp_) interp_.emplace(filter_.policy());
    return interp_->Evaluate(d);
  }

 private:
  const Filter& filter_;
  std::optional<Interpreter> interp_;
};

// `allowed`: a call the policy allows, here for its fs and net report: neither evaluated nor
// decoded (most of these calls are granted; the reporter decodes those it reports).
void Report(Verdicts& verdicts, const Options& o, SyscallCall& call, int error,
            bool allowed = false) {
  if (!o.on_call) return;
  try {
    Call c;
    c.pid = call.tid();
    c.data = call.data();
    if (allowed) {
      c.verdict.action = Action::Allow();
    } else {
      c.verdict = verdicts.Of(c.data);
    }
    c.error = error;
    if (o.decode && !allowed) c.text = call.Describe();
    c.pending = &call;
    o.on_call(c);
  } catch (const std::bad_alloc&) {
    static constexpr char kLost[] =
        "sysgate: a report was lost (the supervisor is out of memory)\n";
    [[maybe_unused]] ssize_t n = write(2, kLost, sizeof kLost - 1);
  } catch (...) {  // the reporter's own failure: the call is answered all the same
    static constexpr char kLost[] = "sysgate: a report was lost (the reporter failed)\n";
    [[maybe_unused]] ssize_t n = write(2, kLost, sizeof kLost - 1);
  }
}

}  // namespace

Supervisor MakeSupervisor(const Filter& filter, const Options& o) {
  Supervisor s;
  auto verdicts = std::make_shared<Verdicts>(filter);
  if (filter.supervision() == Supervision::kAudit) {
    s.Otherwise([verdicts, &o](SyscallCall& call) {
      Report(*verdicts, o, call, 0);
      return Reply::Continue();
    });
  } else {
    auto decide = std::make_shared<supervise::PolicySupervisor>(filter.program());
    s.Otherwise([verdicts, decide, &o](SyscallCall& call) {
      supervise::Decision d = decide->Decide(call.data());
      Report(*verdicts, o, call, d.error, d.allowed);
      return d.reply;
    });
  }
  return s;
}

}  // namespace sysgate::run
