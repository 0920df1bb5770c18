// A program that locks itself down after start-up with the sysgate library: it opens what it
// needs, applies a policy to all of its threads, and from then on cannot write files, start
// programs or create sockets.
//
//   lockdown [FILE]     reads FILE (default /etc/hostname) under the policy
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include <sysgate/policy_builder.h>
#include <sysgate/sandbox.h>

int main(int argc, char** argv) {
  const char* path = argc > 1 ? argv[1] : "/etc/hostname";
  using sysgate::Action;
  using sysgate::Arg;
  auto policy = sysgate::PolicyBuilder()
                    .Default(Action::Errno(EPERM))
                    .Allow({"@exit", "@vdso", "read", "write", "close", "fstat", "newfstatat",
                            "lseek", "brk", "mmap", "munmap", "futex"})
                    .Allow("openat")
                    .If((Arg("flags") & O_ACCMODE) == O_RDONLY)
                    .Errno(EACCES, "openat")
                    .Build();
  if (!policy) {
    std::fprintf(stderr, "policy: %s\n", policy.error().ToString().c_str());
    return 1;
  }
  auto applied = sysgate::ApplyToThisProcess(*policy);
  if (!applied) {
    std::fprintf(stderr, "lockdown: %s\n", applied.error().ToString().c_str());
    return 1;
  }
  // A policy with `fs best-effort` runs on a kernel whose Landlock lacks some of its rights,
  // without them: what was left out. (This one has no fs, net or scope rules.)
  for (const std::string& d : applied->dropped) std::printf("not enforced: %s\n", d.c_str());
  std::printf("locked down\n");
  int fd = open(path, O_RDONLY);
  char buf[256] = {};
  ssize_t n = fd >= 0 ? read(fd, buf, sizeof buf - 1) : -1;
  std::printf("read %s: %s", path, n >= 0 ? buf : "failed\n");
  if (n >= 0 && (n == 0 || buf[n - 1] != '\n')) std::printf("\n");
  int w = open("/tmp/lockdown-should-not-exist", O_WRONLY | O_CREAT, 0600);
  std::printf("open for writing: %s\n", w >= 0 ? "allowed (bad)" : std::strerror(errno));
  int s = socket(AF_INET, SOCK_STREAM, 0);
  std::printf("socket: %s\n", s >= 0 ? "allowed (bad)" : std::strerror(errno));
  return w < 0 && s < 0 ? 0 : 2;
}
