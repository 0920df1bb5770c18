#include "learn/call_log.h"

#include <cctype>
#include <limits>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "base/line_reader.h"
#include "base/strings.h"
#include "sysgate/explain.h"
#include "sysgate/limits.h"

namespace sysgate::learn {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsNameChar(char c) {
  return std::islower(static_cast<unsigned char>(c)) || IsDigit(c) || c == '_';
}

std::string_view SkipSpaces(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  return s;
}

// A leading run of digits (and what `also` allows) followed by a blank: removed, and returned.
std::optional<std::string_view> TakeWord(std::string_view& s, std::string_view also) {
  size_t n = 0;
  while (n < s.size() && (IsDigit(s[n]) || also.find(s[n]) != std::string_view::npos)) ++n;
  if (n == 0 || n == s.size() || (s[n] != ' ' && s[n] != '\t') || !IsDigit(s[0]))
    return std::nullopt;
  std::string_view word = s.substr(0, n);
  s = SkipSpaces(s.substr(n));
  return word;
}

std::vector<std::string_view> Fields(std::string_view s) {
  std::vector<std::string_view> out;
  while (true) {
    s = SkipSpaces(s);
    if (s.empty()) return out;
    size_t n = s.find_first_of(" \t");
    out.push_back(s.substr(0, n));
    if (n == std::string_view::npos) return out;
    s.remove_prefix(n);
  }
}

uint64_t SaturatingAdd(uint64_t a, uint64_t b) {
  return a > std::numeric_limits<uint64_t>::max() - b ? std::numeric_limits<uint64_t>::max()
                                                      : a + b;
}

}  // namespace

std::optional<Arch> CallLog::ModeAbi(std::string_view mode) const {
  if (mode == "64 bit") return native_;
  if (mode == "x32") return Arch::kX32;
  if (mode == "32 bit") {
    for (Arch a : CompatArches(native_)) {
      if (a != Arch::kX32) return a;
    }
  }
  return std::nullopt;
}

void CallLog::Count(Arch abi, std::string_view name, uint64_t times, size_t line, Recording& into) {
  std::string key(name);
  if (name.starts_with("syscall_0x")) {  // strace's name for a number it does not know
    auto nr = base::ParseInt32(name.substr(8));
    if (!nr) return;
    auto known = SyscallName(abi, *nr);
    key = known ? std::string(*known) : fmt::format("#{}", *nr);
  } else if (!name.starts_with('#') && !SyscallNumber(abi, name)) {
    out_.unknown_names.emplace(std::string(name), line);
    return;
  }
  SyscallRecord& r = into.calls[{abi, key}];
  r.count = SaturatingAdd(r.count, times);
  r.any_args = true;
  into.total = SaturatingAdd(into.total, times);
  if (&into == &out_.recording)
    ++out_.call_lines;
  else
    ++summary_rows_;
}

// strace writes "[ Process PID=N runs in 32 bit mode. ]" to its own stderr, not into an -o
// file: a process's ABI is read from its calls, per image (an execve starts a new one). Names
// only the compat ABI has (mmap2, _llseek, socketcall) make the whole image the compat ABI's.
void CallLog::Flush(const std::string& pid) {
  auto seg = segments_.find(pid);
  if (seg == segments_.end()) return;
  Arch abi = native_;
  if (auto mode = abi_of_pid_.find(pid); mode != abi_of_pid_.end()) {
    abi = mode->second;
  } else {
    for (Arch compat : CompatArches(native_)) {
      if (compat == Arch::kX32) continue;  // x32 shares x86_64's names: only its numbers tell
      bool only_compat = std::ranges::any_of(seg->second, [&](const Seen& c) {
        return !SyscallNumber(native_, c.name) && SyscallNumber(compat, c.name);
      });
      if (only_compat) abi = compat;
      break;
    }
  }
  for (const Seen& c : seg->second) Count(abi, c.name, 1, c.line, out_.recording);
  segments_.erase(seg);
}

void CallLog::Record(const std::string& pid, std::string_view name, size_t line) {
  segments_[pid].push_back({std::string(name), line});
  if (name == "execve" || name == "execveat") Flush(pid);  // the old image made the call
}

// `[pid 12] 12:00:00.000001 openat(AT_FDCWD, "x", O_RDONLY) = 3`, with or without each part;
// -Y's `12<ls>`, -i's `[00007f...]` and -n's `[ 257]` too. `cut`: only the line's head was read.
bool CallLog::AddStraceCall(std::string_view line, bool cut) {
  std::string_view s = SkipSpaces(line);
  std::string pid;
  if (s.starts_with("[pid ")) {
    size_t close = s.find(']');
    if (close == std::string_view::npos) return false;
    pid = std::string(SkipSpaces(s.substr(5, close - 5)));
    s = SkipSpaces(s.substr(close + 1));
  } else if (!s.empty() && IsDigit(s[0])) {
    size_t n = 0;
    while (n < s.size() && IsDigit(s[n])) ++n;
    size_t end = n;  // past the pid, and -Y's `<comm>` after it
    if (n < s.size() && s[n] == '<') {
      size_t gt = s.find('>', n);
      if (gt == std::string_view::npos) return false;
      end = gt + 1;
    }
    if (end < s.size() && (s[end] == ' ' || s[end] == '\t')) {
      pid = std::string(s.substr(0, n));
      s = SkipSpaces(s.substr(end));
    }
  }
  // -t 12:00:00, -tt 12:00:00.000001, -ttt 1700000000.000001, -r 0.000123: after the pid.
  TakeWord(s, ":.");
  while (s.starts_with('[') && !s.starts_with("[ Process")) {  // -i, -n: [address], [number]
    size_t close = s.find(']');
    if (close == std::string_view::npos) return false;
    std::string_view inner = SkipSpaces(s.substr(1, close - 1));
    if (inner.empty() || inner.find_first_not_of("0123456789abcdefx ") != std::string_view::npos)
      return false;
    s = SkipSpaces(s.substr(close + 1));
  }
  if (s.starts_with(
          "[ Process PID=")) {  // [ Process PID=12 runs in 32 bit mode. ] (strace's stderr)
    size_t at = s.find(" runs in ");
    size_t end = s.find(" mode.");
    if (at == std::string_view::npos || end == std::string_view::npos || end < at) return false;
    std::string who(s.substr(14, s.find(' ', 14) - 14));
    if (auto abi = ModeAbi(s.substr(at + 9, end - at - 9)))
      abi_of_pid_[pid.empty() && !seen_pids_ ? "" : who] = *abi;
    return false;
  }
  size_t n = 0;
  while (n < s.size() && IsNameChar(s[n])) ++n;
  if (n == 0 || n >= s.size() || s[n] != '(' || IsDigit(s[0])) return false;
  if (!pid.empty()) seen_pids_ = true;
  // A call line ends in its result (`) = 3`, `) = ?` after exit, `<0.000012>` with -T) or
  // is unfinished. One without either was cut: by the program's own output in the same
  // stream (its result follows on a later line), or by the line limit (`cut`).
  std::string_view rest = s.substr(n);
  size_t eq = rest.rfind(" = ");
  bool finished =
      eq != std::string_view::npos && rest.substr(0, eq).find(')') != std::string_view::npos;
  pending_.reset();
  if (!finished && !rest.ends_with("<unfinished ...>") && !cut) {
    pending_ = Seen{std::string(s.substr(0, n)), out_.lines};
    pending_pid_ = pid;
    return true;
  }
  Record(pid, s.substr(0, n), out_.lines);
  return true;
}

// strace -c, with its default columns or those -U chose, in any order:
//   System call usage summary for 32 bit mode:
//   % time     seconds  usecs/call     calls    errors syscall
//   ------ ----------- ----------- --------- --------- ----------------
//    19.42    0.000814          23        34        13 openat
// The line of dashes gives each column's characters; the head names them. Numbers are aligned
// to the right of their column, names to the left (a name longer than its column pushes the
// columns after it to the right); a column may be blank (no errors).
bool CallLog::AddSummaryRow(std::string_view raw) {
  // Columns are characters: tabs (a table passed through unexpand) at their 8-column stops.
  std::string expanded;
  if (raw.find('\t') != std::string_view::npos) {
    for (char c : raw) {
      if (c == '\t') {
        expanded.append(8 - expanded.size() % 8, ' ');
      } else {
        expanded += c;
      }
    }
    raw = expanded;
  }
  std::string_view line = raw;
  std::string_view s = SkipSpaces(line);
  if (s.starts_with("System call usage summary for ")) {
    s.remove_prefix(30);
    size_t end = s.find(" mode");
    if (auto abi = end == std::string_view::npos ? std::nullopt : ModeAbi(s.substr(0, end)))
      summary_abi_ = *abi;
    return false;
  }
  std::vector<std::string_view> f = Fields(s);
  const bool named = std::ranges::find(f, "syscall") != f.end();
  if (!in_table_ && named) {
    table_head_ = std::string(line);
    return false;
  }
  if (!in_table_ && !table_head_.empty()) {
    std::string head = std::exchange(table_head_, "");
    if (f.empty() || !f.front().starts_with("---")) return false;
    // The columns: each run of dashes, and the head's words above it, all strace's (-U
    // chooses which and in what order; without calls, each row is a call that was made).
    static constexpr std::string_view kTitles[] = {"% time",  "seconds", "usecs/call", "shortest",
                                                   "longest", "calls",   "errors",     "syscall"};
    bool have_name = false, all_strace = true;
    table_has_calls_ = false;
    for (size_t i = line.find('-'); i != std::string_view::npos; i = line.find('-', i)) {
      size_t end = line.find(' ', i);
      if (end == std::string_view::npos) end = line.size();
      std::string_view title =
          i < head.size() ? base::Trim(std::string_view(head).substr(i, end - i)) : "";
      if (title == "syscall") name_span_ = {i, end}, have_name = true;
      if (title == "calls") calls_span_ = {i, end}, table_has_calls_ = true;
      all_strace = all_strace && std::ranges::find(kTitles, title) != std::end(kTitles);
      i = end;
    }
    in_table_ = have_name && all_strace;
    return false;
  }
  if (!in_table_) return false;
  if (!f.empty() && f.front().starts_with("---")) return false;
  // The name: the word that starts in its column; what ends past it pushed the rest along.
  std::string_view name;
  size_t shift = 0;
  for (std::string_view w : f) {
    const size_t at = static_cast<size_t>(w.data() - line.data());
    if (at >= name_span_.first && at < name_span_.second) {
      name = w;
      shift = std::max(at + w.size(), name_span_.second) - name_span_.second;
      break;
    }
  }
  if (f.empty() || name == "total") {  // its end
    in_table_ = false;
    summary_abi_ = native_;
    return false;
  }
  std::optional<uint64_t> calls = table_has_calls_ ? std::nullopt : std::optional<uint64_t>(1);
  for (std::string_view w : f) {
    if (!table_has_calls_) break;
    const size_t at = static_cast<size_t>(w.data() - line.data());
    const size_t last = at + w.size() - 1 - (at > name_span_.first ? shift : 0);
    if (last >= calls_span_.first && last < calls_span_.second) calls = base::ParseInteger(w);
  }
  if (name.empty() || !calls || *calls == 0) return false;  // no call made: nothing to allow
  Count(summary_abi_, std::string(name), *calls, out_.lines, summary_);
  return true;
}

void CallLog::Add(std::string_view line, bool cut) {
  ++out_.lines;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  auto record = analysis::ParseSeccompRecord(line, {"", 0, 0});
  if (record && *record) {
    const analysis::SeccompRecord& r = **record;
    std::optional<Arch> abi = ArchFromAudit(r.arch, r.syscall);
    if (!abi) return;  // an ABI sysgate does not know: no policy could name it
    auto name = SyscallName(*abi, r.syscall);
    Count(*abi, name ? std::string(*name) : fmt::format("#{}", r.syscall), 1, out_.lines,
          out_.recording);
    return;
  }
  if (AddSummaryRow(line)) return;
  if (in_table_) return;
  // The rest of a call line the program's output broke: its result.
  if (pending_ && line.find(" = ") != std::string_view::npos) {
    std::optional<Seen> broken = std::exchange(pending_, std::nullopt);
    if (AddStraceCall(line, cut)) return;  // a call of its own: the broken one had no result
    Record(pending_pid_, broken->name, broken->line);
    return;
  }
  AddStraceCall(line, cut);
}

LogRead CallLog::Finish() && {
  while (!segments_.empty()) Flush(segments_.begin()->first);
  if (out_.call_lines == 0) {  // a table alone (strace -c); with the calls (-C) it repeats them
    out_.recording = std::move(summary_);
    out_.call_lines = summary_rows_;
  }
  return std::move(out_);
}

Result<LogRead> ReadCallLog(const std::string& path, Arch native) {
  Result<base::LineReader> in = base::LineReader::Open(path);
  if (!in) return in.error();
  CallLog log(native);
  size_t long_lines = 0;
  std::string line;
  while (true) {
    Result<base::LineReader::Got> got = in->Next(line, limits::kMaxLogLineBytes);
    if (!got) return got.error();
    if (*got == base::LineReader::Got::kEnd) break;
    if (*got == base::LineReader::Got::kTooLong) {  // its head names the call (strace -s 100000)
      ++long_lines;
      log.Add(line, /*cut=*/true);
      continue;
    }
    log.Add(line);
  }
  LogRead out = std::move(log).Finish();
  out.long_lines = long_lines;
  return out;
}

}  // namespace sysgate::learn
