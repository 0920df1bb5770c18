// Learning a policy from what a program really does: record every syscall of its process
// tree (and, with args, the argument values that make a policy tight), then write the
// policy that allows exactly that, plus what recorders always miss.
//
//   learn::RecordOptions o;
//   o.spawn.argv = {"tar", "czf", "out.tgz", "dir"};
//   o.args = true;
//   learn::Recording rec;
//   Result<run::Outcome> r = learn::Record(o, &rec);
//   Result<learn::Learned> p = learn::Synthesize(rec, {});
//   std::cout << p->text;                               // grouped, every rule with its count
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "sysgate/policy.h"
#include "sysgate/run.h"

namespace sysgate::learn {

// What one syscall on one ABI did.
struct SyscallRecord {
  uint64_t count = 0;
  // Recorded without argument values (or by a rule without conditions): any arguments.
  bool any_args = false;
  // The argument tuples seen, in the order of RecordedArgs(name), with their counts.
  std::map<std::vector<uint64_t>, uint64_t> tuples;
};

// What the calls asked of files and TCP ports (RecordOptions::fs and ::net): the material of
// `fs` and `net` rules, which Synthesize folds to directories the way a person writes them.
struct PathUse {
  uint64_t access = 0;   // the fs_access rights the calls needed here (sysgate/access_rules.h)
  uint64_t count = 0;    // calls
  bool created = false;  // made by the program: not there before the run
  bool removed = false;  // removed or renamed away by the program
  uint64_t paths = 1;  // the paths recorded here: more for a rule of a merged policy ("; N paths")
};
struct AccessRecording {
  bool fs = false;           // paths were recorded: none at all then means `fs none`
  uint64_t handled_net = 0;  // net_access bits recorded (--net: both); bind without a port
                             // then means `net bind none`
  std::map<std::string, PathUse> paths;        // absolute, symlinks resolved
  std::map<uint16_t, uint64_t> bind, connect;  // TCP port: calls
  // Renames and links from one directory to another. The kernel refuses one (EXDEV) where the
  // new place would give the file rights the old one did not: the rules must not.
  struct Move {
    std::string from, to;  // the directories
    bool dir = false;      // a directory moved (every right counts, not only a file's)
    auto operator<=>(const Move&) const = default;
  };
  std::set<Move> moves;
  // Carried from merged policies (never recorded): written back as they were.
  uint64_t scoped = 0;
  bool best_effort = false;
  bool empty() const { return !fs && handled_net == 0 && scoped == 0 && !best_effort; }
  void Merge(const AccessRecording& other);
};

struct Recording {
  // By ABI and syscall name; a number the tables do not know is named "#NR".
  std::map<std::pair<Arch, std::string>, SyscallRecord> calls;
  uint64_t total = 0;
  AccessRecording access;
  void Merge(const Recording& other);
  size_t Distinct() const { return calls.size(); }
};

// How an argument is recorded and turned into a condition.
enum class ArgUse : uint8_t {
  kValue,       // one of the values seen:           family in {AF_UNIX, AF_INET}
  kFlags,       // no bit outside those seen:        (clone_flags & ~SEEN) == 0
  kAccessMode,  // the O_ACCMODE part of open flags: (flags & O_ACCMODE) == O_RDONLY
};
struct RecordedArg {
  int index;
  ArgUse use;
};
// The arguments recorded for `syscall` with --args (empty for most syscalls).
std::vector<RecordedArg> RecordedArgs(std::string_view syscall);

struct Progress {
  uint64_t total = 0;
  size_t distinct = 0;
  std::string latest_new;  // the syscall that was just seen for the first time, or ""
};

struct RecordOptions {
  run::Options run;   // argv, environment, ...; on_call and decode are set here
  bool args = false;  // record RecordedArgs values
  bool fs = false;    // record the paths opened, made, removed and executed, with the
                      // Landlock rights each needed (Recording::access)
  bool net = false;   // record the TCP ports bound and connected to
  // Called when a syscall is seen for the first time, and every 65,536 calls.
  std::function<void(const Progress&)> on_progress;
};

// Runs the program with every syscall of every ABI notified to a recorder, from the
// program's exec on (the runner's own calls are not recorded), through forks, threads and
// execs, and answers each with "continue". Returns how the program ended; an error names the
// step that failed as run::Run's does (run::FailedStage, run::StartFailureStatus).
Result<run::Outcome> Record(const RecordOptions& options, Recording* recording);

// ---- learning from a log ----

// What a log says a program called, for `sysgate learn --from-log`: strace's output (`strace
// -f -o FILE PROGRAM`, `strace -c`'s summary tables) and the kernel's seccomp audit records (a
// filter's `log` verdicts: `sysgate run --log`, a profile's SCMP_ACT_LOG; from audit.log,
// dmesg or the journal). A log holds no argument values a policy could use: names only.
struct LogRead {
  Recording recording;
  size_t lines = 0;       // lines read
  size_t call_lines = 0;  // lines that showed calls
  size_t long_lines = 0;  // longer than limits::kMaxLogLineBytes: passed over
  // Names of calls a line's ABI has no syscall of, with the first line that gave each.
  std::map<std::string, size_t> unknown_names;
};
// `path` ("-": standard input) read a line at a time; `native` is the machine the log was
// written on (strace's "32 bit mode" is its compat ABI). An error only for a file that cannot
// be read.
Result<LogRead> ReadCallLog(const std::string& path, Arch native = HostArch());

struct SynthesisOptions {
  Action default_action = Action::KillProcess();
  bool args = true;               // write conditions for the recorded argument values
  bool allow_start_exec = false;  // add execve for runtimes that install before exec (OCI)
  std::string command;            // for the header comment
};

struct Learned {
  Policy policy;
  std::string text;  // the native policy, grouped and commented with counts
};

// The policy that allows what was recorded, and rt_sigreturn, restart_syscall, exit,
// exit_group and the vDSO calls' syscalls on every recorded ABI; the text parses to `policy`.
Result<Learned> Synthesize(const Recording& recording, const SynthesisOptions& options);

// A recording read back from a policy (to --merge runs): every allow rule's syscalls, the
// counts from `sysgate learn` comments in the rule's source (`sources`: file name -> text, as
// ParsedPolicy and formats::Imported keep them), and conditions of the shapes Synthesize
// writes. Any other condition is an error naming the rule: a merge would have to guess.
Result<Recording> RecordingFromPolicy(const Policy& policy,
                                      const std::map<std::string, std::string>& sources);

// "name count" lines (the frequency format of `compile --freq`), most frequent first.
std::string FrequencyText(const Recording& recording);

}  // namespace sysgate::learn
