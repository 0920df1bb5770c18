#include <fmt/format.h>

#include "policy/permissiveness.h"
#include "sysgate/analysis.h"
#include "sysgate/interpreter.h"

namespace sysgate::analysis {
namespace {

constexpr int kMaxRounds = 64;  // each round allows one more syscall

struct Narrowing {
  SeccompData input;
  Verdict before, after;
};

// The first boundary input of `policy` the written text decides less permissively, if any; an
// error when the inputs could not be made (then nothing is known to hold).
Result<std::optional<Narrowing>> FirstNarrowing(const Policy& policy, const Policy& means) {
  Interpreter before(policy), after(means);
  std::optional<Narrowing> found;
  auto checked = ForEachBoundaryInput(policy, [&](const SeccompData& d) -> Result<void> {
    Verdict b = before.Evaluate(d), a = after.Evaluate(d);
    if (policy::NotLessPermissive(b.action, a.action)) return {};
    found = Narrowing{d, b, a};
    return MakeError(ErrorCode::kInternal, "found");
  });
  if (!checked && !found) return checked.error();
  return found;
}

std::string Describe(const SeccompData& d) {
  auto abi = ArchFromAudit(d.arch, d.nr);
  auto name = abi ? SyscallName(*abi, d.nr) : std::nullopt;
  return fmt::format("{} #{} on {}", name ? *name : "syscall", d.nr,
                     abi ? Info(*abi).name : fmt::format("arch {:#x}", d.arch));
}

}  // namespace

formats::Exported ExportWidened(const Policy& policy, formats::Format format,
                                formats::ExportOptions options) {
  options.widen = true;
  Policy input = policy;
  std::vector<Diagnostic> notes;
  for (int round = 0; round < kMaxRounds; ++round) {
    formats::Exported e = formats::Export(input, format, options);
    if (!e.text) {
      e.diagnostics.insert(e.diagnostics.begin(), notes.begin(), notes.end());
      return e;
    }
    auto checked = FirstNarrowing(policy, *e.means);
    if (!checked) {
      formats::Exported refused;
      refused.diagnostics = std::move(notes);
      refused.diagnostics.push_back(
          {Severity::kError,
           {},
           "--widen could not check the unit against the policy: " + checked.error().ToString(),
           1});
      return refused;
    }
    const std::optional<Narrowing>& narrower = *checked;
    if (!narrower) {
      e.diagnostics.insert(e.diagnostics.end(), notes.begin(), notes.end());
      return e;
    }
    // The syscall whose entry decided the input: that rule's, or the input's own.
    const Verdict& a = narrower->after;
    std::optional<std::string> name;
    if (a.reason == Verdict::Reason::kRule) {
      const Rule& r = e.means->rules[static_cast<size_t>(a.rule)];
      if (r.syscalls.size() == 1 && r.syscalls[0].kind == SyscallSpec::Kind::kName)
        name = r.syscalls[0].name;
    } else if (a.reason == Verdict::Reason::kDefault) {
      auto abi = ArchFromAudit(narrower->input.arch, narrower->input.nr);
      if (auto n = abi ? SyscallName(*abi, narrower->input.nr) : std::nullopt)
        name = std::string(*n);
    }
    const std::string what =
        fmt::format("{} gets {} from the policy but {} from the unit", Describe(narrower->input),
                    narrower->before.action.ToString(), a.action.ToString());
    const bool again = name && std::ranges::any_of(input.rules, [&](const Rule& r) {
                         return r.loc.file == "<--widen>" && r.syscalls[0].name == *name;
                       });
    if (!name || again) {
      formats::Exported refused;
      refused.diagnostics = std::move(notes);
      refused.diagnostics.push_back(
          {Severity::kError,
           {},
           fmt::format("--widen cannot write this policy for {}: {}, and allowing "
                       "a syscall cannot change that",
                       formats::FormatName(format), what),
           1});
      return refused;
    }
    notes.push_back(
        {Severity::kWarning, {}, fmt::format("--widen: {} is allowed: {}", *name, what), 1});
    Rule allow{Action::Allow(), {SyscallSpec::Name(*name)}, {}, std::nullopt, {"<--widen>", 0, 0}};
    input.rules.insert(input.rules.begin(), allow);
    ResolveAndValidate(input);
  }
  formats::Exported refused;
  refused.diagnostics = std::move(notes);
  refused.diagnostics.push_back(
      {Severity::kError,
       {},
       fmt::format("--widen gave up after allowing {} syscalls", kMaxRounds),
       1});
  return refused;
}

}  // namespace sysgate::analysis
