// A program that wants out of `sysgate run`: it attacks its own supervisor (the process that
// answers its blocked calls), then checks whether a call its policy denies now runs, or a
// call its policy kills now returns. THREATS.md rows 33-36.
//
//   attacker ATTACK PROBE...     under: sysgate run --env ATTACK_TAG=T --env ATTACK_RESULT=F ...
//
// ATTACK: none mem vmwrite ptrace getfd lib stop kill rlimit-nofile rlimit-cpu rlimit-as
//         rlimit-nproc nice flood exit-midway
// PROBE:  errno (unshare(CLONE_NEWUSER), which the policy denies with an errno)
//         kill (mincore, which the policy kills)
//
// The supervisor's processes are those whose command line holds "ATTACK_TAG=T" (sysgate's own
// argument), found in /proc as any program under sysgate could find them. The probes run in a
// "prober", a grandchild made before the attack, so that they happen even when the attack ends
// this process (a supervisor that dies takes the program with it). Each probe's fate is one
// line appended to the file ATTACK_RESULT:
//   probe errno: denied 1         the call failed with errno 1 and did not run
//   probe errno: RAN              the kernel ran it: the policy was bypassed
//   probe kill: killed 31         the process was killed (by signal 31, SIGSYS)
//   probe kill: SURVIVED 38       the call returned (errno 38): the kill verdict was bypassed
//   probe X: HUNG                 no answer within 4 s (acceptable for an errno verdict only)
// and the attack's own lines ("attack mem: refused: ...") go there too.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace {

const char* g_result = nullptr;

void Say(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void Say(const char* fmt, ...) {
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (n > static_cast<int>(sizeof line) - 2) n = sizeof line - 2;
  line[n++] = '\n';
  int fd = g_result ? open(g_result, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666) : -1;
  if (fd >= 0) {
    [[maybe_unused]] ssize_t w = write(fd, line, static_cast<size_t>(n));
    close(fd);
  }
  [[maybe_unused]] ssize_t w = write(2, line, static_cast<size_t>(n));
}

std::string ReadFile(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return {};
  std::string s;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
  close(fd);
  return s;
}

// The processes of our supervisor: sysgate's command line carries our tag as an argument.
std::vector<pid_t> Supervisors() {
  std::vector<pid_t> out;
  const char* tag = getenv("ATTACK_TAG");
  if (!tag) return out;
  std::string want = std::string("ATTACK_TAG=") + tag;
  DIR* d = opendir("/proc");
  if (!d) return out;
  while (dirent* e = readdir(d)) {
    pid_t pid = static_cast<pid_t>(atoi(e->d_name));
    if (pid <= 0 || pid == getpid()) continue;
    std::string cmd = ReadFile("/proc/" + std::string(e->d_name) + "/cmdline");
    std::string comm = ReadFile("/proc/" + std::string(e->d_name) + "/comm");
    if (comm.rfind("sysgate", 0) != 0) continue;
    for (size_t at = 0; at < cmd.size(); at += strlen(cmd.c_str() + at) + 1) {
      if (strcmp(cmd.c_str() + at, want.c_str()) == 0) {
        out.push_back(pid);
        break;
      }
    }
  }
  closedir(d);
  return out;
}

// The supervisor's listener fd number, as its /proc/PID/fd shows it (needs ptrace access).
int ListenerFd(pid_t pid) {
  std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = opendir(dir.c_str());
  if (!d) return -1;
  int found = -1;
  while (dirent* e = readdir(d)) {
    char target[128] = {};
    std::string p = dir + "/" + e->d_name;
    if (readlink(p.c_str(), target, sizeof target - 1) > 0 && strstr(target, "seccomp notify")) {
      found = atoi(e->d_name);
    }
  }
  closedir(d);
  return found;
}

// ---- the probes ----

long ProbeCall(const std::string& probe) {
  if (probe == "errno") return syscall(SYS_unshare, 0x10000000 /* CLONE_NEWUSER */);
  return syscall(SYS_mincore, 0, 0, 0);
}

// In a child: the call, then what came of it. A child that hangs is killed after 4 s.
void Probe(const std::string& probe) {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC) != 0) return;
  pid_t pid = fork();
  if (pid == 0) {
    close(pipefd[0]);
    errno = 0;
    long r = ProbeCall(probe);
    int err = errno;
    char msg[64];
    int n = snprintf(msg, sizeof msg, "%s %d", r == 0 ? "ran" : "failed", err);
    [[maybe_unused]] ssize_t w = write(pipefd[1], msg, static_cast<size_t>(n));
    _exit(0);
  }
  close(pipefd[1]);
  if (pid < 0) {
    Say("probe %s: fork failed %d", probe.c_str(), errno);
    close(pipefd[0]);
    return;
  }
  pollfd p{pipefd[0], POLLIN, 0};
  int ready = poll(&p, 1, 4000);
  char msg[64] = {};
  ssize_t n = ready > 0 ? read(pipefd[0], msg, sizeof msg - 1) : -1;
  close(pipefd[0]);
  if (n <= 0) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  bool ran = strncmp(msg, "ran", 3) == 0;
  int err = n > 0 ? atoi(strchr(msg, ' ') + 1) : 0;
  if (n > 0) {
    if (probe == "errno")
      Say("probe errno: %s %d", ran ? "RAN" : "denied", err);
    else
      Say("probe kill: SURVIVED %d", err);
  } else if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL) {
    Say("probe %s: killed %d", probe.c_str(), WTERMSIG(status));
  } else if (WIFSIGNALED(status) && ready == 0) {
    Say("probe %s: HUNG", probe.c_str());
  } else if (WIFSIGNALED(status)) {
    Say("probe %s: killed %d", probe.c_str(), WTERMSIG(status));
  } else {
    Say("probe %s: exited %d without a word", probe.c_str(), WEXITSTATUS(status));
  }
}

// ---- taking over the listener ----

// Answers every notification on `fd` with CONTINUE: what a program holding its supervisor's
// listener does to run the calls its policy denies.
void* AnswerContinue(void* arg) {
  int fd = static_cast<int>(reinterpret_cast<intptr_t>(arg));
  while (true) {
    seccomp_notif n;
    memset(&n, 0, sizeof n);
    if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &n) != 0) {
      if (errno == EINTR || errno == ENOENT) continue;
      return nullptr;
    }
    seccomp_notif_resp r;
    memset(&r, 0, sizeof r);
    r.id = n.id;
    r.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &r);
  }
}

// A copy of the supervisor's listener, by pidfd_getfd (ptrace access to it is needed).
int StealListener(pid_t sup) {
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, sup, 0));
  if (pidfd < 0) return -errno;
  int found = -EPERM;
  int known = ListenerFd(sup);
  for (int fd = known >= 0 ? known : 0; fd < (known >= 0 ? known + 1 : 256); ++fd) {
    int mine = static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, fd, 0));
    if (mine < 0) {
      if (errno == EPERM) {
        found = -EPERM;
        break;
      }
      continue;
    }
    char target[128] = {};
    std::string p = "/proc/self/fd/" + std::to_string(mine);
    if (readlink(p.c_str(), target, sizeof target - 1) > 0 && strstr(target, "seccomp notify")) {
      found = mine;
      break;
    }
    close(mine);
  }
  close(pidfd);
  return found;
}

void TakeOver(pid_t sup, int listener) {
  kill(sup, SIGSTOP);  // the supervisor answers nothing more; we answer instead
  pthread_t t;
  pthread_create(&t, nullptr, AnswerContinue,
                 reinterpret_cast<void*>(static_cast<intptr_t>(listener)));
  pthread_detach(t);
  Say("attack: took the listener of %d", sup);
}

#if defined(__x86_64__)
// Code written over the supervisor's: receive a notification, answer it CONTINUE, forever.
// Position-independent; the listener fd (0x11223344) is patched in.
extern "C" char sg_sc_start[], sg_sc_end[];
asm(R"(
  .pushsection .text
  .globl sg_sc_start, sg_sc_end
sg_sc_start:
  sub $0x400, %rsp
1:
  xor %eax, %eax
  mov %rsp, %rdi
  mov $0x50, %ecx
  rep stosb
  mov $0x11223344, %edi
  mov $0xc0502100, %esi
  mov %rsp, %rdx
  mov $16, %eax
  syscall
  test %rax, %rax
  jnz 1b
  mov (%rsp), %rax
  mov %rax, 0x100(%rsp)
  movq $0, 0x108(%rsp)
  movl $0, 0x110(%rsp)
  movl $1, 0x114(%rsp)
  mov $0x11223344, %edi
  mov $0xc0182101, %esi
  lea 0x100(%rsp), %rdx
  mov $16, %eax
  syscall
  jmp 1b
sg_sc_end:
  .popsection
)");
static_assert(SECCOMP_IOCTL_NOTIF_RECV == 0xc0502100 && SECCOMP_IOCTL_NOTIF_SEND == 0xc0182101);
#endif

// Writes code over the supervisor's at the point where it waits in a syscall
// (/proc/PID/syscall gives it), through /proc/PID/mem.
void AttackMem(pid_t sup) {
  int mem = open(("/proc/" + std::to_string(sup) + "/mem").c_str(), O_RDWR | O_CLOEXEC);
  if (mem < 0) {
    Say("attack mem: refused: open /proc/%d/mem: %s", sup, strerror(errno));
    return;
  }
#if defined(__x86_64__)
  int listener = ListenerFd(sup);
  unsigned long pc = 0;
  for (int i = 0; i < 200 && pc == 0; ++i) {
    std::string sc = ReadFile("/proc/" + std::to_string(sup) + "/syscall");
    size_t last = sc.rfind(' ');
    if (last != std::string::npos && sc.rfind("running", 0) != 0)
      pc = strtoul(sc.c_str() + last + 1, nullptr, 16);
    if (pc == 0) usleep(10000);
  }
  if (listener < 0 || pc == 0) {
    Say("attack mem: opened /proc/%d/mem for writing, but no listener or pc (%d, %lx)", sup,
        listener, pc);
    close(mem);
    return;
  }
  std::string code(sg_sc_start, static_cast<size_t>(sg_sc_end - sg_sc_start));
  for (size_t at; (at = code.find("\x44\x33\x22\x11")) != std::string::npos;) {
    memcpy(&code[at], &listener, 4);
  }
  ssize_t w = pwrite(mem, code.data(), code.size(), static_cast<off_t>(pc));
  Say("attack mem: wrote %zd bytes of code at %#lx in %d", w, pc, sup);
#else
  Say("attack mem: opened /proc/%d/mem for writing (no code to write on this arch)", sup);
#endif
  close(mem);
}

// The supervisor's code on disk: the file it runs from (its command line names it). A root
// program may write any file root owns, and a shared library written in place changes the code
// of every process that maps it; sysgate is static, and the kernel keeps a running executable
// from being written (ETXTBSY). The test checks from outside that nothing else is mapped.
void AttackLib(pid_t sup) {
  std::string cmd = ReadFile("/proc/" + std::to_string(sup) + "/cmdline");
  std::string exe = cmd.c_str();
  int fd = open(exe.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) {
    Say("attack lib: refused: open %s for writing: %s", exe.c_str(), strerror(errno));
  } else {
    Say("attack lib: OPENED the supervisor's code %s for writing", exe.c_str());
    close(fd);
  }
}

void AttackVmWrite(pid_t sup) {
  long word = 0;
  iovec local{&word, sizeof word};
  // Any address: the permission check comes before the address is looked at.
  iovec remote{reinterpret_cast<void*>(0x10000), sizeof word};
  long r = syscall(SYS_process_vm_writev, sup, &local, 1, &remote, 1, 0);
  if (r < 0 && (errno == EPERM || errno == ESRCH)) {
    Say("attack vmwrite: refused: %s", strerror(errno));
  } else {
    Say("attack vmwrite: WROTE the supervisor's memory (%ld, %s)", r,
        r < 0 ? strerror(errno) : "ok");
  }
}

void AttackPtrace(pid_t sup) {
  if (ptrace(PTRACE_SEIZE, sup, 0, 0) != 0) {
    Say("attack ptrace: refused: %s", strerror(errno));
    return;
  }
  ptrace(PTRACE_INTERRUPT, sup, 0, 0);
  Say("attack ptrace: ATTACHED to %d", sup);
  int l = StealListener(sup);
  if (l >= 0) TakeOver(sup, l);
}

void AttackGetFd(pid_t sup) {
  int l = StealListener(sup);
  if (l < 0) {
    Say("attack getfd: refused: %s", strerror(-l));
    return;
  }
  TakeOver(sup, l);
}

void SetLimit(pid_t sup, int resource, rlim_t value, const char* name) {
  rlimit lim{value, value};
  if (syscall(SYS_prlimit64, sup, resource, &lim, nullptr) != 0) {
    Say("attack %s: refused: %s", name, strerror(errno));
  } else {
    Say("attack %s: set on %d", name, sup);
  }
}

void AttackNice(pid_t sup) {
  setpriority(PRIO_PROCESS, static_cast<id_t>(sup), 19);
  sched_param sp{};
  sched_setscheduler(sup, SCHED_IDLE, &sp);
  // Keep both CPUs busy for a while, so that an idle-priority supervisor gets no time.
  for (int i = 0; i < 2; ++i) {
    if (fork() == 0) {
      alarm(2);
      for (;;) {
      }
    }
  }
  Say("attack nice: reniced %d and busy", sup);
}

// Many threads making the denied call at once, each expecting the verdict's errno (with
// check_errno; else only that none runs: a supervisor that was killed leaves ENOSYS).
void Flood(int calls_per_thread, bool check_errno) {
  constexpr int kThreads = 64;
  static int kCalls;
  kCalls = calls_per_thread;
  static int ran = 0, wrong = 0;
  std::vector<pthread_t> threads(kThreads);
  for (pthread_t& t : threads) {
    pthread_create(
        &t, nullptr,
        [](void*) -> void* {
          for (int i = 0; i < kCalls; ++i) {
            errno = 0;
            long r = syscall(SYS_unshare, 0x10000000);
            if (r == 0)
              __atomic_add_fetch(&ran, 1, __ATOMIC_RELAXED);
            else if (errno != EPERM)
              __atomic_add_fetch(&wrong, 1, __ATOMIC_RELAXED);
          }
          return nullptr;
        },
        nullptr);
  }
  for (pthread_t& t : threads) pthread_join(t, nullptr);
  if (ran > 0) Say("attack flood: %d of %d denied calls RAN", ran, kThreads * kCalls);
  if (wrong > 0 && check_errno)
    Say("attack flood: %d of %d denied calls failed WRONG (not EPERM)", wrong, kThreads * kCalls);
  Say("attack flood: %d denied calls made", kThreads * kCalls);
}

// Threads in the middle of denied calls while their process exits: the supervisor must go on.
void ExitMidway() {
  pid_t pid = fork();
  if (pid == 0) {
    for (int i = 0; i < 16; ++i) {
      pthread_t t;
      pthread_create(
          &t, nullptr,
          [](void*) -> void* {
            for (;;) syscall(SYS_unshare, 0x10000000);
          },
          nullptr);
    }
    usleep(50000);
    _exit(0);
  }
  waitpid(pid, nullptr, 0);
  Say("attack exit-midway: a process exited with 16 threads in denied calls");
}

void Attack(const std::string& attack, const std::vector<pid_t>& sups) {
  if (attack == "flood") return Flood(20, true);
  if (attack == "exit-midway") return ExitMidway();
  for (pid_t sup : sups) {
    if (attack == "mem")
      AttackMem(sup);
    else if (attack == "vmwrite")
      AttackVmWrite(sup);
    else if (attack == "lib")
      AttackLib(sup);
    else if (attack == "ptrace")
      AttackPtrace(sup);
    else if (attack == "getfd")
      AttackGetFd(sup);
    else if (attack == "stop")
      Say("attack stop: %s", kill(sup, SIGSTOP) == 0 ? "stopped" : strerror(errno));
    else if (attack == "kill")
      Say("attack kill: %s", kill(sup, SIGKILL) == 0 ? "killed" : strerror(errno));
    else if (attack == "rlimit-nofile")
      SetLimit(sup, RLIMIT_NOFILE, 0, "rlimit-nofile");
    else if (attack == "rlimit-cpu")
      SetLimit(sup, RLIMIT_CPU, 0, "rlimit-cpu");
    else if (attack == "rlimit-as")
      SetLimit(sup, RLIMIT_AS, 1 << 20, "rlimit-as");
    else if (attack == "rlimit-nproc")
      SetLimit(sup, RLIMIT_NPROC, 0, "rlimit-nproc");
    else if (attack == "nice")
      AttackNice(sup);
  }
  // A limit of no CPU time ends a supervisor once it runs for a tick: make it work.
  if (attack == "rlimit-cpu") Flood(200, false);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: attacker ATTACK PROBE...\n");
    return 2;
  }
  g_result = getenv("ATTACK_RESULT");
  const std::string attack = argv[1];
  std::vector<std::string> probes(argv + 2, argv + argc);
  signal(SIGPIPE, SIG_IGN);

  // The prober: a grandchild that waits for the attack to end (or for us to die).
  int go[2];
  if (pipe2(go, O_CLOEXEC) != 0) return 3;
  pid_t mid = fork();
  if (mid == 0) {
    if (fork() != 0) _exit(0);  // the prober is not our child: our death does not reach it
    close(go[1]);
    char c;
    while (read(go[0], &c, 1) < 0 && errno == EINTR) {
    }
    for (const std::string& p : probes) Probe(p);
    Say("prober: done");
    _exit(0);
  }
  close(go[0]);
  waitpid(mid, nullptr, 0);

  // A first denied call: sysgate run --exec starts its supervisor process at the first one.
  // Not for rlimit-nproc, which must come first: that start is what it stops.
  if (attack != "rlimit-nproc") Probe("errno");
  usleep(100000);
  std::vector<pid_t> sups = Supervisors();
  Say("attacker: %zu supervisor processes", sups.size());
  Attack(attack, sups);
  usleep(200000);                       // a killed or starved supervisor has gone, or shows it
  if (attack == "mem") Probe("errno");  // wakes a supervisor whose code we replaced
  close(go[1]);                         // the prober probes now
  // Wait for it, with a bound: its probes end within a few seconds each.
  for (int i = 0; i < 100 * static_cast<int>(probes.size() + 1); ++i) {
    if (ReadFile(g_result ? g_result : "/dev/null").find("prober: done") != std::string::npos)
      break;
    usleep(100000);
  }
  for (pid_t sup : sups) kill(sup, SIGCONT);
  if (attack == "lib") sleep(2);  // the test looks at the supervisor's mappings meanwhile
  Say("attacker: done");
  return 0;
}
