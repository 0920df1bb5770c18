// What one call asks of files and TCP ports, in Landlock's terms: the path it names (read from
// the caller's memory, made absolute against its cwd or dirfd, symlinks and magic links resolved
// as the kernel resolves them for that call) with the rights the kernel will check there, what it
// makes, removes and moves, and the port of a TCP bind or connect. `sysgate learn --fs --net`
// records it; `sysgate run --audit` checks it against a policy's fs and net rules.
//
// Reading, never deciding: the call runs (or not) after this looked at it, so what it read may
// have changed since (THREATS row 26). The kernel enforces the rules; this only reports.
#pragma once

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sysgate/supervisor.h"

namespace sysgate::supervise {

struct AccessEffects {
  struct Need {
    std::string path;     // absolute; "/proc" for every per-process path
    uint64_t access = 0;  // fs_access bits the kernel checks there
  };
  std::vector<Need> needs;
  std::vector<std::string> created;  // names the call makes (not there before it)
  std::vector<std::string> removed;  // names whose file it removes, moves away or replaces
  struct Move {
    std::string from, to;  // directories a file or directory moves between
    bool dir = false;
  };
  std::vector<Move> moves;
  struct Port {
    uint64_t access = 0;  // net_access::kBindTcp or kConnectTcp
    uint16_t port = 0;
  };
  std::optional<Port> port;  // a TCP bind or connect (a socket that cannot be looked at counts)
};

// The directory an absolute path is in ("/" for "/" and "/x").
std::string ParentDirectory(const std::string& path);

// The syscalls AccessEffectsOf reads (names; each on the ABIs that have it).
std::span<const std::string_view> AccessSyscalls();

// What `call` asks of files (with `fs`) and ports (with `net`); nothing for other calls.
// An ioctl or truncate of a file the program started with asks nothing (Landlock checks the
// rights a file was opened with): one that is the same open file as this process's stdin,
// stdout or stderr, which the program inherited.
AccessEffects AccessEffectsOf(SyscallCall& call, bool fs, bool net);
// Why this process cannot tell a program's files apart as AccessEffectsOf does (pidfd_getfd
// or kcmp refused: a container's seccomp profile without CAP_SYS_PTRACE, as Docker's; Yama's
// ptrace_scope 3, or 2 without root); nothing when it can, as far as probing itself tells.
// Then every ioctl and truncate is taken for one of a file the program opened.
std::optional<std::string> InheritedFilesUntold();
// This process has let go of its standard fd `fd` (run --exec's supervisor keeps only
// stderr): the program's fd of that number is then taken for the file it started with.
void StandardFdReleased(int fd);
// An exec of `path` (absolute, resolved) that the recorder did not see: the file and the
// interpreters the kernel opens for it, each needing exec and read-file.
AccessEffects ExecEffects(const std::string& path);

}  // namespace sysgate::supervise
