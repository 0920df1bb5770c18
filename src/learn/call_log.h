// The calls a log shows, for `sysgate learn --from-log` (learn::ReadCallLog, sysgate/learn.h):
// a line at a time, each line whatever it is.
//
//   learn::CallLog log(Arch::kX86_64);
//   log.Add("1234  12:00:01.000001 openat(AT_FDCWD, \"/etc/hosts\", O_RDONLY) = 3");
//   log.Add("type=SECCOMP msg=audit(1700000000.123:42): ... arch=c000003e syscall=165 ...
//   code=0x7ffc0000"); learn::LogRead r = std::move(log).Finish();      // openat and mount, once
//   each
//
// Read: strace's output (`strace -o FILE`, `-f`'s `PID ` and `[pid PID] `, `-t`/`-tt`/`-ttt`/`-r`
// times, calls split into `<unfinished ...>` and `<... resumed>` counted once, `[ Process PID=N
// runs in 32 bit mode. ]`), `strace -c`'s summary tables (per mode), and the kernel's seccomp
// audit records (analysis::ParseSeccompRecord). Every other line is passed over.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sysgate/arch.h"
#include "sysgate/learn.h"

namespace sysgate::learn {

class CallLog {
 public:
  explicit CallLog(Arch native) : native_(native) {}
  // `cut`: only the head of a longer line (base::LineReader's kTooLong).
  void Add(std::string_view line, bool cut = false);
  LogRead Finish() &&;

 private:
  struct Seen {
    std::string name;
    size_t line;
  };
  // Into `into`: the calls' recording, or summary_ for strace -c's tables.
  void Count(Arch abi, std::string_view name, uint64_t times, size_t line, Recording& into);
  void Record(const std::string& pid, std::string_view name, size_t line);
  void Flush(const std::string& pid);
  bool AddStraceCall(std::string_view line, bool cut);
  bool AddSummaryRow(std::string_view line);
  std::optional<Arch> ModeAbi(std::string_view mode) const;

  Arch native_;
  LogRead out_;
  std::map<std::string, Arch, std::less<>> abi_of_pid_;  // strace's mode lines; "" without -f
  bool seen_pids_ = false;                               // the log has -f's pids
  std::map<std::string, std::vector<Seen>> segments_;    // by pid: calls of its current image
  std::optional<Seen> pending_;                          // a call line cut by the program's output
  std::string pending_pid_;
  // `strace -c`: a table's head (waiting for its line of dashes, which gives the columns), the
  // columns of the syscall names and the call counts (character spans: [first, last)), the ABI
  // of the next table.
  std::string table_head_;
  bool in_table_ = false;
  std::pair<size_t, size_t> name_span_, calls_span_;
  bool table_has_calls_ = false;  // without (strace -U name,...), each row is a call made
  Arch summary_abi_ = native_;
  // The tables' calls, apart: `strace -C` writes the calls and then their table, which counts
  // the same calls again. Used when the log shows no call line.
  Recording summary_;
  size_t summary_rows_ = 0;
};

}  // namespace sysgate::learn
