// Reading filters back from the kernel (sysgate dump): the stack of a running process
// (kernel::ReadFilters, needs CAP_SYS_ADMIN) and the filters a command installs
// (kernel::CaptureFilters, no privilege). The filters are installed by
// tests/helpers/install_filters, each one known (tests/helpers/known_filters.h).
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "helpers/known_filters.h"
#include "kernel/proc_status.h"
#include "sysgate/filter_dump.h"

namespace sysgate {
namespace {

bpf::Program Known(uint32_t i) {
  bpf::Program p;
  for (const sock_filter& f : testing::KnownFilter(i)) p.push_back({f.code, f.jt, f.jf, f.k});
  return p;
}

// Why the test's processes are not free of filters (empty when they are): in a container, its
// own filter is on every one of them.
std::string Filtered() {
  if (kernel::ProcStatusNumber(getpid(), "Seccomp").value_or(0) == 0) return "";
  return "the test runs under a seccomp filter; the kernel shows filters only to unfiltered "
         "callers";
}

// Why this process cannot read filters (empty when it can).
std::string CannotRead() {
  long eff = kernel::ProcStatusNumber(getpid(), "CapEff", 16).value_or(0);
  if (((static_cast<unsigned long>(eff) >> 21) & 1U) == 0) return "needs CAP_SYS_ADMIN";
  return Filtered();
}

// install_filters STEPS... pause, running until Stop(): the ids it prints (pid, then threads).
class Helper {
 public:
  explicit Helper(std::vector<std::string> steps) {
    steps.insert(steps.begin(), SYSGATE_INSTALL_FILTERS);
    steps.push_back("pause");
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(in[0], 0);
      dup2(out[1], 1);
      std::vector<char*> argv;
      for (auto& s : steps) argv.push_back(s.data());
      argv.push_back(nullptr);
      execv(argv[0], argv.data());
      _exit(127);
    }
    close(in[0]);
    close(out[1]);
    stdin_ = in[1];
    std::string line;
    char c;
    while (read(out[0], &c, 1) == 1 && c != '\n') line += c;
    close(out[0]);
    std::istringstream words(line);
    std::string ready;
    words >> ready;
    for (pid_t id; words >> id;) ids_.push_back(id);
  }
  ~Helper() { Stop(); }
  const std::vector<pid_t>& ids() const { return ids_; }
  // Lets it exit; its wait status.
  int Stop() {
    if (pid_ <= 0) return -1;
    close(stdin_);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = 0;
    return status;
  }

 private:
  pid_t pid_ = 0;
  int stdin_ = -1;
  std::vector<pid_t> ids_;
};

TEST(ReadFilters, StackOfThreeOldestFirstWithTheLogFlag) {
  if (auto why = CannotRead(); !why.empty()) GTEST_SKIP() << why;
  Helper h({"seccomp", "prctl", "log"});
  ASSERT_EQ(h.ids().size(), 1U);
  auto r = kernel::ReadFilters(h.ids()[0]);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->mode, SECCOMP_MODE_FILTER);
  ASSERT_EQ(r->filters.size(), 3U);
  for (uint32_t i = 0; i < 3; ++i) EXPECT_EQ(r->filters[i].program, Known(i + 1)) << i;
  EXPECT_FALSE(r->filters[0].log);
  EXPECT_FALSE(r->filters[1].log);
  EXPECT_TRUE(r->filters[2].log);
  // Reading left it running and untraced: it still ends normally when told to.
  int status = h.Stop();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST(ReadFilters, TsyncPutsTheFilterOnEveryThread) {
  if (auto why = CannotRead(); !why.empty()) GTEST_SKIP() << why;
  // Filter 1 before the thread starts (it inherits it), filter 2 synchronised onto both.
  Helper h({"seccomp", "tsync"});
  ASSERT_EQ(h.ids().size(), 2U);
  for (pid_t tid : h.ids()) {
    auto r = kernel::ReadFilters(tid);
    ASSERT_TRUE(r) << r.error().ToString();
    ASSERT_EQ(r->filters.size(), 2U) << tid;
    EXPECT_EQ(r->filters[0].program, Known(1));
    EXPECT_EQ(r->filters[1].program, Known(2));
  }
}

TEST(ReadFilters, NoFilterAndStrictModeHaveNothingToRead) {
  if (auto why = Filtered(); !why.empty()) GTEST_SKIP() << why;  // no process here is unfiltered
  Helper h({});
  ASSERT_EQ(h.ids().size(), 1U);
  auto r = kernel::ReadFilters(h.ids()[0]);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_EQ(r->mode, 0);
  EXPECT_TRUE(r->filters.empty());

  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t strict = fork();
  if (strict == 0) {
    close(fds[1]);
    char c;
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_STRICT) != 0) _exit(1);
    while (read(fds[0], &c, 1) > 0) {
    }
    syscall(SYS_exit, 0);  // strict mode allows exit, not exit_group
  }
  close(fds[0]);
  for (int i = 0; i < 1000 && kernel::ProcStatusNumber(strict, "Seccomp").value_or(0) != 1; ++i)
    usleep(1000);
  auto s = kernel::ReadFilters(strict);
  close(fds[1]);
  int status = 0;
  waitpid(strict, &status, 0);
  ASSERT_TRUE(s) << s.error().ToString();
  EXPECT_EQ(s->mode, SECCOMP_MODE_STRICT);
  EXPECT_TRUE(s->filters.empty());
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST(ReadFilters, NoSuchProcess) {
  pid_t gone = fork();
  if (gone == 0) _exit(0);
  waitpid(gone, nullptr, 0);
  auto r = kernel::ReadFilters(gone);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("no process"), std::string::npos) << r.error().ToString();
}

// Without CAP_SYS_ADMIN the kernel refuses, and the error says what is missing. A child drops
// to nobody and reads a process of nobody's (so that ptrace itself is allowed).
TEST(ReadFilters, UnprivilegedCallerIsToldWhy) {
  if (getuid() != 0) GTEST_SKIP() << "needs root to become nobody";
  if (auto why = Filtered(); !why.empty()) GTEST_SKIP() << why;  // that is what it would be told
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    if (setgid(65534) != 0 || setuid(65534) != 0) _exit(10);
    Helper h({"seccomp"});
    if (h.ids().size() != 1) _exit(11);
    auto r = kernel::ReadFilters(h.ids()[0]);
    std::string msg = r ? "read it" : r.error().ToString();
    (void)!write(fds[1], msg.data(), msg.size());
    h.Stop();
    _exit(0);
  }
  close(fds[1]);
  std::string msg;
  char buf[256];
  for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) msg.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_NE(msg.find("needs CAP_SYS_ADMIN"), std::string::npos) << msg;
}

std::vector<std::string> Command(std::vector<std::string> steps) {
  steps.insert(steps.begin(), SYSGATE_INSTALL_FILTERS);
  return steps;
}

TEST(CaptureFilters, EveryWayOfInstallingToTheEnd) {
  auto r = kernel::CaptureFilters(
      Command({"probe", "seccomp", "prctl", "log", "tsync", "bad", "child"}), {.limit = 0});
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_FALSE(r->killed);
  EXPECT_EQ(r->running, 0);
  EXPECT_TRUE(WIFEXITED(r->wait_status) && WEXITSTATUS(r->wait_status) == 0) << r->wait_status;
  ASSERT_EQ(r->filters.size(), 6U);
  const auto& f = r->filters;
  for (uint32_t i : {0U, 1U, 2U, 3U, 5U}) {
    EXPECT_EQ(f[i].program, Known(i + 1)) << i;
    EXPECT_EQ(f[i].error, 0) << i;
    EXPECT_EQ(f[i].abi, HostArch()) << i;
  }
  EXPECT_FALSE(f[0].via_prctl);
  EXPECT_EQ(f[0].flags, 0U);
  EXPECT_TRUE(f[1].via_prctl);
  EXPECT_EQ(f[2].flags, unsigned{SECCOMP_FILTER_FLAG_LOG});
  EXPECT_EQ(f[3].flags, unsigned{SECCOMP_FILTER_FLAG_TSYNC});
  EXPECT_TRUE(f[4].program.empty());  // 0 instructions: refused
  EXPECT_EQ(f[4].error, EINVAL);
  EXPECT_EQ(f[0].tid, f[1].tid);
  EXPECT_NE(f[5].tid, f[0].tid);  // the forked child's
}

// What a command that wants to hide a filter from the capture or fake one tries: seccomp(2)'s
// operation with its upper half set (the kernel reads 32 bits), and a TSYNC the kernel refuses
// by returning a thread id rather than an error.
TEST(CaptureFilters, OddCallsAreSeenAsTheKernelSeesThem) {
  auto r = kernel::CaptureFilters(Command({"hi32", "diverged"}), {.limit = 0});
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_TRUE(WIFEXITED(r->wait_status) && WEXITSTATUS(r->wait_status) == 0) << r->wait_status;
  ASSERT_EQ(r->filters.size(), 3U);
  EXPECT_EQ(r->filters[0].program, Known(1));
  EXPECT_TRUE(r->filters[0].installed());
  EXPECT_EQ(r->filters[1].program, Known(2));  // the thread's own
  EXPECT_TRUE(r->filters[1].installed());
  EXPECT_EQ(r->filters[2].program, Known(3));
  EXPECT_FALSE(r->filters[2].installed());
  EXPECT_EQ(r->filters[2].unsynced, r->filters[1].tid);
  EXPECT_EQ(r->filters[2].error, 0);
}

// A flag probe (no program) is no filter: the limit counts the filter after it.
TEST(CaptureFilters, KillsTheCommandAtTheLimit) {
  auto r = kernel::CaptureFilters(Command({"probe", "seccomp", "prctl", "pause"}), {.limit = 1});
  ASSERT_TRUE(r) << r.error().ToString();
  ASSERT_EQ(r->filters.size(), 1U);
  EXPECT_EQ(r->filters[0].program, Known(1));
  EXPECT_TRUE(r->killed);
  EXPECT_EQ(r->running, 0);
  EXPECT_TRUE(WIFSIGNALED(r->wait_status) && WTERMSIG(r->wait_status) == SIGKILL) << r->wait_status;
}

TEST(CaptureFilters, ContinueLetsTheCommandRunOnUntraced) {
  auto r = kernel::CaptureFilters(Command({"seccomp", "tsync", "prctl"}),
                                  {.limit = 1, .keep_running = true});
  ASSERT_TRUE(r) << r.error().ToString();
  ASSERT_EQ(r->filters.size(), 1U);
  ASSERT_GT(r->running, 0);
  // Detached, it installs its other filters (TSYNC across its threads) and exits 0.
  EXPECT_EQ(kernel::ProcStatusNumber(r->running, "TracerPid").value_or(-1), 0);
  int status = 0;
  ASSERT_EQ(waitpid(r->running, &status, 0), r->running);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

TEST(CaptureFilters, CommandThatCannotRun) {
  auto r = kernel::CaptureFilters({"/nonexistent/program"});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("cannot run /nonexistent/program"), std::string::npos)
      << r.error().ToString();
}

}  // namespace
}  // namespace sysgate
