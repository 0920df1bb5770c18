// emulate-mknod: the agent makes an allowed device node for a container. The call's path is
// read once (the copy is what gets created); the node is made by a helper process that has
// joined the caller's mount namespace and taken its root, directory and umask, so that the
// path resolves exactly as the caller's own call would have.
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "kernel/proc_status.h"
#include "sysgate/agent.h"

namespace sysgate {
namespace {

// The kernel's new_decode_dev for the 32-bit dev argument of mknod.
unsigned Major(uint64_t dev) { return static_cast<unsigned>((dev & 0xfff00) >> 8); }
unsigned Minor(uint64_t dev) {
  return static_cast<unsigned>((dev & 0xff) | ((dev >> 12) & 0xfff00));
}

int OpenProc(pid_t pid, const std::string& what) {
  std::string path = "/proc/" + std::to_string(pid) + "/" + what;
  return open(path.c_str(), O_RDONLY | O_CLOEXEC);
}

}  // namespace

Reply EmulateMknod(SyscallCall& call, const std::vector<AgentDevice>& allowed) {
  const bool at = call.name() == "mknodat";
  if (!at && call.name() != "mknod") return Reply::Fail(ENOSYS);
  const int base = at ? 1 : 0;
  uint64_t mode = call.arg(base + 1) & 0xffffffffULL;
  uint64_t dev = call.arg(base + 2) & 0xffffffffULL;
  char type = S_ISCHR(mode) ? 'c' : S_ISBLK(mode) ? 'b' : 0;
  bool ok = type != 0 && std::ranges::any_of(allowed, [&](const AgentDevice& d) {
              return d.type == type && d.major == Major(dev) && d.minor == Minor(dev);
            });
  if (!ok) return Reply::Fail(EPERM);
  auto path = call.ReadString(call.arg(base), 4096);
  if (!path || path->empty()) return Reply::Fail(path ? ENOENT : EFAULT);
  pid_t pid = call.tid();
  // Everything of the caller's that the helper needs, opened now and then validated: the
  // call still pending means the pid was not reused in between.
  int mnt = OpenProc(pid, "ns/mnt");
  int root = OpenProc(pid, "root");
  int dir = -1;
  int32_t dirfd = static_cast<int32_t>(call.arg(0));
  if ((*path)[0] != '/')
    dir = at && dirfd != AT_FDCWD ? OpenProc(pid, "fd/" + std::to_string(dirfd))
                                  : OpenProc(pid, "cwd");
  mode_t mask = static_cast<mode_t>(kernel::ProcStatusNumber(pid, "Umask", 8).value_or(022));
  auto close_all = [&] {
    for (int fd : {mnt, root, dir}) {
      if (fd >= 0) close(fd);
    }
  };
  if (mnt < 0 || root < 0 || ((*path)[0] != '/' && dir < 0) || !call.Pending()) {
    close_all();
    return Reply::Fail(ESRCH);
  }
  pid_t helper = fork();
  if (helper == 0) {
    // Single-threaded here: setns(CLONE_NEWNS) requires it.
    if (setns(mnt, CLONE_NEWNS) != 0) _exit(errno);
    if (fchdir(root) != 0 || chroot(".") != 0) _exit(errno);
    if (dir >= 0 && fchdir(dir) != 0) _exit(errno);
    umask(mask);
    if (mknod(path->c_str(), static_cast<mode_t>(mode), makedev(Major(dev), Minor(dev))) != 0)
      _exit(errno);
    _exit(0);
  }
  close_all();
  if (helper < 0) return Reply::Fail(EAGAIN);
  int status = 0;
  while (waitpid(helper, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status)) return Reply::Fail(EIO);
  int err = WEXITSTATUS(status);
  return err == 0 ? Reply::Return(0) : Reply::Fail(err);
}

}  // namespace sysgate
