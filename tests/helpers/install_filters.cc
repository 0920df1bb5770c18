// Installs known seccomp filters (tests/helpers/known_filters.h) the ways programs do, one
// per step, numbered from 1 in the order given; for the tests of `sysgate dump`.
//   install_filters seccomp prctl log tsync bad child pause
// Steps: seccomp (seccomp(2), no flags), prctl (prctl(PR_SET_SECCOMP)), log (seccomp(2) with
// SECCOMP_FILTER_FLAG_LOG), tsync (a second thread is started first, then seccomp(2) with
// TSYNC), bad (a program of 0 instructions: the kernel refuses it, nothing is installed), child
// (a forked child installs the next filter and exits), probe (seccomp(2) with no program, as
// libseccomp asks which flags the kernel knows: not a filter), pause (prints "ready PID TID..."
// and waits until stdin ends), hi32 (seccomp(2) with the operation's upper 32 bits set, which the
// kernel ignores), diverged (a thread installs one filter on itself, then a TSYNC of the next
// is refused with that thread's id). no_new_privs is set first. Exits 0, or 1 naming the failed
// step.
#include <errno.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "base/sanitizers.h"
#include "helpers/known_filters.h"

#if SYSGATE_ASAN
// This program runs traced (sysgate dump), where LeakSanitizer cannot stop the world at exit
// and fails the run; ASan's other checks stay on.
extern "C" const char* __asan_default_options() { return "detect_leaks=0"; }
#endif

namespace {

std::vector<pid_t> g_threads;
pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;

void* Sleeper(void*) {
  pthread_mutex_lock(&g_lock);
  g_threads.push_back(static_cast<pid_t>(syscall(SYS_gettid)));
  pthread_mutex_unlock(&g_lock);
  while (true) pause();
  return nullptr;
}

long Seccomp(unsigned flags, sock_fprog* prog) {
  return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, prog);
}

}  // namespace

int main(int argc, char** argv) {
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return perror("no_new_privs"), 1;
  g_threads.push_back(getpid());
  uint32_t n = 0;
  for (int a = 1; a < argc; ++a) {
    std::string step = argv[a];
    auto insns = sysgate::testing::KnownFilter(++n);
    sock_fprog prog{static_cast<unsigned short>(insns.size()), insns.data()};
    long r = 0;
    if (step == "seccomp") {
      r = Seccomp(0, &prog);
    } else if (step == "prctl") {
      r = prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
    } else if (step == "log") {
      r = Seccomp(SECCOMP_FILTER_FLAG_LOG, &prog);
    } else if (step == "tsync") {
      pthread_t t;
      if (pthread_create(&t, nullptr, Sleeper, nullptr) != 0) return perror("thread"), 1;
      while (true) {
        pthread_mutex_lock(&g_lock);
        size_t have = g_threads.size();
        pthread_mutex_unlock(&g_lock);
        if (have > 1) break;
        usleep(1000);
      }
      r = Seccomp(SECCOMP_FILTER_FLAG_TSYNC, &prog);
    } else if (step == "hi32") {  // the operation's upper half set: the kernel ignores it
      r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER | (1UL << 32), 0, &prog);
    } else if (step == "diverged") {
      // A thread installs this filter on itself alone; then the next one, with TSYNC, cannot
      // reach it: the call returns that thread's id and installs nothing.
      static sock_fprog own;
      own = prog;
      static std::atomic<pid_t> done{0};
      pthread_t t;
      if (pthread_create(
              &t, nullptr,
              [](void*) -> void* {
                if (Seccomp(0, &own) == 0) done = static_cast<pid_t>(syscall(SYS_gettid));
                while (true) pause();
              },
              nullptr) != 0) {
        return perror("thread"), 1;
      }
      while (done == 0) usleep(1000);
      auto next = sysgate::testing::KnownFilter(++n);
      sock_fprog tsync{static_cast<unsigned short>(next.size()), next.data()};
      r = Seccomp(SECCOMP_FILTER_FLAG_TSYNC, &tsync) == done ? 0 : -1;
    } else if (step == "bad") {
      sock_fprog empty{0, insns.data()};
      r = Seccomp(0, &empty) == -1 && errno == EINVAL ? 0 : -1;
    } else if (step == "child") {
      pid_t pid = fork();
      if (pid == 0) _exit(Seccomp(0, &prog) == 0 ? 0 : 1);
      int status = 0;
      r = pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
                  WEXITSTATUS(status) == 0
              ? 0
              : -1;
    } else if (step == "probe") {
      --n;  // not a filter: libseccomp's way to ask whether the kernel knows a flag
      r = Seccomp(SECCOMP_FILTER_FLAG_LOG, nullptr) == -1 && errno == EFAULT ? 0 : -1;
    } else if (step == "pause") {
      --n;
      pthread_mutex_lock(&g_lock);
      std::printf("ready");
      for (pid_t t : g_threads) std::printf(" %d", t);
      pthread_mutex_unlock(&g_lock);
      std::printf("\n");
      std::fflush(stdout);
      char c;
      for (;;) {
        ssize_t k = read(0, &c, 1);
        if (k > 0 || (k < 0 && errno == EINTR)) continue;
        break;
      }
      continue;
    } else {
      std::fprintf(stderr, "install_filters: unknown step '%s'\n", step.c_str());
      return 2;
    }
    if (r != 0) {
      std::fprintf(stderr, "install_filters: step %d (%s) failed: %s\n", a, step.c_str(),
                   std::strerror(errno));
      return 1;
    }
  }
  return 0;
}
