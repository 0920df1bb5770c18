// Tries, one by one, the system calls a confined server must never get to make, each in a
// child of its own, and prints what became of each:
//   execve: killed by SIGSYS        the filter killed the child
//   socket-unix: errno EACCES       the call failed (by the filter or the kernel)
//   ptrace: ran                     the kernel ran it (it returned without an error)
// Run it under a policy to see what that policy stops, and without one to see that each
// attempt is real. A filter applies to every descendant of the process it was installed in,
// so what it does here it does in any process of a server run under the same policy.
// Usage: forbidden_calls [NAME...]   (default: all)
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace {

char kTrue[] = "true";
char* kArgv[] = {kTrue, nullptr};
char* kEnvp[] = {nullptr};

long try_execve() { return execve("/bin/true", kArgv, kEnvp); }  // returns only on failure
long try_execveat() { return syscall(SYS_execveat, AT_FDCWD, "/bin/true", kArgv, kEnvp, 0); }
long try_ptrace() { return ptrace(PTRACE_TRACEME, 0, 0, 0); }
long try_process_vm_readv() {
  return syscall(SYS_process_vm_readv, getppid(), nullptr, 0, nullptr, 0, 0);
}
long try_socket(int family, int type, int protocol) { return socket(family, type, protocol); }
long try_packet() { return try_socket(AF_PACKET, SOCK_RAW, 0); }
long try_raw() { return try_socket(AF_INET, SOCK_RAW, IPPROTO_ICMP); }
long try_udp() { return try_socket(AF_INET, SOCK_DGRAM, 0); }
long try_inet6() { return try_socket(AF_INET6, SOCK_STREAM, 0); }
long try_netlink() { return try_socket(AF_NETLINK, SOCK_RAW, 0); }
long try_unix() { return try_socket(AF_UNIX, SOCK_STREAM, 0); }
long try_connect() {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(9);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return connect(-1, reinterpret_cast<sockaddr*>(&a), sizeof a);
}
long try_init_module() { return syscall(SYS_init_module, nullptr, 0, ""); }
long try_finit_module() { return syscall(SYS_finit_module, -1, "", 0); }
long try_delete_module() { return syscall(SYS_delete_module, "sysgate_none", 0); }
long try_bpf() { return syscall(SYS_bpf, 5 /* BPF_PROG_LOAD */, nullptr, 0); }
long try_unshare() { return unshare(CLONE_NEWNS); }
long try_unshare_user() { return unshare(CLONE_NEWUSER); }
long try_setns() { return setns(-1, 0); }
long try_mount() { return syscall(SYS_mount, "none", "/nonexistent-sysgate", "tmpfs", 0, nullptr); }
long try_umount() { return syscall(SYS_umount2, "/nonexistent-sysgate", 0); }
long try_pivot_root() {
  return syscall(SYS_pivot_root, "/nonexistent-sysgate", "/nonexistent-sysgate");
}
long try_clone_newuser() {
  long r = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
  if (r == 0) _exit(0);  // the new child, if any
  if (r > 0) waitpid(static_cast<pid_t>(r), nullptr, 0);
  return r;
}
long try_clone3() { return syscall(SYS_clone3, nullptr, 0); }
long try_io_uring() { return syscall(SYS_io_uring_setup, 1, nullptr); }
long try_setuid_root() { return syscall(SYS_setuid, 0); }
long try_wx_memory() {
  void* p =
      mmap(nullptr, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? -1 : 0;
}
long try_open_write() {
  return openat(AT_FDCWD, "/nonexistent-sysgate/file", O_WRONLY | O_CREAT | O_TRUNC, 0600);
}

struct Attempt {
  const char* name;
  long (*fn)();
};
const Attempt kAttempts[] = {
    {"execve", try_execve},
    {"execveat", try_execveat},
    {"ptrace", try_ptrace},
    {"process_vm_readv", try_process_vm_readv},
    {"socket-packet", try_packet},
    {"socket-raw", try_raw},
    {"socket-udp", try_udp},
    {"socket-inet6", try_inet6},
    {"socket-netlink", try_netlink},
    {"socket-unix", try_unix},
    {"connect", try_connect},
    {"init_module", try_init_module},
    {"finit_module", try_finit_module},
    {"delete_module", try_delete_module},
    {"bpf", try_bpf},
    {"unshare-mount", try_unshare},
    {"unshare-user", try_unshare_user},
    {"setns", try_setns},
    {"mount", try_mount},
    {"umount2", try_umount},
    {"pivot_root", try_pivot_root},
    {"clone-newuser", try_clone_newuser},
    {"clone3", try_clone3},
    {"io_uring_setup", try_io_uring},
    {"setuid-root", try_setuid_root},
    {"mmap-wx", try_wx_memory},
    {"open-write", try_open_write},
};

const char* errno_name(int e) {
  switch (e) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EBADF: return "EBADF";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EINVAL: return "EINVAL";
    case ENOSYS: return "ENOSYS";
    case EAFNOSUPPORT: return "EAFNOSUPPORT";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    default: return "other";
  }
}

void say(const char* a, const char* b, const char* c) {
  char line[128];
  int n = snprintf(line, sizeof line, "%s: %s%s\n", a, b, c);
  if (write(1, line, static_cast<size_t>(n)) < 0) _exit(3);
}

void attempt(const char* name, long (*fn)()) {
  pid_t pid = fork();
  if (pid < 0) {
    say(name, "fork failed", "");
    return;
  }
  if (pid == 0) {
    errno = 0;
    long r = fn();
    if (r < 0)
      say(name, "errno ", errno_name(errno));
    else
      say(name, "ran", "");
    _exit(0);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFSIGNALED(status)) {
    // SIGSYS from the kernel's kill-process; SIGKILL when a supervisor killed it.
    int sig = WTERMSIG(status);
    say(name, "killed by ",
        sig == SIGSYS    ? "SIGSYS"
        : sig == SIGKILL ? "SIGKILL"
                         : "another signal");
  } else if (WEXITSTATUS(status) == 0 && strcmp(name, "execve") == 0)
    say(name, "ran", "");  // /bin/true
  else if (WEXITSTATUS(status) == 0 && strcmp(name, "execveat") == 0)
    say(name, "ran", "");
}

}  // namespace

int main(int argc, char** argv) {
  for (size_t i = 0; i < sizeof kAttempts / sizeof kAttempts[0]; ++i) {
    bool wanted = argc == 1;
    for (int a = 1; a < argc; ++a) wanted = wanted || strcmp(argv[a], kAttempts[i].name) == 0;
    if (wanted) attempt(kAttempts[i].name, kAttempts[i].fn);
  }
  return 0;
}
