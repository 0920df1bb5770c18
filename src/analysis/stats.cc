// What a filter costs: instructions per syscall, the kernel's cache, the costliest syscalls.
#include <algorithm>
#include <cctype>
#include <sstream>

#include <fmt/format.h>

#include "base/strings.h"
#include "sysgate/analysis.h"

namespace sysgate::analysis {

ProgramStats ComputeStats(const bpf::Program& prog, Arch abi,
                          const std::map<std::string, double>& frequencies) {
  ProgramStats s;
  s.length = prog.size();
  s.abi = abi;
  double total = 0, weighted = 0, weight = 0;
  for (const SyscallEntry& e : Syscalls(abi)) {
    auto r = Emulate(prog, SeccompData::For(abi, e.nr));
    if (!r) continue;  // not a loadable program: VerifyLoadable says why
    SyscallCost c{e.nr, std::string(e.name), r->executed, r->reads_args, r->ret};
    total += c.executed;
    s.max = std::max(s.max, c.executed);
    bool allows = (r->ret & bpf::ret::kActionFull) == bpf::ret::kAllow;
    if (!c.reads_args && allows) ++s.cacheable;
    if (c.reads_args || allows) ++s.may_allow;
    if (auto f = frequencies.find(c.name); f != frequencies.end()) {
      weighted += f->second * c.executed;
      weight += f->second;
    }
    s.per_syscall.push_back(std::move(c));
  }
  if (!s.per_syscall.empty()) s.mean = total / static_cast<double>(s.per_syscall.size());
  if (weight > 0) s.weighted_mean = weighted / weight;
  return s;
}

Result<std::map<std::string, double>> ParseFrequencies(std::string_view text) {
  std::map<std::string, double> out;
  std::istringstream in{std::string(text)};
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    std::vector<std::string> w;
    std::istringstream ws(line);
    for (std::string x; ws >> x;) w.push_back(x);
    if (w.empty() || w[0].starts_with('#') || w[0].starts_with('%') || w[0].starts_with("--") ||
        w.back() == "total") {
      continue;  // blank, comment, strace -c's header, rule and total
    }
    // "name count", or strace -c's "% time  seconds  usecs/call  calls  [errors]  syscall".
    std::string name;
    std::optional<uint64_t> count;
    if (w.size() == 2 && IsSyscallName(w[0])) {
      name = w[0];
      count = base::ParseInteger(w[1]);
    } else if (w.size() >= 5 && IsSyscallName(w.back())) {
      name = w.back();
      count = base::ParseInteger(w[3]);
    }
    if (name.empty() || !count) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          fmt::format("line {}: expected 'syscall count' or an strace -c line, not '{}'", lineno,
                      base::Trim(line)));
    }
    out[name] += static_cast<double>(*count);
  }
  return out;
}

}  // namespace sysgate::analysis
