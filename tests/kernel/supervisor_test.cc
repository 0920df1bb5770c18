// sysgate::Supervisor against the kernel: every kind of reply, target memory, fd injection,
// and the liveness and TOCTOU hazards of THREATS rows 26 and 27. Targets run in forked
// children that install a notify filter and hand the listener over a socketpair.
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "sysgate/compiler.h"
#include "sysgate/kernel.h"
#include "sysgate/policy_builder.h"
#include "sysgate/supervisor.h"

namespace sysgate {
namespace {

namespace fs = std::filesystem;

struct Target {
  pid_t pid = -1;
  int listener = -1;
};

// Forks a child that installs `policy` with a listener, sends the listener to us, and runs fn
// (its return value is the exit code). Nothing but fn runs under the filter in the child.
template <class F>
Target Start(const Policy& policy, F fn, bool wait_killable = false) {
  auto prog = Compile(policy);
  EXPECT_TRUE(prog) << prog.error().ToString();
  int sv[2];
  EXPECT_EQ(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), 0);
  Target t;
  t.pid = fork();
  if (t.pid == 0) {
    close(sv[0]);
    kernel::InstallOptions opt{.new_listener = true, .wait_killable_recv = wait_killable};
    auto fd = kernel::Install(*prog, opt);
    if (!fd) _exit(100);
    if (!SendFds(sv[1], {*fd}, "listener")) _exit(101);
    close(*fd);
    close(sv[1]);
    _exit(fn());
  }
  close(sv[1]);
  auto got = ReceiveFds(sv[0]);
  close(sv[0]);
  EXPECT_TRUE(got) << got.error().ToString();
  if (got && got->fds.size() == 1) t.listener = got->fds[0];
  return t;
}

int Wait(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return status;
}

int OpenFdCount() {
  int n = 0;
  for ([[maybe_unused]] auto& e : fs::directory_iterator("/proc/self/fd")) ++n;
  return n;
}

Policy Notifying(std::initializer_list<const char*> names) {
  PolicyBuilder b;
  b.Default(Action::Allow());
  for (const char* n : names) b.Notify(n);
  auto p = b.Build();
  EXPECT_TRUE(p) << p.error().ToString();
  return *p;
}

std::string FdTarget(int fd) {
  char buf[256];
  ssize_t n = readlink(("/proc/self/fd/" + std::to_string(fd)).c_str(), buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

TEST(Supervisor, EveryKindOfReply) {
  fs::path dir = fs::temp_directory_path() / ("sg-sup-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::string kept = (dir / "kept").string();
  std::string refused = (dir / "refused").string();
  Target t = Start(Notifying({"mkdir", "getppid", "uname"}), [&] {
    if (syscall(SYS_mkdir, refused.c_str(), 0700) != -1 || errno != EACCES) return 1;  // Fail
    if (syscall(SYS_getppid) != 4242) return 2;                                        // Return
    if (syscall(SYS_uname, nullptr) != -1 || errno != EFAULT) return 3;  // Continue: ran
    int fd = static_cast<int>(syscall(SYS_mkdir, kept.c_str(), 0700));   // InjectFd
    if (fd < 0 || FdTarget(fd) != "/dev/null") return 4;
    if (fcntl(fd, F_GETFD) != FD_CLOEXEC) return 5;
    return 0;
  });
  ASSERT_GE(t.listener, 0);
  Supervisor s;
  std::string seen_path;
  s.On("mkdir", [&](SyscallCall& c) {
    auto path = c.ReadString(c.arg(0));
    seen_path = path.value_or("?");
    if (path == refused) return Reply::Fail(EACCES);
    return Reply::InjectFd(open("/dev/null", O_RDONLY | O_CLOEXEC));
  });
  s.On("getppid", [](SyscallCall& c) {
    EXPECT_EQ(c.name(), "getppid");
    EXPECT_GT(c.pidfd(), 0);
    return Reply::Return(4242);
  });
  s.Otherwise([](SyscallCall& c) {
    EXPECT_EQ(c.name(), "uname");
    return Reply::Continue();
  });
  int fds_before = OpenFdCount();
  ASSERT_TRUE(s.Serve(t.listener));
  int status = Wait(t.pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(seen_path, kept);
  EXPECT_FALSE(fs::exists(refused));
  EXPECT_FALSE(fs::exists(kept)) << "an emulated call must not run";
  EXPECT_EQ(OpenFdCount(), fds_before - 1) << "the listener is closed, nothing else leaks";
  fs::remove_all(dir);
}

TEST(Supervisor, KillProcessNeverLetsTheCallReturn) {
  Target t = Start(Notifying({"getppid"}), [] {
    syscall(SYS_getppid);
    return 7;  // never reached
  });
  Supervisor s;
  s.Otherwise([](SyscallCall&) { return Reply::KillProcess(); });
  auto h = s.HandleOne(t.listener);
  ASSERT_TRUE(h) << h.error().ToString();
  EXPECT_EQ(h->killed, t.pid);
  int status = Wait(t.pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
  close(t.listener);
}

// THREATS row 26: the path flips between the supervisor's read and the kernel's. A handler
// that opens the file itself and injects the fd cannot be fooled; a Continue would be.
struct Flip {
  char* page;  // shared with the target: the path it passes
  std::string ok, secret;
};

void WriteTargetString(pid_t pid, uint64_t addr, const std::string& s) {
  iovec local{const_cast<char*>(s.c_str()), s.size() + 1};
  iovec remote{reinterpret_cast<void*>(addr), s.size() + 1};
  ASSERT_EQ(process_vm_writev(pid, &local, 1, &remote, 1, 0), static_cast<ssize_t>(s.size() + 1));
}

class Toctou : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("sg-toctou-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    ok_ = (dir_ / "ok").string();
    secret_ = (dir_ / "secret").string();
    std::ofstream(ok_) << "ok";
    std::ofstream(secret_) << "secret";
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path dir_;
  std::string ok_, secret_;
};

// The hook flips the path right after the supervisor read it, every time.
TEST_F(Toctou, AHookFlipsThePathAfterTheRead) {
  for (bool emulate : {true, false}) {
    void* mem = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    ASSERT_NE(mem, MAP_FAILED);
    char* path = static_cast<char*>(mem);
    Target t = Start(Notifying({"openat"}), [&] {
      std::strcpy(path, ok_.c_str());
      int fd = static_cast<int>(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC));
      if (fd < 0) return 1;
      return FdTarget(fd) == secret_ ? 2 : 0;
    });
    Supervisor s;
    s.On("openat", [&](SyscallCall& c) {
      auto p = c.ReadString(c.arg(1));
      WriteTargetString(c.tid(), c.arg(1), secret_);  // the attacker's move
      if (!p || *p != ok_) return Reply::Fail(EACCES);
      if (!emulate) return Reply::Continue();  // the wrong design
      return Reply::InjectFd(open(p->c_str(), O_RDONLY | O_CLOEXEC));
    });
    ASSERT_TRUE(s.Serve(t.listener));
    int status = Wait(t.pid);
    ASSERT_TRUE(WIFEXITED(status));
    // Emulated: the target has the file the supervisor approved. Continued: the kernel read
    // the flipped path, which shows the test would catch a supervisor that trusts its read.
    EXPECT_EQ(WEXITSTATUS(status), emulate ? 0 : 2) << (emulate ? "emulate" : "continue");
    munmap(mem, 4096);
  }
}

// A racing thread flips the path 1e5 times while the main thread opens it; no fd may ever
// resolve to the secret file.
TEST_F(Toctou, AFlipperThreadNeverGetsTheSecret) {
  void* mem = mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(mem, MAP_FAILED);
  char* path = static_cast<char*>(mem);
  std::strcpy(path, ok_.c_str());
  Target t = Start(Notifying({"openat"}), [&] {
    std::atomic<bool> done{false};
    std::thread flipper([&] {
      for (int i = 0; i < 100000 && !done; ++i) std::strcpy(path, (i % 2 ? secret_ : ok_).c_str());
      std::strcpy(path, ok_.c_str());
    });
    int got_secret = 0;
    for (int i = 0; i < 2000; ++i) {
      int fd = static_cast<int>(syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC));
      if (fd >= 0) {
        if (FdTarget(fd) == secret_) ++got_secret;
        close(fd);
      }
    }
    done = true;
    flipper.join();
    return got_secret == 0 ? 0 : 3;
  });
  Supervisor s;
  int granted = 0, refused = 0;
  s.On("openat", [&](SyscallCall& c) {
    auto p = c.ReadString(c.arg(1));
    if (!p || *p != ok_) {
      ++refused;
      return Reply::Fail(EACCES);
    }
    ++granted;
    return Reply::InjectFd(open(p->c_str(), O_RDONLY | O_CLOEXEC));
  });
  ASSERT_TRUE(s.Serve(t.listener));
  int status = Wait(t.pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_GT(granted, 0);
  munmap(mem, 4096);
}

// THREATS row 27: the supervisor dies mid-call. The call must not run: it fails with ENOSYS.
TEST(SupervisorLiveness, SupervisorKilledMidCall) {
  fs::path dir = fs::temp_directory_path() / ("sg-dead-" + std::to_string(getpid()));
  Target t = Start(Notifying({"mkdir"}), [&] {
    long r = syscall(SYS_mkdir, dir.c_str(), 0700);
    return r == -1 && errno == ENOSYS ? 0 : 1;
  });
  // The supervisor is a process of its own, which receives the call and then hangs.
  pid_t sup = fork();
  if (sup == 0) {
    Supervisor s;
    s.Otherwise([](SyscallCall&) {
      pause();
      return Reply::Continue();
    });
    (void)s.Serve(t.listener);
    _exit(0);
  }
  close(t.listener);
  // Wait until the call is waiting in the supervisor (the target is blocked in mkdir).
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  kill(sup, SIGKILL);
  Wait(sup);
  int status = Wait(t.pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_FALSE(fs::exists(dir)) << "the call ran without its supervisor";
}

// A signal interrupts a notified call: the answer finds it gone (ENOENT), the supervisor goes
// on, and the target's retry is answered.
TEST(SupervisorLiveness, SignalDuringANotification) {
  static std::atomic<int> handled{0};
  Target t = Start(Notifying({"getppid"}), [] {
    struct sigaction sa {};
    sa.sa_handler = [](int) { handled = 1; };
    sigaction(SIGUSR1, &sa, nullptr);  // no SA_RESTART
    long first = syscall(SYS_getppid);
    if (!(first == -1 && errno == EINTR) && first != 7) return 1;
    if (syscall(SYS_getppid) != 7) return 2;
    return handled ? 0 : 3;
  });
  Supervisor s;
  int calls = 0;
  bool first_answered = true;
  s.Otherwise([&](SyscallCall& c) {
    if (++calls == 1) {
      kill(c.tid(), SIGUSR1);
      // Wait until the signal has pulled the thread out of the call.
      for (int i = 0; i < 200 && c.Pending(); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return Reply::Return(7);
  });
  auto first = s.HandleOne(t.listener);
  ASSERT_TRUE(first) << first.error().ToString();
  first_answered = first->answered;
  ASSERT_TRUE(s.Serve(t.listener));
  int status = Wait(t.pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_FALSE(first_answered) << "the interrupted call cannot have been answered";
  EXPECT_GE(calls, 2);
}

// With WAIT_KILLABLE_RECV a received call is not interrupted by an ordinary signal: the answer
// arrives, and the signal is handled after it.
TEST(SupervisorLiveness, WaitKillableRecvKeepsTheCall) {
  if (!(kernel::Probe().flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)) {
    GTEST_SKIP() << "kernel without SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV";
  }
  static std::atomic<int> handled{0};
  Target t = Start(
      Notifying({"getppid"}),
      [] {
        struct sigaction sa {};
        sa.sa_handler = [](int) { handled = 1; };
        sigaction(SIGUSR1, &sa, nullptr);
        if (syscall(SYS_getppid) != 7) return 1;
        return handled ? 0 : 2;
      },
      /*wait_killable=*/true);
  Supervisor s;
  s.Otherwise([&](SyscallCall& c) {
    kill(c.tid(), SIGUSR1);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_TRUE(c.Pending());
    return Reply::Return(7);
  });
  auto h = s.HandleOne(t.listener);
  ASSERT_TRUE(h);
  EXPECT_TRUE(h->answered);
  ASSERT_TRUE(s.Serve(t.listener));
  int status = Wait(t.pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

// 1000 threads notify at once: every call is answered, nothing deadlocks, no fd leaks.
TEST(SupervisorLiveness, AThousandThreads) {
  constexpr int kThreads = 1000;
  Target t = Start(Notifying({"getppid"}), [] {
    std::atomic<int> right{0};
    std::vector<pthread_t> threads(kThreads);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    auto body = [](void* arg) -> void* {
      auto* r = static_cast<std::atomic<int>*>(arg);
      if (syscall(SYS_getppid) == 99) ++*r;
      return nullptr;
    };
    for (auto& th : threads) {
      if (pthread_create(&th, &attr, body, &right) != 0) return 1;
    }
    for (auto& th : threads) pthread_join(th, nullptr);
    return right == kThreads ? 0 : 2;
  });
  int fds_before = OpenFdCount();
  Supervisor s;
  int calls = 0;
  s.Otherwise([&](SyscallCall& c) {
    ++calls;
    c.pidfd();  // opened and closed per call
    return Reply::Return(99);
  });
  ASSERT_TRUE(s.Serve(t.listener));
  int status = Wait(t.pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(calls, kThreads);
  EXPECT_EQ(OpenFdCount(), fds_before - 1);
}

// The caller dies while the supervisor holds its call: its memory and pidfd are not
// trusted any more (the pid may be reused), and the answer is not an error.
TEST(SupervisorLiveness, CallerGoneBeforeTheAnswer) {
  static const char kPath[] = "/tmp/whatever";
  Target t = Start(Notifying({"mkdir"}), [] {
    syscall(SYS_mkdir, kPath, 0700);
    return 0;
  });
  Supervisor s;
  s.Otherwise([&](SyscallCall& c) {
    EXPECT_EQ(c.ReadString(c.arg(0)), std::string(kPath));
    kill(t.pid, SIGKILL);
    Wait(t.pid);
    EXPECT_FALSE(c.Pending());
    EXPECT_EQ(c.ReadString(c.arg(0)), std::nullopt);
    EXPECT_EQ(c.Read(c.arg(0), 4), std::nullopt);
    EXPECT_EQ(c.pidfd(), -1);
    return Reply::Return(0);
  });
  auto h = s.HandleOne(t.listener);
  ASSERT_TRUE(h) << h.error().ToString();
  EXPECT_FALSE(h->answered);
  close(t.listener);
}

TEST(FdPassing, PayloadAndSeveralFds) {
  int sv[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  int a = open("/dev/null", O_RDONLY | O_CLOEXEC), b = open("/", O_RDONLY | O_CLOEXEC);
  ASSERT_TRUE(SendFds(sv[0], {a, b}, R"({"fds":["seccompFd"]})"));
  auto got = ReceiveFds(sv[1]);
  ASSERT_TRUE(got) << got.error().ToString();
  EXPECT_EQ(got->payload, R"({"fds":["seccompFd"]})");
  ASSERT_EQ(got->fds.size(), 2u);
  EXPECT_EQ(FdTarget(got->fds[0]), "/dev/null");
  EXPECT_EQ(FdTarget(got->fds[1]), "/");
  for (int fd : {a, b, got->fds[0], got->fds[1], sv[0], sv[1]}) close(fd);
}

}  // namespace
}  // namespace sysgate
