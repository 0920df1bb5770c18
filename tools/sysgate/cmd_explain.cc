// sysgate explain: the kernel's seccomp audit records decoded, and with a policy, the rule that
// made each.
//   dmesg | sysgate explain                          # arch, syscall, action, process
//   sysgate explain -p web.sgp /var/log/audit/audit.log
//   journalctl -k -f | sysgate explain --profile default --json
#include <cstdio>
#include <ctime>
#include <iostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/line_reader.h"
#include "base/strings.h"
#include "cli_util.h"
#include "commands.h"
#include "sysgate/explain.h"
#include "sysgate/limits.h"
#include "sysgate/policy.h"

namespace sysgate::cli {
namespace {

struct Options {
  std::vector<std::string> files;
  std::string policy;
  std::string profile;
  bool json = false;
  InputOptions input;
};

std::string Time(const analysis::SeccompRecord& r) {
  if (!r.seconds) return "";
  std::time_t t = static_cast<std::time_t>(*r.seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr) return "";
  char buf[32];
  if (std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm) == 0) return "";
  return fmt::format("{}.{:03}Z", buf, r.millis);
}

// What gave a verdict: "rule web.sgp:3:1 (@privileged)", "the default action", ...
std::string By(const Policy& p, const Verdict& v, const analysis::Explained& e) {
  switch (v.reason) {
    case Verdict::Reason::kDefault: return "the default action";
    case Verdict::Reason::kUnknown: return "the unknown action (a number the ABI's table lacks)";
    case Verdict::Reason::kBadArch: return "the foreign action (an ABI the policy does not target)";
    case Verdict::Reason::kRule: break;
  }
  return RuleText(DecidedBy(p, v), DecidingGroup(p, v, e.syscall));
}

// What the policy says of the record, in a sentence: which verdict made it, or that none did.
std::string Decision(const Policy& p, const analysis::Explained& e) {
  using Candidate = Interpreter::Candidate;
  const std::vector<Candidate>& c = e.candidates;
  std::string routed = e.routed ? "; sysgate run's supervisor answered the notification" : "";
  if (e.matching.empty()) {
    std::vector<std::string> says;
    for (const Candidate& k : c) {
      says.push_back(fmt::format("{} by {}{}", k.verdict.action.ToString(), By(p, k.verdict, e),
                                 k.conditional ? " if its condition holds" : ""));
    }
    return fmt::format(
        "not this policy's answer: it gives {} here, so another filter made this "
        "record (or the policy has changed)",
        fmt::join(says, ", then "));
  }
  if (e.matching.size() > 1) {
    std::vector<std::string> by;
    for (size_t i : e.matching) {
      by.push_back(fmt::format("{} {}", By(p, c[i].verdict, e), c[i].verdict.action.ToString()));
    }
    return fmt::format(
        "decided by one of: {} (the record has {} to tell them apart){}", fmt::join(by, ", "),
        e.data_known ? "no arguments" : "neither the arguments nor the action's data", routed);
  }
  const Verdict& v = c[e.matching[0]].verdict;
  std::string why;
  if (c[e.matching[0]].conditional) {
    why = ", whose condition held";
  } else if (c.size() > 1 && v.reason != Verdict::Reason::kRule) {
    why = " (no rule's condition held)";
  }
  return fmt::format("decided by {}{}: {}{}", By(p, v, e), why, v.action.ToString(), routed);
}

std::string Process(const analysis::SeccompRecord& r) {
  std::vector<std::string> what;
  // Names the program chose: quoted and escaped, so that none can forge a line.
  if (r.comm) what.push_back(base::CQuote(*r.comm));
  if (r.exe) what.push_back(base::CQuote(*r.exe));
  if (r.uid) what.push_back(fmt::format("uid {}", *r.uid));
  std::string pid = r.pid ? fmt::format("pid {}", *r.pid) : "a process";
  return what.empty() ? pid : fmt::format("{} ({})", pid, fmt::join(what, ", "));
}

std::string Text(const std::string& where, const analysis::SeccompRecord& r,
                 const analysis::Explained& e, const Policy* against) {
  std::string abi =
      e.abi ? std::string(Info(*e.abi).name) : fmt::format("unknown arch 0x{:08x}", r.arch);
  std::string time = Time(r);
  std::string out = fmt::format("{}: {}{}: {} on {}: {}", where, time.empty() ? "" : time + " ",
                                Process(r), e.syscall, abi, analysis::ActionText(e));
  if (r.sig && *r.sig != 0) {
    auto name = SignalName(*r.sig);
    out += fmt::format(" (signal {})", name ? std::string(*name) : std::to_string(*r.sig));
  }
  out += "\n";
  if (against) out += "  " + Decision(*against, e) + "\n";
  return out;
}

std::string Json(const std::string& file, size_t line, const analysis::SeccompRecord& r,
                 const analysis::Explained& e, const Policy* against) {
  nlohmann::ordered_json j = {{"file", file}, {"line", line}};
  if (r.seconds) j["time"] = Time(r);
  if (r.serial) j["serial"] = *r.serial;
  if (r.pid) j["pid"] = *r.pid;
  if (r.uid) j["uid"] = *r.uid;
  if (r.auid) j["auid"] = *r.auid;
  if (r.comm) j["comm"] = *r.comm;
  if (r.exe) j["exe"] = *r.exe;
  j["arch"] = e.abi ? nlohmann::ordered_json(Info(*e.abi).name) : nlohmann::ordered_json(nullptr);
  j["audit_arch"] = fmt::format("0x{:08x}", r.arch);
  j["syscall"] = e.syscall;
  j["nr"] = r.syscall;
  j["action"] = analysis::ActionText(e);  // "errno": the kernel logs no errno number
  j["code"] = fmt::format("0x{:08x}", r.code);
  if (r.sig) j["sig"] = *r.sig;
  if (r.ip) j["ip"] = fmt::format("0x{:x}", *r.ip);
  if (against) {
    const Policy& p = *against;
    nlohmann::ordered_json candidates = nlohmann::json::array();
    for (size_t i = 0; i < e.candidates.size(); ++i) {
      const Verdict& v = e.candidates[i].verdict;
      candidates.push_back({{"by", By(p, v, e)},
                            {"action", v.action.ToString()},
                            {"conditional", e.candidates[i].conditional},
                            {"matches", std::ranges::find(e.matching, i) != e.matching.end()}});
    }
    j["candidates"] = candidates;
    j["match"] = e.matching.empty()       ? "other-filter"
                 : e.matching.size() == 1 ? "decided"
                                          : "one-of";
    j["routed"] = e.routed;
    j["explanation"] = Decision(p, e);
  }
  // Names from the record are the program's: bytes that are not UTF-8 are replaced, not fatal.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

// Writes `s` to stdout now (a followed log is explained as it comes); false when it cannot.
bool Emit(const std::string& s) {
  if (std::fwrite(s.data(), 1, s.size(), stdout) != s.size() || std::fflush(stdout) != 0) {
    PrintError(SystemError("cannot write to standard output", errno).ToString());
    return false;
  }
  return true;
}

// The usage error in the options, printed; false when there is one.
bool OptionsFit(const Options& o) {
  if (!o.policy.empty() && !o.profile.empty()) {
    PrintError("give -p POLICY or --profile NAME, not both");
    return false;
  }
  if (o.policy == "-" && (o.files.empty() || std::ranges::find(o.files, "-") != o.files.end())) {
    PrintError("-p - reads the policy from standard input: give the log as a FILE");
    return false;
  }
  return true;
}

// What the records are matched against: the policy of -p or --profile (none without them),
// and its interpreter, which refers to it.
struct Against {
  std::optional<Policy> policy;
  std::optional<Interpreter> interp;
  Against() = default;
  Against(const Against&) = delete;
  Against& operator=(const Against&) = delete;
};

// What is counted over every log, for the summary and the exit status.
struct Tally {
  size_t records = 0, by_policy = 0, errors = 0;
};

// One line of a log: its seccomp record, if it holds one, explained and written out. False
// when the output cannot be written (nothing more can be said then).
bool ExplainLine(const std::string& line, const std::string& name, size_t line_number,
                 const Options& o, const Against& against, Tally& tally) {
  auto record = analysis::ParseSeccompRecord(line, {name, static_cast<int>(line_number), 0});
  if (!record) {
    PrintError(record.error().ToString());
    ++tally.errors;
    return true;
  }
  if (!*record) return true;
  ++tally.records;
  const Policy* policy = against.policy ? &*against.policy : nullptr;
  analysis::Explained e = analysis::Explain(**record, against.interp ? &*against.interp : nullptr);
  if (policy && !e.matching.empty()) ++tally.by_policy;
  std::string where = fmt::format("{}:{}", base::Printable(name), line_number);
  return Emit(o.json ? Json(name, line_number, **record, e, policy)
                     : Text(where, **record, e, policy));
}

// Every line of the log at `path` ("-": standard input), as ExplainLine; false when the output
// cannot be written. A line longer than the limit is skipped with a warning.
bool ExplainLog(const std::string& path, const Options& o, const Against& against, Tally& tally) {
  auto in = base::LineReader::Open(path);
  if (!in) {
    PrintError(in.error().ToString());
    ++tally.errors;
    return true;
  }
  const std::string name = path == "-" ? "<stdin>" : path;
  std::string line;
  while (true) {
    auto got = in->Next(line, limits::kMaxLogLineBytes);
    if (!got) {
      PrintError(got.error().ToString());
      ++tally.errors;
      return true;
    }
    if (*got == base::LineReader::Got::kEnd) return true;
    if (*got == base::LineReader::Got::kTooLong) {
      std::cerr << fmt::format(
          "sysgate: {}:{}: warning: the line is longer than {} KiB, the "
          "limit for a log line (docs/limits.md); skipped\n",
          base::Printable(name), in->line_number(), limits::kMaxLogLineBytes >> 10);
      continue;
    }
    if (!ExplainLine(line, name, in->line_number(), o, against, tally)) return false;
  }
}

// The closing count on stderr ("sysgate: 3 seccomp records, 1 made by this policy"; none with
// --json), and the exit status.
int Summarize(const Tally& tally, bool json, bool against) {
  if (tally.records == 0 && tally.errors == 0) {
    PrintError("no seccomp audit records (type=1326 or SECCOMP) in the input");
    return kExitInvalid;
  }
  if (!json) {
    std::cerr << fmt::format("sysgate: {} seccomp record{}", tally.records,
                             tally.records == 1 ? "" : "s");
    if (against) std::cerr << fmt::format(", {} made by this policy", tally.by_policy);
    std::cerr << "\n";
  }
  return tally.errors == 0 ? kExitOk : kExitInvalid;
}

int Run(const Options& o) {
  if (!OptionsFit(o)) return kExitUsage;
  Against against;
  if (!o.policy.empty() || !o.profile.empty()) {
    PolicyChoice c = LoadPolicyOrProfile(o.policy, o.profile, o.input);
    if (!c.r.ok()) return c.usage ? kExitUsage : kExitInvalid;
    against.policy = std::move(c.r.policy);
    against.interp.emplace(*against.policy);
  }
  const std::vector<std::string> files = o.files.empty() ? std::vector<std::string>{"-"} : o.files;
  Tally tally;
  for (const std::string& path : files) {
    if (!ExplainLog(path, o, against, tally)) return kExitInvalid;
  }
  return Summarize(tally, o.json, against.policy.has_value());
}

void Define(CLI::App* cmd, int* exit_code) {
  auto opts = std::make_shared<Options>();
  cmd->add_option("files", opts->files,
                  "Logs to read: dmesg or journalctl output, audit.log (default: standard input)");
  cmd->add_option("-p,--policy", opts->policy,
                  "Match each record against this policy (any format)");
  AddProfileOption(cmd, opts->profile, "... or against a built-in profile");
  cmd->add_flag("--json", opts->json, "One JSON object per record (JSON Lines)");
  AddInputOptions(cmd, opts->input);
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

const Registration kRegistration{
    {.name = "explain",
     .order = 190,
     .description =
         "Decode the kernel's seccomp audit records; with a policy, the rule behind each",
     .define = Define}};

}  // namespace

}  // namespace sysgate::cli
