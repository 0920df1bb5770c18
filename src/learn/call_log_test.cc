#include "learn/call_log.h"

#include <gtest/gtest.h>

namespace sysgate::learn {
namespace {

LogRead Read(std::initializer_list<std::string_view> lines, Arch native = Arch::kX86_64) {
  CallLog log(native);
  for (std::string_view l : lines) log.Add(l);
  return std::move(log).Finish();
}

uint64_t Seen(const LogRead& r, Arch abi, const std::string& name) {
  auto it = r.recording.calls.find({abi, name});
  return it == r.recording.calls.end() ? 0 : it->second.count;
}

// strace -f -tt: pids and times before the call; a call split by another process's is
// counted once; signals, exits, strace's own notes and the program's output are not calls.
TEST(CallLog, StraceOutput) {
  LogRead r = Read({
      "7766  20:38:13.755045 execve(\"/usr/bin/sh\", [\"sh\"], 0x7ffc /* 41 vars */) = 0",
      "7766  20:38:13.757572 brk(NULL)         = 0x56059d58f000",
      "[pid  7767] 20:38:13.758233 openat(AT_FDCWD, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3",
      "7767  20:38:13.800000 read(3,  <unfinished ...>",
      "7766  20:38:13.800001 wait4(-1,  <unfinished ...>",
      "7767  20:38:13.800002 <... read resumed>\"x\", 832) = 832",
      "7767  20:38:13.800003 --- SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED} ---",
      "strace: Process 7768 attached",
      "hello(world) from the program's own output",
      "7767  20:38:13.9 frobnicate(1) = 0",
      "7767  20:38:14.0 syscall_0x1b3(0, 0) = -1 ENOSYS (Function not implemented)",
      "7767  20:38:14.1 syscall_0xfffff(0) = -1 ENOSYS (Function not implemented)",
      "7767  20:38:14.2 exit_group(0)                     = ?",
      "7767  20:38:14.3 +++ exited with 0 +++",
  });
  EXPECT_EQ(Seen(r, Arch::kX86_64, "execve"), 1u);
  EXPECT_EQ(Seen(r, Arch::kX86_64, "brk"), 1u);
  EXPECT_EQ(Seen(r, Arch::kX86_64, "openat"), 1u);
  EXPECT_EQ(Seen(r, Arch::kX86_64, "read"), 1u);
  EXPECT_EQ(Seen(r, Arch::kX86_64, "wait4"), 1u);
  EXPECT_EQ(Seen(r, Arch::kX86_64, "clone3"), 1u);    // 0x1b3 = 435
  EXPECT_EQ(Seen(r, Arch::kX86_64, "#1048575"), 1u);  // no name: kept as its number
  EXPECT_EQ(Seen(r, Arch::kX86_64, "exit_group"), 1u);
  EXPECT_EQ(r.recording.total, 8u);
  EXPECT_EQ(r.call_lines, 8u);
  EXPECT_EQ(r.lines, 14u);
  ASSERT_EQ(r.unknown_names.size(), 1u);
  EXPECT_EQ(r.unknown_names.at("frobnicate"), 10u);  // left out, with its line
  for (const auto& [key, rec] : r.recording.calls) EXPECT_TRUE(rec.any_args) << key.second;
}

// Without -f, with -ttt or -r times; a process that changes to 32-bit mode is read as i386
// from then on (its numbers and names are i386's), the others stay x86_64.
TEST(CallLog, TimesAndModes) {
  LogRead r = Read({
      "1700000000.000001 getpid() = 12",
      "     0.000123 getppid() = 1",
      "12    execve(\"./a32\", [\"./a32\"], 0x7ff /* 1 var */) = 0",
      "[ Process PID=12 runs in 32 bit mode. ]",
      "12    mmap2(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = "
      "0xf7f00000",
      "13    mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3, 0) = 0x7f0000000000",
  });
  EXPECT_EQ(Seen(r, Arch::kX86_64, "getpid"), 1u);
  EXPECT_EQ(Seen(r, Arch::kX86_64, "getppid"), 1u);
  EXPECT_EQ(Seen(r, Arch::kX86_64, "execve"), 1u);
  EXPECT_EQ(Seen(r, Arch::kI386, "mmap2"), 1u);
  EXPECT_EQ(Seen(r, Arch::kX86_64, "mmap"), 1u);
  EXPECT_TRUE(r.unknown_names.empty());
}

// Without -o, the program's output shares strace's stream and can break a call's line: the
// call counts when its result follows. -Y, -i and -n prefixes; a line cut at the reader's
// limit counts by its head.
TEST(CallLog, BrokenLinesAndPrefixes) {
  CallLog log(Arch::kX86_64);
  log.Add("write(1, \"hi\\n\", 3hi");
  log.Add(") = 3");
  log.Add("12<ls> openat(AT_FDCWD, \"x\", O_RDONLY) = 3");
  log.Add("[00007f0a1b2c3d4e] close(3) = 0");
  log.Add("12    [ 257] openat(AT_FDCWD, \"y\", O_RDONLY) = 4");
  log.Add("read(0, \"xxxxxxxxxxxxxxxx", /*cut=*/true);
  log.Add("getpid(");  // never finished: not counted
  log.Add("getppid() = 1");
  LogRead r = std::move(log).Finish();
  EXPECT_EQ(Seen(r, Arch::kX86_64, "write"), 1u);
  EXPECT_EQ(Seen(r, Arch::kX86_64, "openat"), 2u);
  EXPECT_EQ(Seen(r, Arch::kX86_64, "close"), 1u);
  EXPECT_EQ(Seen(r, Arch::kX86_64, "read"), 1u);
  EXPECT_EQ(Seen(r, Arch::kX86_64, "getpid"), 0u);
  EXPECT_EQ(Seen(r, Arch::kX86_64, "getppid"), 1u);
}

// strace -o files have no mode lines (strace writes them to its stderr): a 32-bit image is
// known by the calls only i386 has, and all its calls are read as i386's; the parent that
// ran it stays x86_64.
TEST(CallLog, ThirtyTwoBitImagesByTheirCalls) {
  LogRead r = Read({
      "10    clone(child_stack=NULL, flags=CLONE_CHILD_SETTID|SIGCHLD) = 11",
      "11    execve(\"./a32\", [\"./a32\"], 0x7ff /* 1 var */) = 0",
      "11    brk(NULL) = 0x8000000",
      "11    mmap2(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0xf7f00000",
      "11    _llseek(3, 0, [0], SEEK_SET) = 0",
      "10    wait4(-1, NULL, 0, NULL) = 11",
      "10    brk(NULL) = 0x55d0000",
  });
  EXPECT_EQ(Seen(r, Arch::kX86_64, "execve"), 1u);  // made by the 64-bit image
  EXPECT_EQ(Seen(r, Arch::kI386, "brk"), 1u);
  EXPECT_EQ(Seen(r, Arch::kI386, "mmap2"), 1u);
  EXPECT_EQ(Seen(r, Arch::kI386, "_llseek"), 1u);
  EXPECT_EQ(Seen(r, Arch::kX86_64, "brk"), 1u);
  EXPECT_EQ(Seen(r, Arch::kX86_64, "wait4"), 1u);
  EXPECT_TRUE(r.unknown_names.empty());
}

// strace -c: each table's rows (their call counts), per mode; the total row is not a call.
TEST(CallLog, StraceSummaryTables) {
  LogRead r = Read({
      "% time     seconds  usecs/call     calls    errors syscall",
      "------ ----------- ----------- --------- --------- ----------------",
      " 33.42    0.001401        1401         1           execve",
      " 19.42    0.000814          23        34        13 openat",
      "------ ----------- ----------- --------- --------- ----------------",
      "100.00    0.002215          63        35        13 total",
      "System call usage summary for 32 bit mode:",
      "% time     seconds  usecs/call     calls    errors syscall",
      "------ ----------- ----------- --------- --------- ----------------",
      "100.00    0.000010          10         3           _llseek",
      "------ ----------- ----------- --------- --------- ----------------",
      "100.00    0.000010          10         3           total",
  });
  EXPECT_EQ(Seen(r, Arch::kX86_64, "execve"), 1u);
  EXPECT_EQ(Seen(r, Arch::kX86_64, "openat"), 34u);
  EXPECT_EQ(Seen(r, Arch::kI386, "_llseek"), 3u);
  EXPECT_EQ(r.recording.calls.size(), 3u);
  EXPECT_EQ(r.recording.total, 38u);
}

// strace -C: the calls, then their table, which counts them again: the calls are read.
TEST(CallLog, StraceCallsWithTheirTableCountOnce) {
  LogRead r = Read({
      "execve(\"/bin/true\", [\"true\"], 0x7ffd /* 20 vars */) = 0",
      "openat(AT_FDCWD, \"/etc/ld.so.cache\", O_RDONLY|O_CLOEXEC) = 3",
      "openat(AT_FDCWD, \"/lib/x86_64-linux-gnu/libc.so.6\", O_RDONLY|O_CLOEXEC) = 3",
      "exit_group(0)                           = ?",
      "+++ exited with 0 +++",
      "% time     seconds  usecs/call     calls    errors syscall",
      "------ ----------- ----------- --------- --------- ----------------",
      " 50.00    0.000010           5         2           openat",
      " 50.00    0.000010          10         1           execve",
      "------ ----------- ----------- --------- --------- ----------------",
      "100.00    0.000020           6         3           total",
  });
  EXPECT_EQ(Seen(r, Arch::kX86_64, "openat"), 2u);
  EXPECT_EQ(Seen(r, Arch::kX86_64, "execve"), 1u);
  EXPECT_EQ(r.recording.total, 4u);  // with exit_group, which strace's table leaves out
}

// strace -c -U: the columns it chose, in its order, blanks and long names included.
TEST(CallLog, StraceSummaryTablesWithChosenColumns) {
  LogRead r = Read({
      "syscall              calls    errors",
      "---------------- --------- ---------",
      "execve                   1          ",
      "openat                  34        13",
      "sched_get_priority_max       7         2",
      "---------------- --------- ---------",
      "total                   42        15",
      "    calls syscall          % time",
      "--------- ---------------- ------",
      "        3 mprotect          21.04",
      "        8 mmap              20.49",
      "--------- ---------------- ------",
      "       11 total            100.00",
      "syscall          errors     calls",
      "---------------- --------- ---------",
      "read                            5",
      "close                    2      9",
      "---------------- --------- ---------",
  });
  EXPECT_EQ(Seen(r, Arch::kX86_64, "execve"), 1u);
  EXPECT_EQ(Seen(r, Arch::kX86_64, "openat"), 34u);
  EXPECT_EQ(Seen(r, Arch::kX86_64, "mprotect"), 3u);
  EXPECT_EQ(Seen(r, Arch::kX86_64, "mmap"), 8u);
  EXPECT_EQ(Seen(r, Arch::kX86_64, "sched_get_priority_max"), 7u);  // a long name pushes the rest
  EXPECT_EQ(Seen(r, Arch::kX86_64, "read"), 5u);                    // errors blank, calls after it
  EXPECT_EQ(Seen(r, Arch::kX86_64, "close"), 9u);
  EXPECT_TRUE(r.unknown_names.empty());  // "total" is no call
  EXPECT_EQ(r.recording.total, 67u);
}

// strace -c -U without calls (-U name, -U name,time-percent): a row is a call that was made,
// once at least. Columns strace does not write make no table (a program's own output).
TEST(CallLog, StraceSummaryTablesWithoutCalls) {
  LogRead r = Read({
      "syscall          % time",
      "---------------- ------",
      "read               0.00",
      "close              0.00",
      "---------------- ------",
      "total            100.00",
      "syscall",
      "----------------",
      "mprotect",
      "----------------",
      "total",
      "syscall          owner",
      "---------------- -----",
      "mount            root",
  });
  EXPECT_EQ(Seen(r, Arch::kX86_64, "read"), 1u);
  EXPECT_EQ(Seen(r, Arch::kX86_64, "close"), 1u);
  EXPECT_EQ(Seen(r, Arch::kX86_64, "mprotect"), 1u);
  EXPECT_EQ(Seen(r, Arch::kX86_64, "mount"), 0u);
  EXPECT_EQ(r.recording.total, 3u);
}

// A table passed through unexpand: tabs at their 8-column stops.
TEST(CallLog, StraceSummaryTablesWithTabs) {
  LogRead r = Read({
      "    calls syscall\t   % time",
      "--------- ---------------- ------",
      "\t3 mprotect\t    21.04",
      "--------- ---------------- ------",
      "\t3 total\t\t   100.00",
  });
  EXPECT_EQ(Seen(r, Arch::kX86_64, "mprotect"), 3u);
  EXPECT_EQ(r.recording.total, 3u);
}

// The kernel's records of a filter's logged verdicts, by their own ABI.
TEST(CallLog, SeccompAuditRecords) {
  LogRead r = Read({
      "type=SECCOMP msg=audit(1700000000.123:42): auid=0 uid=0 gid=0 ses=1 pid=123 comm=\"x\" "
      "exe=\"/bin/x\" sig=0 arch=c000003e syscall=165 compat=0 ip=0x7f0000001234 code=0x7ffc0000",
      "[12.5] audit: type=1326 audit(1700000000.124:43): auid=0 uid=0 gid=0 ses=1 pid=124 "
      "comm=\"y\" "
      "exe=\"/bin/y\" sig=0 arch=40000003 syscall=20 compat=1 ip=0xf7f00000 code=0x7ffc0000",
      "x: a program's own line that says type=1326 arch=c000003e syscall=59 code=0",
  });
  EXPECT_EQ(Seen(r, Arch::kX86_64, "mount"), 1u);
  EXPECT_EQ(Seen(r, Arch::kI386, "getpid"), 1u);
  EXPECT_EQ(r.recording.calls.size(), 2u);
}

// ausearch -i's interpretation of them, names for numbers.
TEST(CallLog, AusearchInterpretedRecords) {
  LogRead r = Read({
      "----",
      "type=SECCOMP msg=audit(12/06/24 07:00:00.123:45) : auid=root uid=root gid=root ses=1 "
      "pid=123 comm=x exe=/bin/my x sig=SIG0 arch=x86_64 syscall=mount compat=0 ip=0x7f code=log ",
      "type=SECCOMP msg=audit(12/06/24 07:00:00.124:46) : auid=root uid=root gid=root ses=1 "
      "pid=124 comm=y exe=/bin/y sig=SIG0 arch=i386 syscall=getpid compat=1 ip=0xf7f0 code=log ",
  });
  EXPECT_EQ(Seen(r, Arch::kX86_64, "mount"), 1u);
  EXPECT_EQ(Seen(r, Arch::kI386, "getpid"), 1u);
  EXPECT_EQ(r.recording.calls.size(), 2u);
}

}  // namespace
}  // namespace sysgate::learn
