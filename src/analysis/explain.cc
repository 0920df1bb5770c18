// The kernel's seccomp and Landlock audit records, read field by field. The kernel writes the
// seccomp one in kernel/auditsc.c (audit_seccomp): "auid= uid= gid= ses= [subj=] pid= comm=
// exe= sig= arch= syscall= compat= ip= code=", with untrusted strings (comm, exe) quoted, or
// hex-encoded when they hold a space, a quote or a byte outside printable ASCII; Landlock's in
// security/landlock/audit.c, its object fields as every LSM's (path=, dev=, ino=, daddr=,
// dest=, ...), untrusted strings encoded the same way. One reader finds where a record opens
// the line's message (RecordStart) for every type; each type's fields are then read apart.
#include "sysgate/explain.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <csignal>
#include <cstring>
#include <limits>
#include <map>
#include <variant>

#include <fmt/format.h>

#include "base/strings.h"
#include "sysgate/bpf.h"

namespace sysgate::analysis {
namespace {

struct Field {
  std::string_view key, value;
  size_t column;  // 1-based, of the key
};

// The words of a line: key=value fields (a value in double quotes may hold spaces) and the
// other words, as fields without a key.
std::vector<Field> Words(std::string_view line) {
  std::vector<Field> out;
  size_t i = 0;
  while (i < line.size()) {
    if (line[i] == ' ' || line[i] == '\t') {
      ++i;
      continue;
    }
    const size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '=') ++i;
    if (i < line.size() && line[i] == '=') {
      std::string_view key = line.substr(start, i - start);
      size_t v = ++i;
      if (i < line.size() && line[i] == '"') {
        size_t close = line.find('"', i + 1);
        i = close == std::string_view::npos ? line.size() : close + 1;
      } else {
        while (i < line.size() && line[i] != ' ' && line[i] != '\t') ++i;
      }
      out.push_back({key, line.substr(v, i - v), start + 1});
    } else {
      out.push_back({{}, line.substr(start, i - start), start + 1});
    }
  }
  return out;
}

// A non-empty run of decimal digits.
bool Digits(std::string_view d) {
  return !d.empty() && std::ranges::all_of(d, [](char c) { return c >= '0' && c <= '9'; });
}

// /dev/kmsg's prefix of a kernel record: "PRIORITY,SEQUENCE,MICROSECONDS,FLAG[,...];audit:".
bool KmsgPrefix(std::string_view w) {
  if (!w.ends_with(";audit:")) return false;
  std::vector<std::string_view> parts = base::Split(w.substr(0, w.size() - 7), ',');
  if (parts.size() < 4) return false;
  for (size_t i = 0; i < 3; ++i) {
    if (!Digits(parts[i])) return false;
  }
  return parts[3] == "-" || parts[3] == "c" || parts[3] == "+";
}

enum class RecordType { kSeccomp, kLandlockAccess, kLandlockDomain, kSyscall, kEventEnd };

// The type a `type=` value names: its number, auditd's name, or auditd's UNKNOWN[N] for a type
// its tables lack (one older than Landlock's records).
std::optional<RecordType> TypeOfMarker(std::string_view v) {
  static constexpr struct {
    std::string_view number, name;
    RecordType type;
  } kTypes[] = {
      {"1326", "SECCOMP", RecordType::kSeccomp},
      {"1423", "LANDLOCK_ACCESS", RecordType::kLandlockAccess},
      {"1424", "LANDLOCK_DOMAIN", RecordType::kLandlockDomain},
      {"1300", "SYSCALL", RecordType::kSyscall},
      {"1320", "EOE", RecordType::kEventEnd},
  };
  for (const auto& t : kTypes) {
    if (v == t.number || v == t.name) return t.type;
    if (v.starts_with("UNKNOWN[") && v.ends_with("]") && v.substr(8, v.size() - 9) == t.number)
      return t.type;
  }
  return std::nullopt;
}

// journald's rendering names the type after `audit[PID]:`: its name, or AUDITN for a type
// systemd's tables lack; `audit:` alone for a record without a pid= (Landlock's).
std::optional<RecordType> TypeOfJournalName(std::string_view v, bool has_pid) {
  std::optional<RecordType> t;
  if (v.starts_with("AUDIT") && Digits(v.substr(5))) {
    t = TypeOfMarker(v.substr(5));
  } else if (!Digits(v) && !v.starts_with("UNKNOWN[")) {
    t = TypeOfMarker(v);
  }
  if (t && !has_pid && (*t == RecordType::kSeccomp || *t == RecordType::kSyscall)) return {};
  return t;
}

struct Start {
  size_t index;  // of the record's first field
  RecordType type;
};

// The number of words of the syslog header that opens the line, "Dec 05 16:00:00 web1" (4) or
// "2026-12-05T16:00:00+0000 web1" (2); 0 when the line does not open with one.
size_t SyslogHeader(const std::vector<Field>& words) {
  auto plain = [&](size_t n) {
    return words.size() > n && std::all_of(words.begin(), words.begin() + static_cast<long>(n) + 1,
                                           [](const Field& f) { return f.key.empty(); });
  };
  auto letters = [](std::string_view w) {
    return std::ranges::all_of(
        w, [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); });
  };
  if (plain(3) && words[0].value.size() == 3 && letters(words[0].value) && Digits(words[1].value) &&
      words[2].value.find(':') != std::string_view::npos && Digits(words[2].value.substr(0, 1))) {
    return 4;
  }
  const std::string_view iso = plain(1) ? words[0].value : std::string_view();
  if (iso.size() > 10 && Digits(iso.substr(0, 4)) && iso[4] == '-' && iso.find('T') == 10) return 2;
  return 0;
}

// The index of the word after the kernel's time that opens the message at `at` (dmesg's
// "[ 8123.000001]", dmesg -T's "[Sun Dec  6 17:50:39 2026]"); `at` when there is none.
size_t AfterKernelTime(const std::vector<Field>& words, size_t at) {
  if (at >= words.size() || !words[at].key.empty() || !words[at].value.starts_with('[')) return at;
  for (size_t i = at; i < words.size() && i < at + 6; ++i) {
    const std::string_view w = words[i].value;
    if (!words[i].key.empty() || w.find_first_of("(\"") != std::string_view::npos) return at;
    if (w.ends_with(']')) return i + 1;
  }
  return at;
}

// Where the record's fields start: after a `type=` of one of the record types above that
// opens the message, and nothing else may come before it but the log's own prefix: in
// audit.log first, or after node=; in the kernel's line after `audit:`, itself first or after
// /dev/kmsg's `N,N,N,-;`, dmesg's time, or a syslog header with `kernel:` (and the kernel's
// time); in journald's rendering `audit[PID]: TYPE` or `audit: TYPE` right after the header's
// host name. So a program's own line ("mallory[9]: hello audit: type=1423 ...") is no record.
// Nothing when the line holds no such record.
std::optional<Start> RecordStart(const std::vector<Field>& words) {
  auto marker = [&](size_t i) -> std::optional<RecordType> {
    if (i >= words.size() || words[i].key != "type") return std::nullopt;
    return TypeOfMarker(words[i].value);
  };
  auto word_is = [&](size_t i, std::string_view w) {
    return i < words.size() && words[i].key.empty() && words[i].value == w;
  };
  if (auto t = marker(0)) return Start{1, *t};
  if (words.size() > 1 && words[0].key == "node") {
    if (auto t = marker(1)) return Start{2, *t};
    return std::nullopt;
  }
  if (!words.empty() && words[0].key.empty() && KmsgPrefix(words[0].value)) {
    if (auto t = marker(1)) return Start{2, *t};
    return std::nullopt;
  }
  const size_t header = SyslogHeader(words);
  const bool kernel = header != 0 && word_is(header, "kernel:");
  size_t at = kernel ? header + 1 : header;
  if (header == 0 || kernel) at = AfterKernelTime(words, at);
  if (word_is(at, "audit:")) {
    if (auto t = marker(at + 1)) return Start{at + 2, *t};
  }
  if (header == 0 || kernel || at + 1 >= words.size() || !words[at].key.empty() ||
      !words[at + 1].key.empty()) {
    return std::nullopt;
  }
  const std::string_view w = words[at].value;
  const bool with_pid = w.starts_with("audit[") && w.ends_with("]:");
  if (!with_pid && w != "audit:") return std::nullopt;
  if (auto t = TypeOfJournalName(words[at + 1].value, with_pid)) return Start{at + 2, *t};
  return std::nullopt;
}

template <class T>
std::optional<T> Number(std::string_view s, int base) {
  T v{};
  if (s.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<uint64_t> Hex0x(std::string_view s) {
  if (!s.starts_with("0x")) return std::nullopt;
  return Number<uint64_t>(s.substr(2), 16);
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// comm="nginx", or comm=6E 67 69 6E 78 written without spaces when the name needs encoding.
std::string Untrusted(std::string_view v) {
  if (v.size() >= 2 && v.front() == '"' && v.back() == '"')
    return std::string(v.substr(1, v.size() - 2));
  if (v.empty() || v.size() % 2 != 0 || !std::ranges::all_of(v, IsHex)) return std::string(v);
  std::string out;
  for (size_t i = 0; i < v.size(); i += 2) {
    out.push_back(static_cast<char>(*Number<unsigned>(v.substr(i, 2), 16)));
  }
  return out;
}

// audit(1733414400.123:45): -> seconds, millis, serial. False when it is not that shape
// (ausearch -i writes a date there).
template <class R>  // SeccompRecord, AuditStamp
bool ParseStamp(std::string_view w, R& r) {
  size_t open = w.find("audit(");
  if (open == std::string_view::npos) return false;
  w.remove_prefix(open + 6);
  size_t close = w.find(')');
  if (close == std::string_view::npos) return false;
  w = w.substr(0, close);
  size_t dot = w.find('.'), colon = w.find(':');
  if (dot == std::string_view::npos || colon == std::string_view::npos || colon < dot) return false;
  auto s = Number<int64_t>(w.substr(0, dot), 10);
  auto ms = Number<int>(w.substr(dot + 1, colon - dot - 1), 10);
  auto serial = Number<uint64_t>(w.substr(colon + 1), 10);
  if (!s || !ms || !serial || *ms < 0 || *ms > 999) return false;
  r.seconds = s;
  r.millis = *ms;
  r.serial = serial;
  return true;
}

// The record's decimal fields: where each goes, and what its value must be.
struct DecimalField {
  std::string_view key;
  std::string_view kind;
  std::variant<std::optional<uint32_t> SeccompRecord::*, std::optional<int32_t> SeccompRecord::*>
      slot;
};
const DecimalField kDecimalFields[] = {
    {"auid", "a user id", &SeccompRecord::auid},  {"uid", "a user id", &SeccompRecord::uid},
    {"gid", "a group id", &SeccompRecord::gid},   {"ses", "a session id", &SeccompRecord::ses},
    {"pid", "a process id", &SeccompRecord::pid}, {"sig", "a signal number", &SeccompRecord::sig},
    {"compat", "0 or 1", &SeccompRecord::compat},
};

// ausearch -i's names for the record's numbers (auparse's machine and seccomp tables).
std::optional<Arch> InterpretedArch(std::string_view name) {
  if (name == "armeb" || name.starts_with("armv")) return Arch::kArm;  // auparse's ARM names
  if (name == "i486") return Arch::kI386;
  if (std::ranges::all_of(name, IsHex)) return std::nullopt;  // a raw value
  return ArchFromName(name);
}

std::optional<uint32_t> InterpretedCode(std::string_view name) {
  static constexpr std::pair<std::string_view, uint32_t> kCodes[] = {
      {"kill", bpf::ret::kKillThread},  // older auparse writes kill-process as "kill" too
      {"kill-process", bpf::ret::kKillProcess},
      {"kill_process", bpf::ret::kKillProcess},
      {"trap", bpf::ret::kTrap},
      {"errno", bpf::ret::kErrno},
      {"user-notify", bpf::ret::kUserNotif},
      {"user_notif", bpf::ret::kUserNotif},
      {"trace", bpf::ret::kTrace},
      {"log", bpf::ret::kLog},
      {"allow", bpf::ret::kAllow},
  };
  const auto* c = std::ranges::find(kCodes, name, &std::pair<std::string_view, uint32_t>::first);
  if (c == std::end(kCodes)) return std::nullopt;
  return c->second;
}

// sig=SIGSYS: the number this machine gives the name (ausearch named it on its machine).
std::optional<int32_t> InterpretedSignal(std::string_view name) {
  if (name == "SIG0") return 0;
  if (!name.starts_with("SIG")) return std::nullopt;
  for (int sig = 1; sig < NSIG; ++sig) {
    const char* abbrev = sigabbrev_np(sig);
    if (abbrev != nullptr && name.substr(3) == abbrev) return sig;
  }
  return std::nullopt;
}

// The time ausearch -i writes, "audit(12/06/24 07:00:00.123:45)", is a local date in its
// locale: only the milliseconds and the serial are taken from its last word.
template <class R>
void ParseInterpretedStamp(std::string_view w, R& r) {
  if (!w.ends_with(")")) return;
  w.remove_suffix(1);
  const size_t colon = w.rfind(':'), dot = w.rfind('.');
  if (colon == std::string_view::npos || dot == std::string_view::npos || dot > colon) return;
  auto ms = Number<int>(w.substr(dot + 1, colon - dot - 1), 10);
  auto serial = Number<uint64_t>(w.substr(colon + 1), 10);
  if (!ms || !serial || *ms < 0 || *ms > 999) return;
  r.millis = *ms;
  r.serial = serial;
}

// The time a word without a key (or msg=) holds, in either form; other words are left alone.
template <class R>
void ReadStamp(const Field& f, bool interpreted, R& r) {
  if (!f.key.empty() && f.key != "msg") return;
  if (f.value.find("audit(") != std::string_view::npos) ParseStamp(f.value, r);
  if (interpreted && f.key.empty()) ParseInterpretedStamp(f.value, r);
}

// ausearch -i writes exe= and comm= decoded and unquoted: the value runs on over the words
// without a key that follow it (exe=/opt/my app/bin sig=...).
std::string RunOnValue(const std::vector<Field>& words, size_t& i) {
  const std::string_view first = words[i].value;
  std::string_view last = first;
  while (i + 1 < words.size() && words[i + 1].key.empty()) last = words[++i].value;
  return std::string(first.data(), last.data() + last.size() - first.data());
}

// An error in a record: at `at` (file and line) and the field's column.
Error FailAt(const SourceLoc& at, size_t column, std::string what) {
  SourceLoc loc = at;
  loc.column = static_cast<int>(std::min<size_t>(column, std::numeric_limits<int>::max()));
  return MakeError(ErrorCode::kInvalidArgument, std::move(what), loc);
}

Error NotNumberAt(const SourceLoc& at, const Field& f, std::string_view kind, bool interpreted) {
  std::string what = fmt::format("{}={} is not {}", f.key, base::Abbreviate(f.value), kind);
  // A name where the kernel writes a number: ausearch -i's interpretation (uid=root).
  auto numeric = [](char c) { return IsHex(c) || c == 'x' || c == '-'; };
  if (!interpreted && !std::ranges::all_of(f.value, numeric)) {
    what += " (ausearch -i writes names there: give sysgate the raw record, ausearch without -i)";
  }
  return FailAt(at, f.column, what);
}

// The fields of one record, from the word `start` on, read into a SeccompRecord. An error is
// located at `at` and the column of the field.
class RecordReader {
 public:
  RecordReader(const std::vector<Field>& words, size_t start, const SourceLoc& at)
      : words_(words), start_(start), at_(at) {}

  Result<SeccompRecord> Read() {
    FindKernelFields();
    for (size_t i = start_; i < words_.size(); ++i) {
      if (std::optional<Error> e = ReadField(i)) return *e;
    }
    for (auto [have, key] : {std::pair{arch_, "arch"}, {syscall_, "syscall"}, {code_, "code"}}) {
      if (!have)
        return Fail(words_[start_ - 1].column, fmt::format("a seccomp record without {}=", key));
    }
    return std::move(r_);
  }

 private:
  Error Fail(size_t column, std::string what) const { return FailAt(at_, column, std::move(what)); }
  Error NotNumber(const Field& f, std::string_view kind) const {
    return NotNumberAt(at_, f, kind, r_.interpreted);
  }

  // ausearch -i's interpretation names the arch (arch=x86_64); the kernel writes its number.
  // Its comm= and exe= are the program's, unquoted: a name can hold "arch=i386 syscall=...".
  // The kernel writes them before sig, arch, syscall, compat, ip and code, so the last of each
  // key is the kernel's.
  void FindKernelFields() {
    for (size_t i = start_; i < words_.size(); ++i) last_[words_[i].key] = i;
    if (auto a = last_.find("arch"); a != last_.end())
      named_abi_ = InterpretedArch(words_[a->second].value);
    r_.interpreted = named_abi_.has_value();
  }

  // Word `i`; a run-on value (interpreted comm= and exe=) moves `i` to its last word.
  std::optional<Error> ReadField(size_t& i) {
    const Field& f = words_[i];
    if (f.key.empty() || f.key == "msg") {
      ReadStamp(f, r_.interpreted, r_);
      return std::nullopt;
    }
    if (r_.interpreted && last_[f.key] != i) return std::nullopt;
    const auto decimal = std::ranges::find(kDecimalFields, f.key, &DecimalField::key);
    if (decimal != std::end(kDecimalFields)) return ReadDecimal(f, *decimal);
    if (f.key == "arch") return ReadArch(f);
    if (f.key == "syscall") return ReadSyscall(f);
    if (f.key == "code") return ReadCode(f);
    if (f.key == "ip") {
      if (auto v = Hex0x(f.value)) r_.ip = *v;
    } else if (f.key == "comm") {
      r_.comm = r_.interpreted ? RunOnValue(words_, i) : Untrusted(f.value);
    } else if (f.key == "exe") {
      r_.exe = r_.interpreted ? RunOnValue(words_, i) : Untrusted(f.value);
    }
    return std::nullopt;
  }

  std::optional<Error> ReadDecimal(const Field& f, const DecimalField& decimal) {
    if (r_.interpreted && f.key == "sig") {
      r_.sig = Number<int32_t>(f.value, 10);
      if (!r_.sig) r_.sig = InterpretedSignal(f.value);
      if (!r_.sig) return NotNumber(f, "a signal (SIGSYS, SIG0)");
      return std::nullopt;
    }
    return std::visit(
        [&](auto member) -> std::optional<Error> {
          using T = typename std::remove_reference_t<decltype(r_.*member)>::value_type;
          auto v = Number<T>(f.value, 10);
          if (!v && r_.interpreted) return std::nullopt;  // uid=root: a name left out
          if (!v) return NotNumber(f, decimal.kind);
          r_.*member = *v;
          return std::nullopt;
        },
        decimal.slot);
  }

  std::optional<Error> ReadArch(const Field& f) {
    auto v = r_.interpreted ? std::optional(Info(*named_abi_).audit_arch)
                            : Number<uint32_t>(f.value, 16);
    if (!v) return NotNumber(f, "a hexadecimal AUDIT_ARCH value");
    r_.arch = *v;
    arch_ = true;
    return std::nullopt;
  }

  std::optional<Error> ReadSyscall(const Field& f) {
    auto v = Number<int32_t>(f.value, 10);
    if (!v && r_.interpreted) {
      v = SyscallNumber(*named_abi_, f.value);
      if (!v) {
        return Fail(f.column, fmt::format("syscall={} is not a system call of {}",
                                          base::Abbreviate(f.value), Info(*named_abi_).name));
      }
    }
    if (!v) return NotNumber(f, "a syscall number");
    r_.syscall = *v;
    syscall_ = true;
    return std::nullopt;
  }

  std::optional<Error> ReadCode(const Field& f) {
    std::optional<uint64_t> v = Hex0x(f.value);
    if (!v && r_.interpreted) v = InterpretedCode(f.value);
    if (!v || *v > std::numeric_limits<uint32_t>::max()) {
      return NotNumber(f, r_.interpreted ? "a seccomp action (errno, kill, trap, ...) or its value"
                                         : "a 32-bit hexadecimal return value (0x...)");
    }
    r_.code = static_cast<uint32_t>(*v);
    code_ = true;
    return std::nullopt;
  }

  const std::vector<Field>& words_;
  const size_t start_;
  const SourceLoc& at_;
  SeccompRecord r_;
  std::map<std::string_view, size_t> last_;  // each key's last word
  std::optional<Arch> named_abi_;            // interpreted: the arch= it names
  bool arch_ = false, syscall_ = false, code_ = false;
};

// auditd's ENRICHED format adds its interpretation after a \x1d.
std::string_view WithoutEnrichment(std::string_view line) {
  return line.substr(0, line.find('\x1d'));
}

// ausearch -i's form: the time is a local date, `msg=audit(DATE TIME.MS:SERIAL) :`, its colon
// a word of its own before the fields.
bool InterpretedForm(const std::vector<Field>& words, size_t start) {
  for (size_t i = start; i < words.size(); ++i) {
    if (!words[i].key.empty() && words[i].key != "msg") return false;
    if (words[i].key.empty() && words[i].value == ":") return i > start;
  }
  return false;
}

// The kernel's rights as Landlock's records name them, as AccessRules' bits.
struct Blocker {
  enum Kind { kFs, kNet, kScope } kind;
  uint64_t bit;
};
std::optional<Blocker> KnownBlocker(std::string_view b) {
  if (b.starts_with("fs.")) {
    std::string name(b.substr(3));
    std::ranges::replace(name, '_', '-');  // the language's words are the kernel's, dashed
    auto bits = FsAccessFromName(name);
    if (bits && std::has_single_bit(*bits)) return Blocker{Blocker::kFs, *bits};
  }
  if (b == "net.bind_tcp") return Blocker{Blocker::kNet, net_access::kBindTcp};
  if (b == "net.connect_tcp") return Blocker{Blocker::kNet, net_access::kConnectTcp};
  if (b == "scope.signal") return Blocker{Blocker::kScope, scope::kSignal};
  if (b == "scope.abstract_unix_socket")
    return Blocker{Blocker::kScope, scope::kAbstractUnixSocket};
  return std::nullopt;
}

// Landlock denies these to every domain, whatever its rules.
bool AnyDomainBlocker(std::string_view b) { return b == "ptrace" || b == "fs.change_topology"; }

// A Landlock record's untrusted strings, and the field the kernel writes after each (where
// ausearch -i's unquoted value ends).
struct TextField {
  std::string_view key, until;
  std::optional<std::string> LandlockRecord::*slot;
};
const TextField kTextFields[] = {
    {"path", "dev", &LandlockRecord::path}, {"name", "dev", &LandlockRecord::name},
    {"dev", "ino", &LandlockRecord::dev},   {"ocomm", "", &LandlockRecord::ocomm},
    {"exe", "comm", &LandlockRecord::exe},  {"comm", "", &LandlockRecord::comm},
};

// Its decimal numbers: where each goes, and what its value must be.
struct NumberField {
  std::string_view key, kind;
  std::variant<std::optional<uint64_t> LandlockRecord::*, std::optional<uint16_t> LandlockRecord::*,
               std::optional<int32_t> LandlockRecord::*, std::optional<uint32_t> LandlockRecord::*>
      slot;
};
const NumberField kNumberFields[] = {
    {"ino", "an inode number", &LandlockRecord::ino},
    {"src", "a port number", &LandlockRecord::port},
    {"dest", "a port number", &LandlockRecord::port},
    {"opid", "a process id", &LandlockRecord::opid},
    {"pid", "a process id", &LandlockRecord::pid},
    {"uid", "a user id", &LandlockRecord::uid},
    {"denials", "a number of denials", &LandlockRecord::denials},
};

// The fields of a Landlock record (LANDLOCK_ACCESS or LANDLOCK_DOMAIN) from the word `start`
// on. Raw records quote or hex-encode their untrusted strings; ausearch -i writes them decoded
// and unquoted, so there such a value runs on up to the last word of the field the kernel
// writes after it (path= up to dev=), and a path cannot add fields.
class LandlockReader {
 public:
  LandlockReader(const std::vector<Field>& words, size_t start, const SourceLoc& at,
                 LandlockRecord::Kind kind)
      : words_(words), start_(start), at_(at) {
    r_.kind = kind;
    r_.interpreted = InterpretedForm(words, start);
  }

  Result<LandlockRecord> Read() {
    for (size_t i = start_; i < words_.size(); ++i) {
      if (std::optional<Error> e = ReadField(i)) return *e;
    }
    const bool access = r_.kind == LandlockRecord::Kind::kAccess;
    for (auto [have, key] : {std::pair{domain_, "domain"},
                             {access ? blockers_ : status_, access ? "blockers" : "status"}}) {
      if (!have) {
        return FailAt(
            at_, words_[start_ - 1].column,
            fmt::format("a Landlock {} record without {}=", access ? "access" : "domain", key));
      }
    }
    return std::move(r_);
  }

 private:
  // The value of word `i`: raw, decoded; interpreted, run on to the last `until` field (or the
  // end), moving `i` to its last word.
  std::string Text(size_t& i, std::string_view until) {
    if (!r_.interpreted) return Untrusted(words_[i].value);
    size_t end = words_.size();
    if (!until.empty()) {
      for (size_t j = words_.size(); j-- > i + 1;) {
        if (words_[j].key == until) {
          end = j;
          break;
        }
      }
    }
    const std::string_view first = words_[i].value;
    const std::string_view last = words_[end - 1].value;
    i = end - 1;
    return std::string(first.data(), last.data() + last.size() - first.data());
  }

  template <class T>
  std::optional<Error> Decimal(const Field& f, std::optional<T>& slot, std::string_view kind) {
    auto v = Number<T>(f.value, 10);
    if (!v && r_.interpreted) return std::nullopt;  // uid=root: a name left out
    if (!v) return NotNumberAt(at_, f, kind, r_.interpreted);
    slot = *v;
    return std::nullopt;
  }

  std::optional<Error> ReadField(size_t& i) {
    const Field& f = words_[i];
    if (f.key.empty() || f.key == "msg") {
      ReadStamp(f, r_.interpreted, r_.stamp);
      return std::nullopt;
    }
    if (f.key == "domain" && !domain_) {
      auto v = Number<uint64_t>(f.value, 16);
      if (!v) {  // ausearch -i writes it as the kernel does: no hint about names
        return FailAt(
            at_, f.column,
            fmt::format("domain={} is not a hexadecimal domain id", base::Abbreviate(f.value)));
      }
      r_.domain = *v;
      domain_ = true;
    } else if (f.key == "blockers" && r_.kind == LandlockRecord::Kind::kAccess && !blockers_) {
      for (std::string_view b : base::Split(f.value, ',')) {
        if (b.empty()) continue;
        r_.blockers.emplace_back(b);
        if (auto k = KnownBlocker(b)) {
          (k->kind == Blocker::kFs    ? r_.fs
           : k->kind == Blocker::kNet ? r_.net
                                      : r_.scopes) |= k->bit;
        }
      }
      blockers_ = !r_.blockers.empty();  // the kernel names at least one: none is none at all
    } else if (f.key == "status" && r_.kind != LandlockRecord::Kind::kAccess && !status_) {
      if (f.value == "deallocated") {
        r_.kind = LandlockRecord::Kind::kDomainDeallocated;
      } else if (f.value != "allocated") {
        return FailAt(
            at_, f.column,
            fmt::format("status={} is not allocated or deallocated", base::Abbreviate(f.value)));
      }
      status_ = true;
    } else if (f.key == "saddr" || f.key == "daddr") {
      r_.addr = std::string(f.value);
    } else if (auto t = std::ranges::find(kTextFields, f.key, &TextField::key);
               t != std::end(kTextFields)) {
      r_.*t->slot = Text(i, t->until);
    } else if (auto d = std::ranges::find(kNumberFields, f.key, &NumberField::key);
               d != std::end(kNumberFields)) {
      return std::visit([&](auto slot) { return Decimal(f, r_.*slot, d->kind); }, d->slot);
    }
    return std::nullopt;
  }

  const std::vector<Field>& words_;
  const size_t start_;
  const SourceLoc& at_;
  LandlockRecord r_;
  bool domain_ = false, blockers_ = false, status_ = false;
};

// The SYSCALL record's context: what reads is kept, the rest left out.
SyscallRecord ReadSyscall(const std::vector<Field>& words, size_t start) {
  SyscallRecord r;
  const bool interpreted = InterpretedForm(words, start);
  Arch abi{};  // (not an optional: GCC 12 takes its flag for uninitialized)
  bool have_abi = false;
  for (size_t i = start; i < words.size(); ++i) {
    const Field& f = words[i];
    if (f.key.empty() || f.key == "msg") {
      ReadStamp(f, interpreted, r.stamp);
    } else if (f.key == "arch" && !r.arch) {
      std::optional<Arch> named = interpreted ? InterpretedArch(f.value) : std::nullopt;
      r.arch = named ? std::optional(Info(*named).audit_arch) : Number<uint32_t>(f.value, 16);
      if (!named && r.arch) named = ArchFromAudit(*r.arch, 0);
      have_abi = named.has_value();
      abi = named.value_or(Arch{});
    } else if (f.key == "syscall" && !r.syscall) {
      r.syscall = Number<int32_t>(f.value, 10);
      if (!r.syscall && have_abi) r.syscall = SyscallNumber(abi, f.value);
    } else if (f.key == "exit" && !r.exit) {
      r.exit = Number<int64_t>(f.value, 10);
    } else if (f.key == "pid" && !r.pid) {
      r.pid = Number<int32_t>(f.value, 10);
    } else if (f.key == "ppid" && !r.ppid) {
      r.ppid = Number<int32_t>(f.value, 10);
    } else if (f.key == "uid" && !r.uid) {
      r.uid = Number<uint32_t>(f.value, 10);
    } else if (f.key == "comm" && !r.comm) {
      r.comm = interpreted ? RunOnValue(words, i) : Untrusted(f.value);
    } else if (f.key == "exe" && !r.exe) {
      r.exe = interpreted ? RunOnValue(words, i) : Untrusted(f.value);
    }
  }
  return r;
}

EventEnd ReadEventEnd(const std::vector<Field>& words, size_t start) {
  EventEnd r;
  const bool interpreted = InterpretedForm(words, start);
  for (size_t i = start; i < words.size(); ++i) ReadStamp(words[i], interpreted, r.stamp);
  return r;
}

}  // namespace

Result<std::optional<AuditRecord>> ParseAuditRecord(std::string_view line, const SourceLoc& at) {
  std::vector<Field> words = Words(WithoutEnrichment(line));
  std::optional<Start> start = RecordStart(words);
  if (!start) return std::optional<AuditRecord>();
  switch (start->type) {
    case RecordType::kSeccomp: {
      Result<SeccompRecord> r = RecordReader(words, start->index, at).Read();
      if (!r) return r.error();
      return std::optional<AuditRecord>(std::move(*r));
    }
    case RecordType::kLandlockAccess:
    case RecordType::kLandlockDomain: {
      const auto kind = start->type == RecordType::kLandlockAccess
                            ? LandlockRecord::Kind::kAccess
                            : LandlockRecord::Kind::kDomainAllocated;
      Result<LandlockRecord> r = LandlockReader(words, start->index, at, kind).Read();
      if (!r) return r.error();
      return std::optional<AuditRecord>(std::move(*r));
    }
    case RecordType::kSyscall: return std::optional<AuditRecord>(ReadSyscall(words, start->index));
    case RecordType::kEventEnd:
      return std::optional<AuditRecord>(ReadEventEnd(words, start->index));
  }
  return std::optional<AuditRecord>();
}

Result<std::optional<SeccompRecord>> ParseSeccompRecord(std::string_view line,
                                                        const SourceLoc& at) {
  // Only a seccomp record's problems are errors here: the line is read only as far as its type.
  std::vector<Field> words = Words(WithoutEnrichment(line));
  std::optional<Start> start = RecordStart(words);
  if (!start || start->type != RecordType::kSeccomp) return std::optional<SeccompRecord>();
  Result<SeccompRecord> r = RecordReader(words, start->index, at).Read();
  if (!r) return r.error();
  return std::optional<SeccompRecord>(std::move(*r));
}

Explained Explain(const SeccompRecord& record, const Interpreter* policy) {
  Explained e;
  e.abi = ArchFromAudit(record.arch, record.syscall);
  std::optional<std::string_view> name = e.abi ? SyscallName(*e.abi, record.syscall) : std::nullopt;
  e.syscall = name ? std::string(*name) : fmt::format("#{}", record.syscall);
  e.action = e.abi ? bpf::ActionOfRet(record.code, *e.abi) : bpf::ActionOfRet(record.code);
  const ActionKind kind = e.action.kind();
  const bool has_data =
      kind == ActionKind::kErrno || kind == ActionKind::kTrap || kind == ActionKind::kTrace;
  e.data_known = !has_data || (record.code & bpf::ret::kData) != 0;
  e.either_kill = record.interpreted && kind == ActionKind::kKillThread;
  if (policy == nullptr) return e;
  e.candidates = policy->Candidates(record.arch, record.syscall);
  for (size_t i = 0; i < e.candidates.size(); ++i) {
    const Action& a = e.candidates[i].verdict.action;
    if (kind == ActionKind::kNotify && a.kind() == ActionKind::kErrno) {
      e.matching.push_back(i);  // sysgate run's supervisor answers errno verdicts
      e.routed = true;
    } else if (a.kind() == kind &&
               (!e.data_known || kind == ActionKind::kNotify || a == e.action)) {
      e.matching.push_back(i);  // a notify's data is its supervisor's business
    } else if (e.either_kill && a.kind() == ActionKind::kKillProcess) {
      e.matching.push_back(i);  // ausearch -i's "kill" is either
    }
  }
  return e;
}

std::string ActionText(const Explained& e) {
  if (e.either_kill) return "kill";
  return e.data_known ? e.action.ToString() : std::string(ActionKindName(e.action.kind()));
}

AccessExplained ExplainAccess(const LandlockRecord& record, const AccessRules& rules) {
  AccessExplained e;
  if (record.kind != LandlockRecord::Kind::kAccess) return e;
  e.fs = record.fs;
  e.net = record.net;
  e.scopes = record.scopes;
  e.handled_fs = record.fs & rules.handled_fs;
  e.handled_net = record.net & rules.handled_net;
  e.scoped = record.scopes & rules.scoped;
  for (const std::string& b : record.blockers) {
    if (AnyDomainBlocker(b)) {
      e.any_domain = true;
    } else if (!KnownBlocker(b)) {
      e.unknown.push_back(b);
    }
  }
  bool object_known = true;
  if (e.handled_fs) {
    if (record.path && record.path->starts_with('/')) {
      PathGrant g = GrantedOnResolved(rules, *record.path);
      e.granted_fs = g.access & e.handled_fs;
      e.path_rules = std::move(g.rules);
    } else {
      object_known = false;  // name= alone: the entry, not where it is
    }
  }
  if (e.handled_net) {
    if (record.port) {
      for (uint64_t bit : {net_access::kBindTcp, net_access::kConnectTcp}) {
        if (!(e.handled_net & bit)) continue;
        if (const PortRule* p = PortGrantedBy(rules, bit, *record.port)) {
          e.granted_net |= bit;
          if (!e.port_rule) e.port_rule = p;
        }
      }
    } else {
      object_known = false;
    }
  }
  const bool any_rules = !rules.empty();
  if (e.scoped || (e.any_domain && any_rules)) {
    e.match = AccessExplained::Match::kDecided;
  } else if (!e.handled_fs && !e.handled_net) {
    e.match = AccessExplained::Match::kOtherDomain;
  } else if (!object_known) {
    e.match = AccessExplained::Match::kUnknown;
  } else if ((e.handled_fs & ~e.granted_fs) || (e.handled_net & ~e.granted_net)) {
    e.match = AccessExplained::Match::kDecided;
  } else {
    e.match = AccessExplained::Match::kOtherDomain;
  }
  return e;
}

std::string BlockerText(std::string_view blocker) {
  std::optional<Blocker> b = KnownBlocker(blocker);
  if (!b) return std::string(blocker);
  switch (b->kind) {
    case Blocker::kFs: return FsAccessText(b->bit);
    case Blocker::kNet: return std::string(NetAccessName(b->bit));
    case Blocker::kScope: return ScopeText(b->bit);
  }
  return std::string(blocker);
}

}  // namespace sysgate::analysis
