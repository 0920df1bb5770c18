#include "supervise/access_effects.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/fiemap.h>
#include <linux/fs.h>
#include <linux/kcmp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <fstream>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "supervise/exec_chain.h"
#include "sysgate/access_rules.h"

namespace sysgate::supervise {
namespace {

namespace fa = fs_access;

constexpr int kAtFdcwd = -100;
constexpr uint64_t kRenameExchange = 2;  // RENAME_EXCHANGE
#ifndef IPPROTO_MPTCP
constexpr int IPPROTO_MPTCP = 262;
#endif

enum class Op : uint8_t {
  kOpen,
  kCreat,
  kOpenat,
  kOpenat2,
  kExecve,
  kExecveat,
  kMkdir,
  kMkdirat,
  kRmdir,
  kUnlink,
  kUnlinkat,
  kRename,
  kRenameat,
  kRenameat2,
  kLink,
  kLinkat,
  kSymlink,
  kSymlinkat,
  kMknod,
  kMknodat,
  kTruncate,
  kFtruncate,
  kIoctl,
  kBind,
};

const std::unordered_map<std::string_view, Op>& FileOps() {
  static const auto* ops = new std::unordered_map<std::string_view, Op>{
      {"open", Op::kOpen},           {"creat", Op::kCreat},         {"openat", Op::kOpenat},
      {"openat2", Op::kOpenat2},     {"execve", Op::kExecve},       {"execveat", Op::kExecveat},
      {"mkdir", Op::kMkdir},         {"mkdirat", Op::kMkdirat},     {"rmdir", Op::kRmdir},
      {"unlink", Op::kUnlink},       {"unlinkat", Op::kUnlinkat},   {"rename", Op::kRename},
      {"renameat", Op::kRenameat},   {"renameat2", Op::kRenameat2}, {"link", Op::kLink},
      {"linkat", Op::kLinkat},       {"symlink", Op::kSymlink},     {"symlinkat", Op::kSymlinkat},
      {"mknod", Op::kMknod},         {"mknodat", Op::kMknodat},     {"truncate", Op::kTruncate},
      {"truncate64", Op::kTruncate}, {"ftruncate", Op::kFtruncate}, {"ftruncate64", Op::kFtruncate},
      {"ioctl", Op::kIoctl},         {"bind", Op::kBind},
  };
  return *ops;
}

std::optional<std::string> ReadLink(const std::string& link) {
  char buf[PATH_MAX];
  ssize_t n = readlink(link.c_str(), buf, sizeof buf);
  if (n <= 0 || static_cast<size_t>(n) >= sizeof buf) return std::nullopt;
  return std::string(buf, static_cast<size_t>(n));
}

std::optional<std::string> RealPath(const std::string& path) {
  char buf[PATH_MAX];
  if (!realpath(path.c_str(), buf)) return std::nullopt;
  return std::string(buf);
}

bool PerProcess(const std::string& path) {
  return PathIsBeneath(path, "/proc") || PathIsBeneath(path, "/dev/fd") || path == "/dev/stdin" ||
         path == "/dev/stdout" || path == "/dev/stderr";
}

// The right to make (or remove) an entry of the type in `mode`.
uint64_t MakeRight(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFDIR: return fa::kMakeDir;
    case S_IFLNK: return fa::kMakeSym;
    case S_IFCHR: return fa::kMakeChar;
    case S_IFBLK: return fa::kMakeBlock;
    case S_IFIFO: return fa::kMakeFifo;
    case S_IFSOCK: return fa::kMakeSock;
    default: return fa::kMakeReg;
  }
}
uint64_t RemoveRight(mode_t mode) { return S_ISDIR(mode) ? fa::kRemoveDir : fa::kRemoveFile; }

// Requests Landlock lets through on devices whatever the rules say (the kernel's
// is_masked_device_ioctl(): fd flags, and what acts on the file system, not the device).
bool IoctlAlwaysAllowed(uint64_t request) {
  constexpr uint32_t kGetFsUuid = 0x80111500;  // FS_IOC_GETFSUUID (6.7), not in Debian 12's headers
  constexpr uint32_t kGetFsSysfsPath = 0x80811501;  // FS_IOC_GETFSSYSFSPATH (6.8)
  switch (static_cast<uint32_t>(request)) {
    case FIOCLEX:
    case FIONCLEX:
    case FIONBIO:
    case FIOASYNC:
    case FIOQSIZE:
    case FIFREEZE:
    case FITHAW:
    case FS_IOC_FIEMAP:
    case FIGETBSZ:
    case FICLONE:
    case FICLONERANGE:
    case FIDEDUPERANGE:
    case kGetFsUuid:
    case kGetFsSysfsPath: return true;
    default: return false;
  }
}

// What a magic link of the caller's /proc names (/proc/self/fd/N, /dev/stderr, /proc/self/exe,
// /proc/PID/cwd/...), which the kernel follows to the file itself: that file's path and what
// follows the link, "" for a pipe or socket (no path, so nothing a rule could name), none
// when `path` is no magic link. *deleted: the file was unlinked.
std::optional<std::string> MagicLinkTarget(pid_t tid, std::string path, bool* deleted) {
  if (path == "/dev/stdin" || path == "/dev/stdout" || path == "/dev/stderr") {
    path = fmt::format("/proc/self/fd/{}", path == "/dev/stdin"    ? 0
                                           : path == "/dev/stdout" ? 1
                                                                   : 2);
  } else if (path.starts_with("/dev/fd/")) {
    path = "/proc/self/fd/" + path.substr(8);
  }
  if (!path.starts_with("/proc/")) return std::nullopt;
  std::vector<std::string_view> parts;
  for (size_t i = 6; i <= path.size();) {
    size_t slash = path.find('/', i);
    if (slash == std::string::npos) slash = path.size();
    if (slash > i) parts.push_back(std::string_view(path).substr(i, slash - i));
    i = slash + 1;
  }
  if (parts.size() < 2) return std::nullopt;
  std::string who(parts[0]);
  if (who == "self" || who == "thread-self") {
    who = std::to_string(tid);
  } else if (who.find_first_not_of("0123456789") != std::string::npos) {
    return std::nullopt;
  }
  size_t used = 2;
  std::string link = fmt::format("/proc/{}/{}", who, parts[1]);
  if (parts[1] == "fd" && parts.size() >= 3) {
    link += "/" + std::string(parts[2]);
    used = 3;
  } else if (parts[1] != "exe" && parts[1] != "cwd" && parts[1] != "root") {
    return std::nullopt;
  }
  auto target = ReadLink(link);
  if (!target || !target->starts_with('/')) return "";
  if (target->ends_with(" (deleted)")) {
    *deleted = true;
    target->resize(target->size() - 10);
  }
  for (size_t i = used; i < parts.size(); ++i) *target += "/" + std::string(parts[i]);
  return target;
}

std::atomic<unsigned> released_standard_fds{0};  // bit i: StandardFdReleased(i)

// Whether the program's `fd` is one of the files it was started with: the same open file as one
// of this process's standard fds, which the program inherited (also under another number, after
// a dup). Opened before any rule, such a file's ioctls and truncates are not checked by Landlock
// (it checks the rights a file was opened with). When that cannot be told, it is not one (a rule
// too many rather than one too few).
bool InheritedFile(SyscallCall& call, int fd) {
  const int pidfd = call.pidfd();
  if (pidfd < 0 || fd < 0) return false;
  int copy = static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, fd, 0));
  if (copy >= 0 && copy <= 2) {  // a standard fd this process has closed: not to be compared
    const int high = fcntl(copy, F_DUPFD_CLOEXEC, 3);
    close(copy);
    copy = high;
  }
  if (copy < 0) return false;
  bool same = false;
  const unsigned released = released_standard_fds.load();
  for (int mine = 0; mine <= 2 && !same; ++mine) {
    same = (released & (1u << mine)) != 0
               ? fd == mine  // its number now holds some other file of this process
               : syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, mine, copy) == 0;
  }
  close(copy);
  return same;
}

// One call's effects, built up.
class EffectsOf {
 public:
  static AccessEffects Of(SyscallCall& call, bool fs, bool net);
  void Exec(const std::string& path);
  AccessEffects out_;

 private:
  struct Target;
  void File(SyscallCall& call, std::string_view name);
  void Port(SyscallCall& call, bool bind);
  void Open(SyscallCall& call, int dirfd, uint64_t addr, uint64_t flags);
  void Rename(SyscallCall& call, int old_dirfd, uint64_t old_addr, int new_dirfd, uint64_t new_addr,
              uint64_t flags, bool link);
  void Grant(const std::string& path, uint64_t access);
  void Created(const std::string& path);
  void Removed(const std::string& path);
  // The calls File reads, other than open and rename.
  void Openat2(SyscallCall& call);
  void MakeAt(SyscallCall& call, int dirfd, uint64_t addr, uint64_t right);
  void RemoveAt(SyscallCall& call, int dirfd, uint64_t addr, bool dir);
  void ExecAt(SyscallCall& call, int dirfd, uint64_t addr, bool follow, bool empty_ok);
  void OnFd(SyscallCall& call, int fd, uint64_t right, bool device);
  void Truncate(SyscallCall& call);
  void Ioctl(SyscallCall& call);
  void BindUnix(SyscallCall& call);
};

// Argument `i` of `call` as the fd the kernel reads from it (an int).
int FdArg(const SyscallCall& call, int i) {
  return static_cast<int>(static_cast<int32_t>(call.arg(i)));
}

}  // namespace

// A path a call names, resolved in the caller's terms.
struct EffectsOf::Target {
  std::string path;  // absolute; "/proc" for every per-process path
  bool exists = false;
  bool deleted = false;  // an fd's file that was unlinked: path is where it was
  struct stat st = {};

  // `addr` (a string in the caller's memory) relative to `dirfd`; `follow`: a symlink in the
  // last component is followed. `empty_ok`: "" names dirfd itself (AT_EMPTY_PATH).
  static std::optional<Target> Of(SyscallCall& call, int dirfd, uint64_t addr, bool follow,
                                  bool empty_ok = false) {
    auto name = call.ReadString(addr, PATH_MAX);
    if (!name || (name->empty() && !empty_ok)) return std::nullopt;
    return Named(call.tid(), dirfd, *name, follow);
  }

  // The file an fd of the caller is open on.
  static std::optional<Target> OfFd(pid_t tid, int fd) { return Named(tid, fd, "", true); }

  static std::optional<Target> Named(pid_t tid, int dirfd, const std::string& name, bool follow,
                                     int depth = 0) {
    Target t;
    std::string joined = name;
    if (!name.starts_with('/')) {
      auto base = ReadLink(dirfd == kAtFdcwd ? fmt::format("/proc/{}/cwd", tid)
                                             : fmt::format("/proc/{}/fd/{}", tid, dirfd));
      if (!base || !base->starts_with('/')) return std::nullopt;
      if (base->ends_with(" (deleted)")) {
        if (!name.empty()) return std::nullopt;  // beneath a removed directory
        t.path = base->substr(0, base->size() - 10);
        t.deleted = true;
        t.st.st_mode = S_IFREG;
        return t;
      }
      joined = name.empty() ? *base : *base + "/" + name;
    }
    auto per_process = [&t] {
      t.path = "/proc";
      t.exists = true;
      t.st.st_mode = S_IFDIR;
      return t;
    };
    if (auto magic = MagicLinkTarget(tid, joined, &t.deleted)) {
      if (magic->empty() || depth > 0) return std::nullopt;
      if (t.deleted) {
        t.path = *magic;
        t.st.st_mode = S_IFREG;
        return t;
      }
      return Named(tid, kAtFdcwd, *magic, follow, depth + 1);
    }
    if (PerProcess(joined)) return per_process();
    // Symlinks resolved up to the last component; `follow` decides that one.
    while (joined.size() > 1 && joined.back() == '/') joined.pop_back();
    const size_t slash = joined.rfind('/');
    const std::string last = joined.substr(slash + 1);
    const bool special = last.empty() || last == "." || last == "..";
    bool dangling = false;
    if (follow || special) {
      if (auto real = RealPath(joined)) {
        t.path = *real;
      } else if (special) {
        return std::nullopt;
      } else {
        dangling = true;
      }
    }
    if (t.path.empty()) {  // not followed, or not there (yet)
      auto dir = RealPath(joined.substr(0, slash + 1));
      if (!dir) return std::nullopt;  // no such directory: the call fails with ENOENT
      t.path = (*dir == "/" ? "" : *dir) + "/" + last;
    }
    if (PerProcess(t.path)) return per_process();
    t.exists = lstat(t.path.c_str(), &t.st) == 0;
    // A symlink to what is not there yet: the call (O_CREAT) makes its target.
    if (dangling && t.exists && S_ISLNK(t.st.st_mode) && depth < 40) {
      auto target = ReadLink(t.path);
      if (!target) return std::nullopt;
      return Named(tid, kAtFdcwd,
                   target->starts_with('/') ? *target : ParentDirectory(t.path) + "/" + *target,
                   true, depth + 1);
    }
    if (follow && t.exists && S_ISLNK(t.st.st_mode)) t.exists = stat(t.path.c_str(), &t.st) == 0;
    return t;
  }
};

void EffectsOf::Grant(const std::string& path, uint64_t access) {
  out_.needs.push_back({path, access});
}
void EffectsOf::Created(const std::string& path) { out_.created.push_back(path); }
void EffectsOf::Removed(const std::string& path) { out_.removed.push_back(path); }

void EffectsOf::Exec(const std::string& path) {
  for (const std::string& file : ExecChain(path)) Grant(file, fa::kExecute | fa::kReadFile);
}

AccessEffects EffectsOf::Of(SyscallCall& call, bool fs, bool net) {
  EffectsOf e;
  std::string_view name = call.name();
  if (name.empty()) return {};
  if (net && (name == "bind" || name == "connect")) e.Port(call, name == "bind");
  if (fs) e.File(call, name);
  return std::move(e.out_);
}

void EffectsOf::Open(SyscallCall& call, int dirfd, uint64_t addr, uint64_t flags) {
  if (flags & O_PATH) return;  // no access to the file's contents: Landlock checks nothing
  // O_CREAT|O_EXCL follows no symlink: a name that is there, even a dangling symlink, is EEXIST.
  const bool exclusive = (flags & O_CREAT) && (flags & O_EXCL);
  auto name = call.ReadString(addr, PATH_MAX);
  if (!name || name->empty()) return;
  // A trailing slash asks for a directory, as O_DIRECTORY does.
  if (name->size() > 1 && name->back() == '/') flags |= O_DIRECTORY;
  auto t = Target::Named(call.tid(), dirfd, *name, !(flags & O_NOFOLLOW) && !exclusive);
  if (!t) return;
  if ((flags & O_TMPFILE) == O_TMPFILE) {  // an unnamed file in the directory
    Grant(t->path, fa::kMakeReg | OpenFileAccess(flags));
    return;
  }
  if (t->path == "/proc") {
    Grant(t->path, (OpenFileAccess(flags) & fa::kReadFile ? fa::kRead : 0) |
                       (OpenFileAccess(flags) & fa::kWriteFile));
    return;
  }
  if (t->deleted) {  // reopened through /proc/self/fd: the rights come from where it was
    Grant(t->path, OpenFileAccess(flags));
    Removed(t->path);
    return;
  }
  if (!t->exists) {
    if (!(flags & O_CREAT) || (flags & O_DIRECTORY))
      return;  // ENOENT, EISDIR, EINVAL: no file made
    Grant(ParentDirectory(t->path), fa::kMakeReg);
    Grant(t->path, OpenFileAccess(flags));
    Created(t->path);
    return;
  }
  // Calls the kernel fails before Landlock looks (EEXIST, ENOTDIR, EISDIR) need nothing.
  if (exclusive) return;
  if ((flags & O_DIRECTORY) && !S_ISDIR(t->st.st_mode)) return;
  if (S_ISDIR(t->st.st_mode)) {
    if ((flags & O_ACCMODE) == O_RDONLY && !(flags & (O_TRUNC | O_CREAT)))
      Grant(t->path, fa::kReadDir);
    return;
  }
  if (uint64_t access = OpenFileAccess(flags)) Grant(t->path, access);
}

void EffectsOf::Rename(SyscallCall& call, int old_dirfd, uint64_t old_addr, int new_dirfd,
                       uint64_t new_addr, uint64_t flags, bool link) {
  constexpr uint64_t kNoReplace = 1;  // RENAME_NOREPLACE
  // linkat follows a symlink given as the old path only with AT_SYMLINK_FOLLOW, and takes an
  // fd itself with AT_EMPTY_PATH.
  auto from = Target::Of(call, old_dirfd, old_addr, link && (flags & AT_SYMLINK_FOLLOW),
                         link && (flags & AT_EMPTY_PATH));
  auto to = Target::Of(call, new_dirfd, new_addr, false);
  if (!from || !to || from->path == "/proc" || to->path == "/proc") return;
  // An unlinked file given a name again (an O_TMPFILE file, through /proc/self/fd) is a file.
  if (!from->exists && !(link && from->deleted)) return;
  const bool exchange = !link && (flags & kRenameExchange);
  // Onto an existing name, link and a no-replace rename fail with EEXIST: nothing to grant.
  if (to->exists && (link || (flags & kNoReplace))) return;
  const std::string from_dir = ParentDirectory(from->path), to_dir = ParentDirectory(to->path);
  Grant(to_dir, MakeRight(from->st.st_mode));
  if (!link) {
    Grant(from_dir, RemoveRight(from->st.st_mode));
    if (to->exists) Grant(to_dir, RemoveRight(to->st.st_mode));
    if (to->exists && exchange) Grant(from_dir, MakeRight(to->st.st_mode));
    // What was at either name is somewhere else now (a rule on a path follows the file that
    // was there when the rules were made): both names are granted on their directories.
    Removed(from->path);
  }
  if (from_dir != to_dir) {  // a file moves between directories
    Grant(from_dir, fa::kRefer);
    Grant(to_dir, fa::kRefer);
    out_.moves.push_back({from_dir, to_dir, S_ISDIR(from->st.st_mode)});
    if (exchange && to->exists) out_.moves.push_back({to_dir, from_dir, S_ISDIR(to->st.st_mode)});
  }
  if (to->exists) {
    Removed(to->path);
  } else {
    Created(to->path);
  }
}

// openat2's flags are the first field of its struct open_how.
void EffectsOf::Openat2(SyscallCall& call) {
  if (call.arg(3) >= sizeof(uint64_t)) {
    if (auto how = call.Read(call.arg(2), sizeof(uint64_t))) {
      uint64_t flags;
      std::memcpy(&flags, how->data(), sizeof flags);
      Open(call, FdArg(call, 0), call.arg(1), flags);
    }
  }
}

// mkdir, symlink, mknod: a new name, needing `right` on its directory.
void EffectsOf::MakeAt(SyscallCall& call, int dirfd, uint64_t addr, uint64_t right) {
  auto t = Target::Of(call, dirfd, addr, false);
  if (!t || t->exists || t->path == "/proc") return;  // EEXIST
  Grant(ParentDirectory(t->path), right);
  Created(t->path);
}

// rmdir, unlink.
void EffectsOf::RemoveAt(SyscallCall& call, int dirfd, uint64_t addr, bool dir) {
  auto t = Target::Of(call, dirfd, addr, false);
  if (!t || !t->exists || t->path == "/proc") return;
  Grant(ParentDirectory(t->path), dir ? fa::kRemoveDir : fa::kRemoveFile);
  Removed(t->path);
}

void EffectsOf::ExecAt(SyscallCall& call, int dirfd, uint64_t addr, bool follow, bool empty_ok) {
  auto t = Target::Of(call, dirfd, addr, follow, empty_ok);
  if (t && t->exists && S_ISREG(t->st.st_mode)) Exec(t->path);  // else ENOENT, EACCES
}

// ftruncate, ioctl: `right` on the file (`device`: the device) that the caller's `fd` is open on.
void EffectsOf::OnFd(SyscallCall& call, int fd, uint64_t right, bool device) {
  if (InheritedFile(call, fd)) return;
  auto t = Target::OfFd(call.tid(), fd);
  if (!t || t->path == "/proc") return;
  if (t->deleted && !device) {  // an unlinked file: the rights come from where it was
    Grant(t->path, right);
    Removed(t->path);
    return;
  }
  bool is_device = S_ISCHR(t->st.st_mode) || S_ISBLK(t->st.st_mode);
  if (t->exists && (device ? is_device : S_ISREG(t->st.st_mode))) Grant(t->path, right);
}

void EffectsOf::Truncate(SyscallCall& call) {
  auto t = Target::Of(call, kAtFdcwd, call.arg(0), true);
  if (t && t->exists && t->path != "/proc") Grant(t->path, fa::kTruncate);
}

void EffectsOf::Ioctl(SyscallCall& call) {
  if (static_cast<uint32_t>(call.arg(1)) == TIOCGPTPEER) {  // opens the terminal's other end
    Grant("/dev/pts", OpenFileAccess(call.arg(2)) | fa::kIoctlDev);
  } else if (!IoctlAlwaysAllowed(call.arg(1))) {
    OnFd(call, FdArg(call, 0), fa::kIoctlDev, true);
  }
}

// A named Unix socket is a new file in its directory.
void EffectsOf::BindUnix(SyscallCall& call) {
  auto addr = call.Read(call.arg(1), std::min<uint64_t>(call.arg(2), sizeof(sockaddr_un)));
  if (!addr || addr->size() <= offsetof(sockaddr_un, sun_path) + 1) return;
  sa_family_t family;
  std::memcpy(&family, addr->data(), sizeof family);
  const char* path = reinterpret_cast<const char*>(addr->data()) + offsetof(sockaddr_un, sun_path);
  size_t len = strnlen(path, addr->size() - offsetof(sockaddr_un, sun_path));
  if (family != AF_UNIX || len == 0) return;  // abstract sockets are no file
  auto t = Target::Named(call.tid(), kAtFdcwd, std::string(path, len), false);
  if (t && !t->exists && t->path != "/proc") {
    Grant(ParentDirectory(t->path), fa::kMakeSock);
    Created(t->path);
  }
}

void EffectsOf::File(SyscallCall& call, std::string_view name) {
  auto op = FileOps().find(name);
  if (op == FileOps().end()) return;
  switch (op->second) {
    case Op::kOpen: Open(call, kAtFdcwd, call.arg(0), call.arg(1)); break;
    case Op::kCreat: Open(call, kAtFdcwd, call.arg(0), O_CREAT | O_WRONLY | O_TRUNC); break;
    case Op::kOpenat: Open(call, FdArg(call, 0), call.arg(1), call.arg(2)); break;
    case Op::kOpenat2: Openat2(call); break;
    case Op::kExecve: ExecAt(call, kAtFdcwd, call.arg(0), true, false); break;
    case Op::kExecveat:
      ExecAt(call, FdArg(call, 0), call.arg(1), !(call.arg(4) & AT_SYMLINK_NOFOLLOW),
             (call.arg(4) & AT_EMPTY_PATH) != 0);
      break;
    case Op::kMkdir: MakeAt(call, kAtFdcwd, call.arg(0), fa::kMakeDir); break;
    case Op::kMkdirat: MakeAt(call, FdArg(call, 0), call.arg(1), fa::kMakeDir); break;
    case Op::kSymlink: MakeAt(call, kAtFdcwd, call.arg(1), fa::kMakeSym); break;
    case Op::kSymlinkat: MakeAt(call, FdArg(call, 1), call.arg(2), fa::kMakeSym); break;
    case Op::kMknod:
      MakeAt(call, kAtFdcwd, call.arg(0), MakeRight(static_cast<mode_t>(call.arg(1))));
      break;
    case Op::kMknodat:
      MakeAt(call, FdArg(call, 0), call.arg(1), MakeRight(static_cast<mode_t>(call.arg(2))));
      break;
    case Op::kRmdir: RemoveAt(call, kAtFdcwd, call.arg(0), true); break;
    case Op::kUnlink: RemoveAt(call, kAtFdcwd, call.arg(0), false); break;
    case Op::kUnlinkat:
      RemoveAt(call, FdArg(call, 0), call.arg(1), (call.arg(2) & AT_REMOVEDIR) != 0);
      break;
    case Op::kRename: Rename(call, kAtFdcwd, call.arg(0), kAtFdcwd, call.arg(1), 0, false); break;
    case Op::kRenameat:
      Rename(call, FdArg(call, 0), call.arg(1), FdArg(call, 2), call.arg(3), 0, false);
      break;
    case Op::kRenameat2:
      Rename(call, FdArg(call, 0), call.arg(1), FdArg(call, 2), call.arg(3), call.arg(4), false);
      break;
    case Op::kLink: Rename(call, kAtFdcwd, call.arg(0), kAtFdcwd, call.arg(1), 0, true); break;
    case Op::kLinkat:
      Rename(call, FdArg(call, 0), call.arg(1), FdArg(call, 2), call.arg(3), call.arg(4), true);
      break;
    case Op::kTruncate: Truncate(call); break;
    case Op::kFtruncate: OnFd(call, FdArg(call, 0), fa::kTruncate, false); break;
    case Op::kIoctl: Ioctl(call); break;
    case Op::kBind: BindUnix(call); break;
  }
}

void EffectsOf::Port(SyscallCall& call, bool bind) {
  auto addr = call.Read(call.arg(1), std::min<uint64_t>(call.arg(2), sizeof(sockaddr_in6)));
  if (!addr || addr->size() < sizeof(sockaddr_in)) return;
  sa_family_t family;
  std::memcpy(&family, addr->data(), sizeof family);
  if (family != AF_INET && family != AF_INET6) return;
  const auto* bytes = reinterpret_cast<const unsigned char*>(addr->data());
  const uint16_t port = static_cast<uint16_t>(bytes[2] << 8 | bytes[3]);
  // Landlock's net rules are about TCP: a UDP socket's ports are not recorded. When the socket
  // cannot be looked at, the port is recorded (a rule too many rather than one too few).
  int pidfd = call.pidfd();
  if (pidfd >= 0) {
    int fd = static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, static_cast<int>(call.arg(0)), 0));
    if (fd >= 0) {
      int protocol = 0;
      socklen_t len = sizeof protocol;
      int r = getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len);
      close(fd);
      if (r == 0 && protocol != IPPROTO_TCP && protocol != IPPROTO_MPTCP) return;
    }
  }
  out_.port = AccessEffects::Port{bind ? net_access::kBindTcp : net_access::kConnectTcp, port};
}

std::optional<std::string> InheritedFilesUntold() {
  // Yama's ptrace_scope applies to another process, not to this one probing itself below.
  if (std::ifstream yama("/proc/sys/kernel/yama/ptrace_scope"); yama) {
    int scope = 0;
    if (yama >> scope && (scope >= 3 || (scope == 2 && geteuid() != 0)))
      return fmt::format("Yama's kernel.yama.ptrace_scope is {}", scope);
  }
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, getpid(), 0));
  if (pidfd < 0) return fmt::format("pidfd_open: {}", std::strerror(errno));
  const int copy = static_cast<int>(syscall(SYS_pidfd_getfd, pidfd, pidfd, 0));
  const int getfd_errno = errno;
  if (copy < 0) {
    close(pidfd);
    return fmt::format("pidfd_getfd: {}", std::strerror(getfd_errno));
  }
  const long same = syscall(SYS_kcmp, getpid(), getpid(), KCMP_FILE, pidfd, copy);
  const int kcmp_errno = errno;
  close(copy);
  close(pidfd);
  if (same != 0) return fmt::format("kcmp: {}", same < 0 ? std::strerror(kcmp_errno) : "differs");
  return std::nullopt;
}

void StandardFdReleased(int fd) {
  if (fd >= 0 && fd <= 2) released_standard_fds.fetch_or(1u << fd);
}

std::span<const std::string_view> AccessSyscalls() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> v;
    for (const auto& [name, op] : FileOps()) v.push_back(name);
    v.push_back("connect");
    std::ranges::sort(v);
    return v;
  }();
  return names;
}

AccessEffects AccessEffectsOf(SyscallCall& call, bool fs, bool net) {
  return EffectsOf::Of(call, fs, net);
}

AccessEffects ExecEffects(const std::string& path) {
  EffectsOf e;
  e.Exec(path);
  return std::move(e.out_);
}

std::string ParentDirectory(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

}  // namespace sysgate::supervise
