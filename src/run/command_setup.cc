#include "run/command_setup.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "base/files.h"
#include "run/exec_gate.h"
#include "sysgate/analysis.h"
#include "sysgate/arch.h"

extern char** environ;

namespace sysgate::run {

std::string FindProgram(const std::string& name, int* err) {
  *err = ENOENT;
  auto usable = [&](const std::string& path) {
    struct stat st;
    if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
    if (access(path.c_str(), X_OK) != 0) {
      *err = EACCES;
      return false;
    }
    return true;
  };
  if (name.find('/') != std::string::npos) {
    if (usable(name)) return name;
    if (*err == ENOENT && access(name.c_str(), F_OK) == 0) *err = EACCES;
    return {};
  }
  const char* path = getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    std::string dir = dirs.substr(start, end - start);
    std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (usable(candidate)) return candidate;
    start = end + 1;
  }
  return {};
}

SeccompData PreparedCommand::Exec() const {
  Arch host = HostArch();
  SeccompData d = SeccompData::For(host, SyscallNumber(host, "execve").value_or(-1));
  d.args[0] = reinterpret_cast<uintptr_t>(path.c_str());
  d.args[1] = reinterpret_cast<uintptr_t>(argv.data());
  d.args[2] = reinterpret_cast<uintptr_t>(envp.data());
  return d;
}

bool Supervised(const Filter& filter) { return filter.supervision() != Supervision::kNone; }

Error AtStage(Stage s, Error e) {
  e.stage = static_cast<int>(s);
  return e;
}

namespace {

// Every kept fd is open, and neither the Landlock ruleset's nor the supervisor's.
Result<void> CheckKeptFds(const Filter& filter, const Options& o) {
  // A kept fd that is not open would be taken by whatever the runner opens next (its own
  // pipe), and handed to the program.
  for (int fd : o.keep_fds) {
    if (fd < 0 || fcntl(fd, F_GETFD) < 0) {
      return SystemError(fmt::format("cannot keep fd {} for '{}': it is not open", fd, o.argv[0]),
                         EBADF);
    }
    if (fd == filter.landlock().fd()) {
      return SystemError(fmt::format("cannot keep fd {} for '{}': it was not open (sysgate's "
                                     "Landlock ruleset has its number)",
                                     fd, o.argv[0]),
                         EBADF);
    }
    if (std::ranges::find(o.supervisor_fds, fd) != o.supervisor_fds.end()) {
      return MakeError(
          ErrorCode::kInvalidArgument,
          fmt::format("fd {} is the supervisor's; it cannot be kept for '{}'", fd, o.argv[0]));
    }
  }
  return {};
}

// A program the fs rules do not let run is said now, not as execve's bare EACCES.
Result<void> CheckFsRulesLetRun(const Filter& filter, const Options& o, const std::string& path) {
  const kernel::LandlockRuleset& landlock = filter.landlock();
  if (landlock.handled_fs() & fs_access::kExecute) {
    const std::string real_path = base::RealPathOr(path);
    if (!(GrantedOnResolved(filter.policy().access, real_path).access & fs_access::kExecute)) {
      return AtStage(
          Stage::kLandlock,
          MakeError(ErrorCode::kInvalidArgument,
                    fmt::format("the policy's fs rules do not let '{}' run: {} needs `fs exec` "
                                "on it or on a directory above it{}",
                                o.argv[0], real_path,
                                filter.policy().access.paths.empty()
                                    ? " (`fs none` denies executing it too: grant exec on the "
                                      "program and read on its libraries instead)"
                                    : "")));
    }
  }
  return {};
}

// argv and envp as execve wants them: our environment (unless cleared) less the names o.env
// sets, then o.env.
void LayOutArgvAndEnv(const Options& o, PreparedCommand* out) {
  for (const std::string& a : o.argv) out->argv.push_back(const_cast<char*>(a.c_str()));
  out->argv.push_back(nullptr);
  if (!o.clear_env) {
    for (char** e = environ; *e; ++e) {
      std::string kv = *e;
      std::string name = kv.substr(0, kv.find('='));
      bool overridden = std::ranges::any_of(
          o.env, [&](const std::string& s) { return s.substr(0, s.find('=')) == name; });
      if (!overridden) out->env_storage.push_back(kv);
    }
  }
  for (const std::string& kv : o.env) out->env_storage.push_back(kv);
  for (std::string& kv : out->env_storage) out->envp.push_back(kv.data());
  out->envp.push_back(nullptr);
}

// The program to install, given the runner's exec of `cmd`: the filter's own, or the filter's
// behind the exec gate.
Result<bpf::Program> ProgramForOwnExec(const Filter& filter, const Options& o,
                                       const PreparedCommand& cmd) {
  const bpf::Program& program = filter.program();
  // The runner's exec of the program happens under the filter: the kernel must allow it, or
  // the supervisor must be asked (and then lets exactly that call through).
  auto r = analysis::Emulate(program, cmd.Exec());
  if (!r) return r.error();
  Action a = bpf::ActionOfRet(r->ret);
  if (a.kind() == ActionKind::kAllow || a.kind() == ActionKind::kLog ||
      (a.kind() == ActionKind::kNotify && Supervised(filter))) {
    return program;
  }
  if (!Supervised(filter)) {
    return MakeError(ErrorCode::kInvalidArgument,
                     fmt::format("the policy's verdict on execve is {}; starting '{}' is an execve "
                                 "under the filter, which must allow it without the supervisor "
                                 "(--no-report, or a kernel without user notification)",
                                 a.ToString(), o.argv[0]));
  }
  return WithExecGate(program, cmd.Exec());
}

}  // namespace

Result<void> PrepareCommand(const Filter& filter, const Options& o, PreparedCommand* out) {
  if (o.argv.empty()) return MakeError(ErrorCode::kInvalidArgument, "no program to run");
  const bpf::Program& program = filter.program();
  if (program.empty() || program.size() > bpf::kMaxInsns) {
    return MakeError(ErrorCode::kInvalidArgument, "no valid filter to install");
  }
  if (auto kept = CheckKeptFds(filter, o); !kept) return kept.error();
  int lookup_err = 0;
  out->path = FindProgram(o.argv[0], &lookup_err);
  if (out->path.empty()) {
    return AtStage(Stage::kExec,
                   SystemError(fmt::format("cannot run '{}'", o.argv[0]), lookup_err));
  }
  if (auto runs = CheckFsRulesLetRun(filter, o, out->path); !runs) return runs.error();
  LayOutArgvAndEnv(o, out);
  auto installed = ProgramForOwnExec(filter, o, *out);
  if (!installed) return installed.error();
  out->program = std::move(*installed);
  return {};
}

std::string ExecFailureHint(const Filter& filter, Stage stage, int err) {
  if (stage != Stage::kExec || err != EACCES ||
      !(filter.landlock().handled_fs() & fs_access::kExecute)) {
    return "";
  }
  return " (the policy's fs rules may deny what the program needs to start: `fs exec` on its "
         "interpreter, such as /lib64/ld-linux-x86-64.so.2 or /usr/bin/python3, `fs read` on "
         "its libraries)";
}

int CloseFrom(int from, const std::vector<int>& keep) {
  int lo = from;
  auto close_range = [](unsigned a, unsigned b) -> int {
    if (a > b) return 0;
    if (syscall(SYS_close_range, a, b, 0) == 0) return 0;
    if (errno != ENOSYS) return -1;
    long max = sysconf(_SC_OPEN_MAX);
    for (long fd = a; fd <= static_cast<long>(b) && fd < max; ++fd) close(static_cast<int>(fd));
    return 0;
  };
  for (int k : keep) {
    if (k < lo) continue;
    if (close_range(static_cast<unsigned>(lo), static_cast<unsigned>(k - 1)) != 0) return -1;
    lo = k + 1;
  }
  return close_range(static_cast<unsigned>(lo), ~0U);
}

void KeepAcrossExec(const std::vector<int>& fds) {
  for (int fd : fds) {
    int fl = fcntl(fd, F_GETFD);
    if (fl >= 0) fcntl(fd, F_SETFD, fl & ~FD_CLOEXEC);
  }
}

int DropCapabilities() {
  for (int cap = 0; cap <= CAP_LAST_CAP; ++cap) {
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL && errno != EPERM) return -1;
  }
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capset, &hdr, data) != 0) return -1;
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) return -1;
  return 0;
}

int DropCapability(int cap) {
  if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EPERM && errno != EINVAL) return -1;
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_LOWER, cap, 0, 0) != 0 && errno != EINVAL) return -1;
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[2] = {};
  if (syscall(SYS_capget, &hdr, data) != 0) return -1;
  const unsigned word = static_cast<unsigned>(cap) / 32, bit = 1U << (cap % 32);
  data[word].effective &= ~bit;
  data[word].permitted &= ~bit;
  data[word].inheritable &= ~bit;
  if (syscall(SYS_capset, &hdr, data) != 0) return -1;
  if (syscall(SYS_capget, &hdr, data) != 0 || (data[word].permitted & bit)) return -1;
  return 0;
}

}  // namespace sysgate::run
