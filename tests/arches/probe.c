/*
 * The guest side of the kernel oracle (tests/arches/arches_test.cc): the init of a small Linux
 * booted under qemu, built statically for one ABI by its Debian cross compiler. It reads cases
 * that the host wrote (filters sysgate compiled, probe calls, what sysgate says the kernel does
 * with each), installs each filter in a child, makes the calls, and prints each case's count of
 * calls and of disagreements, every disagreement, and the seccomp_data the kernel hands a user
 * notification listener. Then, as /init, it runs the other ABIs' probes and powers off.
 *
 *   c ID MODE EXEC      a case: MODE coded (every call in one child), single (one child per
 *                       call, with a SIGSYS handler) or notify (a listener answers); EXEC the
 *                       program the child runs after installing the filter, or -
 *   f N                 the filter: N lines "code jt jf k" (hex) follow
 *   p NR A0..A5 K V     a call (hex) and its expected outcome: e ERRNO, a (ran), s SIGNAL,
 *                       t TRAP_DATA, n (notified)
 *   s CHECK             (MODE semantic) a call through the C library, with what its own
 *                       headers say the filter must make of it (see kChecks)
 *   x PROGRAM CASES     (in /init's file) run another ABI's probe on its cases
 *
 * Output, each line after "@@ " (kernel and firmware messages share the console):
 * "C ID CALLS WRONG", "M ID I NR got K V want K V", "D ID I NR ARCH A0..A5", "DONE".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum { kMaxInsns = 4096, kMaxProbes = 8192 };

struct Probe {
  long nr;
  unsigned long long args[6];
  char kind;
  unsigned long long value;
};

/* Shared with the children: each call's outcome. */
struct Outcome {
  volatile int state; /* 0: not reached, 1: in the call, 2: returned */
  volatile char kind;
  volatile long long value;
  volatile int notified;
  struct seccomp_data data; /* what the listener received */
};

static struct sock_filter insns[kMaxInsns];
static int ninsns;
static struct Probe probes[kMaxProbes];
static int nprobes;
static struct Outcome* out;
static volatile int trapped_index = -1;

static long Call(const struct Probe* p) {
  return syscall(p->nr, (long)p->args[0], (long)p->args[1], (long)p->args[2], (long)p->args[3],
                 (long)p->args[4], (long)p->args[5]);
}

static void OnSigsys(int sig, siginfo_t* info, void* ctx) {
  (void)sig;
  (void)ctx;
  if (trapped_index < 0) return;
  out[trapped_index].kind = 't';
  out[trapped_index].value = info->si_errno;
  out[trapped_index].state = 2;
  syscall(SYS_exit_group, 0);
}

static int Install(unsigned flags) {
  struct sock_fprog prog = {(unsigned short)ninsns, insns};
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return -1;
  return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &prog);
}

static void Record(int i, long r) {
  if (r == -1) {
    out[i].kind = 'e';
    out[i].value = errno;
  } else {
    out[i].kind = 'a';
    out[i].value = 0;
  }
  out[i].state = 2;
}

/* Waits for the child; a call it did not return from was ended by the signal that killed it. */
static void Reap(pid_t pid, int from, int to) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  for (int i = from; i < to; ++i) {
    if (out[i].state == 1 && WIFSIGNALED(status)) {
      out[i].kind = 's';
      out[i].value = WTERMSIG(status);
      out[i].state = 2;
    }
  }
}

/* All calls in one child; after a call that kills it, the rest in a new one. */
static void Coded(const char* exec) {
  int from = 0;
  while (from < nprobes) {
    pid_t pid = fork();
    if (pid == 0) {
      if (Install(0) != 0) _exit(111);
      if (exec) { /* another ABI's first call meets the filter */
        out[0].state = 1;
        char* argv[] = {(char*)exec, (char*)"-", NULL};
        execv(exec, argv);
        _exit(112);
      }
      for (int i = from; i < nprobes; ++i) {
        out[i].state = 1;
        Record(i, Call(&probes[i]));
      }
      syscall(SYS_exit_group, 0);
    }
    Reap(pid, from, nprobes);
    int next = from;
    while (next < nprobes && out[next].state == 2) ++next;
    if (next == from || next == nprobes || out[next].state != 0) break;
    from = next;
  }
}

static void Single(void) {
  for (int i = 0; i < nprobes; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      struct sigaction sa;
      memset(&sa, 0, sizeof sa);
      sa.sa_sigaction = OnSigsys;
      sa.sa_flags = SA_SIGINFO;
      sigaction(SIGSYS, &sa, NULL);
      trapped_index = i;
      if (Install(0) != 0) _exit(111);
      out[i].state = 1;
      Record(i, Call(&probes[i]));
      syscall(SYS_exit_group, 0);
    }
    Reap(pid, i, i + 1);
  }
}

static void Notify(void) {
  for (int i = 0; i < nprobes; ++i) {
    pid_t pid = fork();
    if (pid == 0) {
      int fd = Install(SECCOMP_FILTER_FLAG_NEW_LISTENER);
      if (fd < 0) _exit(111);
      pid_t caller = fork();
      if (caller == 0) {
        out[i].state = 1;
        Record(i, Call(&probes[i]));
        syscall(SYS_exit_group, 0);
      }
      for (;;) {
        struct pollfd p = {fd, POLLIN, 0};
        if (poll(&p, 1, 100) > 0) {
          struct seccomp_notif n;
          memset(&n, 0, sizeof n);
          if (ioctl(fd, SECCOMP_IOCTL_NOTIF_RECV, &n) == 0) {
            out[i].notified = 1;
            out[i].data = n.data;
            struct seccomp_notif_resp r;
            memset(&r, 0, sizeof r);
            r.id = n.id;
            r.error = -ECHILD;
            ioctl(fd, SECCOMP_IOCTL_NOTIF_SEND, &r);
          }
        }
        int status;
        if (waitpid(caller, &status, WNOHANG) == caller) break;
      }
      syscall(SYS_exit_group, 0);
    }
    Reap(pid, i, i + 1);
    if (out[i].notified) {
      out[i].kind = 'n';
      out[i].value = 0;
    }
  }
}

/* ---- calls through the C library: the ABI's own registers, constants and errno values ---- */

static int Result(long r) { return r < 0 ? errno : 0; }
static int CloneChild(void* arg) {
  (void)arg;
  return 0;
}
static int Clone(int flags) {
  static char stack[64 * 1024] __attribute__((aligned(16)));
  int pid = clone(CloneChild, stack + sizeof stack, flags | SIGCHLD, NULL);
  if (pid < 0) return errno;
  waitpid(pid, NULL, 0);
  return 0;
}
static int Pread(long long pos) {
  char c;
  int fd = open("/init", O_RDONLY);
  return Result(pread64(fd, &c, 1, pos));  /* 64-bit offsets on every ABI */
}
static int Fallocate(long long offset, long long len) {
  int fd = open("/fallocate", O_RDWR | O_CREAT, 0600);
  return Result(fallocate64(fd, 0, offset, len));
}
static int OpenDirectory(void) { return Result(openat(AT_FDCWD, "/", O_RDONLY | O_DIRECTORY)); }
static int OpenPlain(void) { return Result(openat(AT_FDCWD, "/", O_RDONLY)); }
static int CloneNewUser(void) { return Clone(CLONE_NEWUSER); }
static int ClonePlain(void) { return Clone(0); }
static int PreadHigh(void) { return Pread(0x100000002LL); }
static int PreadLow(void) { return Pread(2); }
static int PreadSwapped(void) { return Pread(0x200000001LL); }
static int FallocateBoth(void) { return Fallocate(0x100000003LL, 0x200000004LL); }
static int FallocateSwapped(void) { return Fallocate(0x200000004LL, 0x100000003LL); }
static int Socket(void) { return Result(socket(AF_UNIX, SOCK_STREAM, 0)); }
static int MmapExec(void) {
  void* p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? errno : 0;
}
/* glibc's getppid() cannot fail, so it does not set errno: the call itself. */
static int Getppid(void) { return Result(syscall(SYS_getppid)); }

/* What the host's policy for these checks (arches_test.cc, Semantic) must make of each call:
 * the errno this ABI's headers give the error, 0 for a call that runs, or -errno for any
 * outcome but that one (a value in the wrong register must not match). */
static const struct {
  const char* name;
  int (*run)(void);
  int want;
} kChecks[] = {
    {"odirectory", OpenDirectory, EXDEV},
    {"odirectory-control", OpenPlain, 0},
    {"clone-newuser", CloneNewUser, EPERM},
    {"clone-control", ClonePlain, 0},
    {"pread-high", PreadHigh, E2BIG},
    {"pread-low", PreadLow, 0},
    {"pread-swapped", PreadSwapped, -E2BIG},
    {"fallocate", FallocateBoth, ENOTTY},
    {"fallocate-swapped", FallocateSwapped, -ENOTTY},
    {"socket", Socket, EAFNOSUPPORT},
    {"mmap-exec", MmapExec, EACCES},
    {"errno-enosys", Getppid, ENOSYS},
};

static void Semantic(FILE* in, const char* id) {
  char line[256];
  int n = 0, wrong = 0;
  while (fgets(line, sizeof line, in) && line[0] == 's') {
    char name[64];
    if (sscanf(line + 2, "%63s", name) != 1) continue;
    int k = -1;
    for (int i = 0; i < (int)(sizeof kChecks / sizeof kChecks[0]); ++i) {
      if (strcmp(kChecks[i].name, name) == 0) k = i;
    }
    ++n;
    if (k < 0) {
      printf("\n@@ M %s %d unknown-check %s\n", id, n - 1, name);
      ++wrong;
      continue;
    }
    memset(out, 0, sizeof(struct Outcome));
    pid_t pid = fork();
    if (pid == 0) {
      if (Install(0) != 0) _exit(111);
      out[0].value = kChecks[k].run();
      out[0].state = 2;
      syscall(SYS_exit_group, 0);
    }
    waitpid(pid, NULL, 0);
    int got = out[0].state == 2 ? (int)out[0].value : -1000;
    int want = kChecks[k].want;
    int ok = want >= 0 ? got == want : got != -want && got != -1000;
    if (!ok) {
      printf("\n@@ M %s %d %s got %d want %s%d\n", id, n - 1, name, got, want < 0 ? "not " : "", want < 0 ? -want : want);
      ++wrong;
    }
  }
  printf("\n@@ C %s %d %d\n", id, n, wrong);
  fflush(stdout);
}

static void Report(const char* id, const char* mode) {
  int wrong = 0;
  for (int i = 0; i < nprobes; ++i) {
    const struct Probe* p = &probes[i];
    char kind = out[i].state == 2 ? out[i].kind : '-';
    long long value = out[i].state == 2 ? out[i].value : 0;
    if (strcmp(mode, "notify") == 0 && out[i].notified) {
      const struct seccomp_data* d = &out[i].data;
      printf("\n@@ D %s %d %d %x %llx %llx %llx %llx %llx %llx\n", id, i, d->nr, d->arch,
             (unsigned long long)d->args[0], (unsigned long long)d->args[1],
             (unsigned long long)d->args[2], (unsigned long long)d->args[3],
             (unsigned long long)d->args[4], (unsigned long long)d->args[5]);
    }
    if (kind == p->kind && (unsigned long long)value == p->value) continue;
    ++wrong;
    printf("\n@@ M %s %d %lx got %c %llx want %c %llx\n", id, i, p->nr, kind, value, p->kind, p->value);
  }
  printf("\n@@ C %s %d %d\n", id, nprobes, wrong);
  fflush(stdout);
}

/* Runs one case: parses its filter and calls from `in`, then runs them. */
static void RunCase(FILE* in, char* id, char* mode, char* exec) {
  char line[256];
  ninsns = nprobes = 0;
  while (fgets(line, sizeof line, in)) {
    if (line[0] == 'f') {
      int n = atoi(line + 2);
      for (int i = 0; i < n && i < kMaxInsns && fgets(line, sizeof line, in); ++i) {
        unsigned code, jt, jf, k;
        sscanf(line, "%x %x %x %x", &code, &jt, &jf, &k);
        insns[ninsns++] = (struct sock_filter){(unsigned short)code, (unsigned char)jt, (unsigned char)jf, k};
      }
      if (strcmp(mode, "semantic") == 0) {
        Semantic(in, id); /* reads its checks up to the case's end */
        return;
      }
    } else if (line[0] == 'p' && nprobes < kMaxProbes) {
      struct Probe* p = &probes[nprobes++];
      sscanf(line + 2, "%lx %llx %llx %llx %llx %llx %llx %c %llx", &p->nr, &p->args[0], &p->args[1],
             &p->args[2], &p->args[3], &p->args[4], &p->args[5], &p->kind, &p->value);
    } else if (line[0] == 'e') {
      break;
    }
  }
  memset(out, 0, sizeof(struct Outcome) * kMaxProbes);
  if (strcmp(mode, "single") == 0) {
    Single();
  } else if (strcmp(mode, "notify") == 0) {
    Notify();
  } else {
    Coded(strcmp(exec, "-") == 0 ? NULL : exec);
  }
  Report(id, mode);
}

int main(int argc, char** argv) {
  /* Called as another ABI's first call under a filter that is not its own: any call will do. */
  if (argc > 1 && strcmp(argv[1], "-") == 0) return (int)syscall(SYS_getppid);
  const char* path = argc > 1 ? argv[1] : "/cases.txt";
  setvbuf(stdout, NULL, _IOLBF, 0);
  out = mmap(NULL, sizeof(struct Outcome) * kMaxProbes, PROT_READ | PROT_WRITE,
             MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  FILE* in = fopen(path, "r");
  if (!in || out == MAP_FAILED) {
    printf("\n@@ ERROR cannot read %s\n", path);
  } else {
    char line[256];
    while (fgets(line, sizeof line, in)) {
      char a[64], b[64], c[128];
      if (line[0] == 'c' && sscanf(line + 2, "%63s %63s %127s", a, b, c) == 3) {
        RunCase(in, a, b, c);
      } else if (line[0] == 'x' && sscanf(line + 2, "%63s %127s", a, c) == 2) {
        pid_t pid = fork();
        if (pid == 0) {
          char* args[] = {a, c, NULL};
          execv(a, args);
          printf("\n@@ ERROR cannot run %s\n", a);
          _exit(1);
        }
        int status;
        waitpid(pid, &status, 0);
      }
    }
  }
  if (getpid() == 1) {
    printf("\n@@ DONE\n");
    fflush(stdout);
    sync();
    reboot(RB_AUTOBOOT); /* qemu runs with -no-reboot: it exits */
  }
  return 0;
}
