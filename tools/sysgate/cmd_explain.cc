// sysgate explain: the kernel's seccomp and Landlock audit records decoded, and with a policy,
// the rule that made each.
//   dmesg | sysgate explain                          # arch, syscall, action, process
//   sysgate explain -p web.sgp /var/log/audit/audit.log
//   journalctl -k -f | sysgate explain --profile default --json
// A Landlock access record names neither the process nor the call: those are in the SYSCALL
// record of the same event, which may come after it, so Landlock's records are held until
// their event ends (its EOE record, another event's record, the end of the file).
#include <cstdio>
#include <ctime>
#include <deque>
#include <iostream>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "base/files.h"
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

template <class R>  // SeccompRecord, AuditStamp
std::string Time(const R& r) {
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

template <class R>  // SeccompRecord, SyscallRecord, LandlockRecord (a domain's creator)
std::string Process(const R& r) {
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

template <class R>  // SeccompRecord, SyscallRecord, LandlockRecord (a domain's creator)
void ProcessJson(nlohmann::ordered_json& j, const R& r) {
  if (r.pid) j["pid"] = *r.pid;
  if (r.uid) j["uid"] = *r.uid;
  if (r.comm) j["comm"] = *r.comm;
  if (r.exe) j["exe"] = *r.exe;
}

std::string Json(const std::string& file, size_t line, const analysis::SeccompRecord& r,
                 const analysis::Explained& e, const Policy* against) {
  nlohmann::ordered_json j = {{"file", file}, {"line", line}, {"record", "seccomp"}};
  if (r.seconds) j["time"] = Time(r);
  if (r.serial) j["serial"] = *r.serial;
  ProcessJson(j, r);
  if (r.auid) j["auid"] = *r.auid;
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

// A Landlock access record with what its event says besides: the call, the process, and who
// made the domain.
struct Denial {
  std::string file;
  size_t line = 0;
  analysis::LandlockRecord record;
  std::optional<analysis::SyscallRecord> call;
  std::optional<analysis::LandlockRecord> domain;  // its LANDLOCK_DOMAIN allocated record
};

// What was denied: "write-file on /etc/passwd", "connect to TCP port 443 of 10.0.0.1",
// "signals to pid 1 ("systemd")".
std::string DeniedText(const analysis::LandlockRecord& r) {
  std::vector<std::string> rights;
  for (const std::string& b : r.blockers) rights.push_back(analysis::BlockerText(b));
  std::string out = rights.empty() ? "an access" : fmt::format("{}", fmt::join(rights, " "));
  if (r.path) {
    out += " on " + base::PlainOrQuoted(*r.path);
  } else if (r.name) {
    out += " on an entry named " + base::CQuote(*r.name);
  }
  if (r.port) {
    out += fmt::format(" {} TCP port {}", r.net == net_access::kBindTcp ? "on" : "to", *r.port);
    if (r.addr) out += " at " + base::Printable(*r.addr);
  }
  if (r.opid) {
    out += fmt::format(" to pid {}", *r.opid);
    if (r.ocomm) out += fmt::format(" ({})", base::CQuote(*r.ocomm));
  }
  return out;
}

std::string DomainText(const Denial& d) {
  std::string out = fmt::format("domain {:x}", d.record.domain);
  if (d.domain) out += fmt::format(", made by {}", Process(*d.domain));
  return out;
}

std::string RulesText(const std::vector<const PathRule*>& rules) {
  std::vector<std::string> out;
  for (const PathRule* r : rules) {
    out.push_back(fmt::format("rule {} (fs {} {})", r->loc.ToString(), FsAccessText(r->access),
                              base::PlainOrQuoted(r->path)));
  }
  return fmt::format("{}", fmt::join(out, ", "));
}

// What the policy's fs, net and scope rules say of the denial, in a sentence.
std::string AccessDecision(const Denial& d, const analysis::AccessExplained& e,
                           const AccessRules& rules) {
  using Match = analysis::AccessExplained::Match;
  const analysis::LandlockRecord& r = d.record;
  std::string unknown;
  if (!e.unknown.empty()) {
    unknown = fmt::format(" (sysgate has no rule for {})", fmt::join(e.unknown, ", "));
  }
  const std::string path = r.path ? base::PlainOrQuoted(*r.path) : "";
  switch (e.match) {
    case Match::kDecided:
      if (e.scoped) return fmt::format("decided by the policy's scope {}", ScopeText(e.scoped));
      if (e.any_domain && !(e.handled_fs | e.handled_net)) {
        return "decided by Landlock itself: it denies this to every domain, and the policy's "
               "fs, net or scope rules make one" +
               unknown;
      }
      if (e.handled_fs & ~e.granted_fs) {
        const std::string missing = FsAccessText(e.handled_fs & ~e.granted_fs);
        if (e.path_rules.empty())
          return fmt::format("decided by the fs rules: no rule grants {} on {}{}", missing, path,
                             unknown);
        uint64_t there = 0;
        for (const PathRule* p : e.path_rules) there |= p->access;
        return fmt::format("decided by the fs rules: {} grant{} {} there, not {}{}",
                           RulesText(e.path_rules), e.path_rules.size() == 1 ? "s" : "",
                           FsAccessText(there), missing, unknown);
      }
      return fmt::format("decided by the net rules: no rule lets it {} TCP port {}{}",
                         NetAccessName(e.handled_net & ~e.granted_net), r.port.value_or(0),
                         unknown);
    case Match::kUnknown:
      return fmt::format(
          "the policy's {} rules handle {}, but the record {}: which rules apply cannot be "
          "told{}",
          e.handled_fs ? "fs" : "net",
          e.handled_fs ? FsAccessText(e.handled_fs) : std::string(NetAccessName(e.handled_net)),
          e.handled_fs ? "names the entry, not its directory" : "names no port", unknown);
    case Match::kOtherDomain: break;
  }
  std::string why;
  if (!(e.handled_fs | e.handled_net | e.scoped)) {
    if (rules.empty()) {
      why = "the policy has no fs, net or scope rules";
    } else if (e.fs) {
      why = rules.handled_fs ? "its fs rules do not handle " + FsAccessText(e.fs)
                             : "the policy has no fs rules";
    } else if (e.net) {
      why = rules.handled_net ? fmt::format("its net rules do not handle {}", NetAccessName(e.net))
                              : "the policy has no net rules";
    } else if (e.scopes) {
      why = "the policy does not scope " + ScopeText(e.scopes);
    } else {
      why = "the policy has no rule for it";
    }
  } else if (e.granted_fs) {
    why = fmt::format("{} grant{} {} on {}", RulesText(e.path_rules),
                      e.path_rules.size() == 1 ? "s" : "", FsAccessText(e.granted_fs), path);
  } else {
    why = fmt::format("rule {} lets it {} TCP port {}",
                      e.port_rule ? e.port_rule->loc.ToString() : std::string("?"),
                      NetAccessName(e.granted_net), r.port.value_or(0));
  }
  return fmt::format("not this policy's denial: {}, so another Landlock domain made it{}{}", why,
                     e.granted_fs || e.granted_net ? " (or the policy has changed)" : "", unknown);
}

std::string_view MatchName(analysis::AccessExplained::Match m) {
  switch (m) {
    case analysis::AccessExplained::Match::kDecided: return "decided";
    case analysis::AccessExplained::Match::kOtherDomain: return "other-domain";
    case analysis::AccessExplained::Match::kUnknown: return "unknown";
  }
  return "unknown";
}

// The call of the event: "openat on x86_64", or nothing without its SYSCALL record.
std::optional<CallNames> CallOf(const Denial& d) {
  if (!d.call || !d.call->arch || !d.call->syscall) return std::nullopt;
  SeccompData data;
  data.arch = *d.call->arch;
  data.nr = *d.call->syscall;
  return NamesOf(data);
}

std::string LandlockText(const Denial& d, const analysis::AccessExplained* e,
                         const AccessRules* rules) {
  const analysis::LandlockRecord& r = d.record;
  std::string time = Time(r.stamp);
  std::string process = d.call ? Process(*d.call) : "a process";
  std::string call;
  if (auto c = CallOf(d)) call = fmt::format("{} on {}: ", c->syscall, c->arch);
  std::string out =
      fmt::format("{}:{}: {}{}: {}denied by Landlock: {} [{}]\n", base::Printable(d.file), d.line,
                  time.empty() ? "" : time + " ", process, call, DeniedText(r), DomainText(d));
  if (e) out += "  " + AccessDecision(d, *e, *rules) + "\n";
  return out;
}

std::string LandlockJson(const Denial& d, const analysis::AccessExplained* e,
                         const AccessRules* rules) {
  const analysis::LandlockRecord& r = d.record;
  nlohmann::ordered_json j = {{"file", d.file}, {"line", d.line}, {"record", "landlock"}};
  if (r.stamp.seconds) j["time"] = Time(r.stamp);
  if (r.stamp.serial) j["serial"] = *r.stamp.serial;
  if (d.call) {
    ProcessJson(j, *d.call);
    if (auto c = CallOf(d)) {
      j["arch"] = c->arch;
      j["syscall"] = c->syscall;
      j["nr"] = *d.call->syscall;
    }
    if (d.call->exit) j["exit"] = *d.call->exit;
  }
  j["domain"] = fmt::format("{:x}", r.domain);
  if (d.domain) {
    nlohmann::ordered_json by = nlohmann::ordered_json::object();
    ProcessJson(by, *d.domain);
    j["domain_creator"] = by;
  }
  j["blockers"] = r.blockers;
  std::vector<std::string> access;
  for (const std::string& b : r.blockers) access.push_back(analysis::BlockerText(b));
  j["access"] = access;
  if (r.path) j["path"] = *r.path;
  if (r.name) j["name"] = *r.name;
  if (r.dev) j["dev"] = *r.dev;
  if (r.ino) j["ino"] = *r.ino;
  if (r.addr) j["addr"] = *r.addr;
  if (r.port) j["port"] = *r.port;
  if (r.opid) j["opid"] = *r.opid;
  if (r.ocomm) j["ocomm"] = *r.ocomm;
  if (e) {
    nlohmann::ordered_json by = nlohmann::json::array();
    for (const PathRule* p : e->path_rules) {
      by.push_back({{"by", "rule " + p->loc.ToString()}, {"grants", FsAccessText(p->access)}});
    }
    if (e->port_rule) {
      by.push_back({{"by", "rule " + e->port_rule->loc.ToString()},
                    {"grants", std::string(NetAccessName(e->granted_net))}});
    }
    j["rules"] = by;
    j["match"] = MatchName(e->match);
    j["explanation"] = AccessDecision(d, *e, *rules);
  }
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

// Landlock's records of the event being read, held until it ends, and the domains' creators.
class LandlockEvents {
 public:
  LandlockEvents(const Options& o, const Policy* against) : o_(o), against_(against) {
    // As written: ExplainAccess resolves their paths as the kernel took them.
    if (against) rules_ = against->access;
  }

  // False when the output cannot be written.
  bool Add(const std::string& file, size_t line, const analysis::AuditRecord& record) {
    if (const auto* l = std::get_if<analysis::LandlockRecord>(&record)) {
      if (!Within(l->stamp) && !Flush()) return false;
      if (l->kind == analysis::LandlockRecord::Kind::kDomainAllocated) {
        Remember(*l);
      } else if (l->kind == analysis::LandlockRecord::Kind::kDomainDeallocated) {
        Forget(l->domain);
      } else {
        if (pending_.size() >= limits::kMaxLogEventRecords && !Flush()) return false;
        serial_ = l->stamp.serial;
        pending_.push_back({file, line, *l, std::nullopt, std::nullopt});
        // journald's rendering has no serial: nothing groups it with its event.
        if (!serial_) return Flush();
      }
      return true;
    }
    if (const auto* c = std::get_if<analysis::SyscallRecord>(&record)) {
      if (pending_.empty()) return true;  // an event without Landlock's records
      if (!Within(c->stamp)) return Flush();
      call_ = *c;
      return true;
    }
    if (std::holds_alternative<analysis::EventEnd>(record)) return Flush();
    const auto& seccomp = std::get<analysis::SeccompRecord>(record);
    return Within({seccomp.seconds, seccomp.millis, seccomp.serial}) || Flush();
  }

  // Explains what is held; false when the output cannot be written.
  bool Flush() {
    bool ok = true;
    for (Denial& d : pending_) {
      d.call = call_;
      if (auto it = domains_.find(d.record.domain); it != domains_.end()) d.domain = it->second;
      std::optional<analysis::AccessExplained> e;
      if (against_) e = analysis::ExplainAccess(d.record, rules_);
      ++denials_;
      if (e && e->match == analysis::AccessExplained::Match::kDecided) ++by_policy_;
      const AccessRules* rules = against_ ? &rules_ : nullptr;
      std::string out = o_.json ? LandlockJson(d, e ? &*e : nullptr, rules)
                                : LandlockText(d, e ? &*e : nullptr, rules);
      if (ok && !Emit(out)) ok = false;
    }
    pending_.clear();
    call_.reset();
    serial_.reset();
    return ok;
  }

  size_t denials() const { return denials_; }
  size_t by_policy() const { return by_policy_; }

 private:
  // Whether a record of `stamp` belongs to the event held (or none is held).
  bool Within(const analysis::AuditStamp& stamp) const {
    return pending_.empty() || (serial_ && stamp.serial == serial_);
  }

  void Remember(const analysis::LandlockRecord& r) {
    // No kernel writes a longer exe (PATH_MAX) or comm: such a record is not remembered, so
    // that the domains held stay small (docs/limits.md).
    if (r.exe.value_or("").size() > 4096 || r.comm.value_or("").size() > 64) return;
    if (!domains_.contains(r.domain)) {
      if (order_.size() >= limits::kMaxLogDomains) {
        domains_.erase(order_.front());
        order_.pop_front();
      }
      order_.push_back(r.domain);
    }
    // Only who made it: what else the record holds (a forged one may hold long paths) is not
    // kept.
    analysis::LandlockRecord who;
    who.kind = r.kind;
    who.stamp = r.stamp;
    who.domain = r.domain;
    who.pid = r.pid;
    who.uid = r.uid;
    who.exe = r.exe;
    who.comm = r.comm;
    who.interpreted = r.interpreted;
    domains_[r.domain] = std::move(who);
  }

  void Forget(uint64_t domain) {
    if (domains_.erase(domain) != 0) std::erase(order_, domain);
  }

  const Options& o_;
  const Policy* against_;
  AccessRules rules_;
  std::vector<Denial> pending_;
  std::optional<uint64_t> serial_;
  std::optional<analysis::SyscallRecord> call_;
  std::map<uint64_t, analysis::LandlockRecord> domains_;
  std::deque<uint64_t> order_;  // domains_, oldest first
  size_t denials_ = 0, by_policy_ = 0;
};

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

// Reads logs and writes out what their records say, counting them for the summary.
class LogExplainer {
 public:
  LogExplainer(const Options& o, const Against& against)
      : o_(o), against_(against), landlock_(o, against.policy ? &*against.policy : nullptr) {}

  // Every line of the log at `path` ("-": standard input), as Line; false when the output
  // cannot be written. A line longer than the limit is skipped with a warning. An event does
  // not span files: Landlock's records held are written at the end of each.
  bool Log(const std::string& path) {
    auto in = base::LineReader::Open(path);
    if (!in) {
      PrintError(in.error().ToString());
      ++errors_;
      return true;
    }
    const std::string name = path == "-" ? "<stdin>" : path;
    std::string line;
    while (true) {
      auto got = in->Next(line, limits::kMaxLogLineBytes);
      if (!got) {
        PrintError(got.error().ToString());
        ++errors_;
        break;
      }
      if (*got == base::LineReader::Got::kEnd) break;
      if (*got == base::LineReader::Got::kTooLong) {
        std::cerr << fmt::format(
            "sysgate: {}:{}: warning: the line is longer than {} KiB, the "
            "limit for a log line (docs/limits.md); skipped\n",
            base::Printable(name), in->line_number(), limits::kMaxLogLineBytes >> 10);
        continue;
      }
      if (!Line(line, name, in->line_number())) return false;
    }
    return landlock_.Flush();
  }

  // The closing count on stderr ("sysgate: 3 seccomp records, 1 made by this policy"; none
  // with --json), and the exit status.
  int Summarize() const {
    const bool against = against_.policy.has_value();
    if (records_ == 0 && landlock_.denials() == 0 && errors_ == 0) {
      PrintError(
          "no seccomp or Landlock audit records (type=1326 SECCOMP, type=1423 LANDLOCK_ACCESS) "
          "in the input");
      return kExitInvalid;
    }
    if (!o_.json) {
      std::cerr << fmt::format("sysgate: {} seccomp record{}", records_, records_ == 1 ? "" : "s");
      if (against) std::cerr << fmt::format(", {} made by this policy", by_policy_);
      if (landlock_.denials() != 0) {
        std::cerr << fmt::format("; {} Landlock denial{}", landlock_.denials(),
                                 landlock_.denials() == 1 ? "" : "s");
        if (against) std::cerr << fmt::format(", {} made by this policy", landlock_.by_policy());
      }
      std::cerr << "\n";
    }
    return errors_ == 0 ? kExitOk : kExitInvalid;
  }

 private:
  // One line of a log: its audit record, if it holds one. A seccomp record is explained and
  // written out now, Landlock's when their event ends (LandlockEvents). False when the output
  // cannot be written (nothing more can be said then).
  bool Line(const std::string& line, const std::string& name, size_t line_number) {
    auto record = analysis::ParseAuditRecord(line, {name, static_cast<int>(line_number), 0});
    if (!record) {
      PrintError(record.error().ToString());
      ++errors_;
      return true;
    }
    if (!*record) return true;
    if (!landlock_.Add(name, line_number, **record)) return false;
    const auto* seccomp = std::get_if<analysis::SeccompRecord>(&**record);
    if (!seccomp) return true;
    ++records_;
    const Policy* policy = against_.policy ? &*against_.policy : nullptr;
    analysis::Explained e =
        analysis::Explain(*seccomp, against_.interp ? &*against_.interp : nullptr);
    if (policy && !e.matching.empty()) ++by_policy_;
    std::string where = fmt::format("{}:{}", base::Printable(name), line_number);
    return Emit(o_.json ? Json(name, line_number, *seccomp, e, policy)
                        : Text(where, *seccomp, e, policy));
  }

  const Options& o_;
  const Against& against_;
  LandlockEvents landlock_;
  size_t records_ = 0, by_policy_ = 0, errors_ = 0;
};

int Run(const Options& o) {
  if (!OptionsFit(o)) return kExitUsage;
  Against against;
  if (!o.policy.empty() || !o.profile.empty()) {
    PolicyChoice c = LoadPolicyOrProfile(o.policy, o.profile, o.input);
    if (!c.r.ok()) return c.usage ? kExitUsage : kExitInvalid;
    against.policy = std::move(c.r.policy);
    against.interp.emplace(*against.policy);
  }
  LogExplainer explainer(o, against);
  const std::vector<std::string> files = o.files.empty() ? std::vector<std::string>{"-"} : o.files;
  for (const std::string& path : files) {
    if (!explainer.Log(path)) return kExitInvalid;
  }
  return explainer.Summarize();
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
         "Decode the kernel's seccomp and Landlock audit records; with a policy, the rule behind "
         "each",
     .define = Define}};

}  // namespace

}  // namespace sysgate::cli
