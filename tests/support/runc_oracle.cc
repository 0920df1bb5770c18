// libseccomp as runc uses it, for the tests and benchmarks (never linked into libsysgate).
#include "support/runc_oracle.h"

#include <errno.h>
#include <poll.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <set>

namespace sysgate::testing {

using json = nlohmann::json;

uint32_t ScmpArch(const std::string& name) {
  static const std::pair<const char*, uint32_t> kArches[] = {
      {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
      {"SCMP_ARCH_X86", SCMP_ARCH_X86},
      {"SCMP_ARCH_X32", SCMP_ARCH_X32},
      {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
      {"SCMP_ARCH_ARM", SCMP_ARCH_ARM}};
  for (auto [n, v] : kArches) {
    if (name == n) return v;
  }
  return 0;
}

uint32_t ScmpAction(const std::string& a, uint32_t err) {
  if (a == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (a == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(err);
  if (a == "SCMP_ACT_KILL" || a == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (a == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (a == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (a == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(err);
  if (a == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  if (a == "SCMP_ACT_NOTIFY") return SCMP_ACT_NOTIFY;
  return SCMP_ACT_KILL_PROCESS;
}

uint32_t OciErrno(const json& j, const char* num, const char* name, uint32_t dflt) {
  if (j.contains(num) && j[num].is_number()) return j[num].get<uint32_t>();
  if (j.contains(name) && j[name].is_string()) {
    std::string e = j[name];
    if (e == "EPERM") return EPERM;
    if (e == "ENOSYS") return ENOSYS;
    if (e == "EINVAL") return EINVAL;
  }
  return dflt;
}

// moby's resolution of archMap and includes/excludes for one target.
json ResolveDockerProfile(json p, const DockerTarget& t) {
  std::string native(Info(t.native).scmp_name);
  if (p.contains("archMap")) {
    json arches = json::array();
    for (const json& m : p["archMap"]) {
      if (m["architecture"] != native) continue;
      arches.push_back(m["architecture"]);
      for (const json& s : m["subArchitectures"]) arches.push_back(s);
    }
    p["architectures"] = arches;
    p.erase("archMap");
  }
  auto has = [](const json& list, const std::string& x) {
    for (const json& e : list) {
      if (e == x) return true;
    }
    return false;
  };
  json kept = json::array();
  for (const json& r : p["syscalls"]) {
    if (r.contains("excludes")) {
      const json& e = r["excludes"];
      if (e.contains("arches") && has(e["arches"], t.goarch)) continue;
      bool cap = false;
      if (e.contains("caps")) {
        for (const std::string& c : t.caps) cap |= has(e["caps"], c);
      }
      if (cap) continue;
      if (e.contains("minKernel") && e["minKernel"].is_string())
        continue;  // 6.1 >= any minKernel here
    }
    if (r.contains("includes")) {
      const json& i = r["includes"];
      if (i.contains("arches") && !i["arches"].empty() && !has(i["arches"], t.goarch)) continue;
      bool all = true;
      if (i.contains("caps")) {
        for (const json& c : i["caps"])
          all &= std::ranges::find(t.caps, c.get<std::string>()) != t.caps.end();
      }
      if (!all) continue;
    }
    kept.push_back(r);
  }
  p["syscalls"] = kept;
  return p;
}

namespace {

// The filter runc builds from a resolved profile, exported to out_fd.
bool BuildRuncFilter(const json& p, Arch native, int optimize, int out_fd) {
  uint32_t derr = OciErrno(p, "defaultErrnoRet", "defaultErrno", EPERM);
  uint32_t def = ScmpAction(p["defaultAction"], derr);
  scmp_filter_ctx ctx = seccomp_init(def);
  if (!ctx) return false;
  seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (optimize > 1) seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, optimize);
  uint32_t want_native = ScmpArch(std::string(Info(native).scmp_name));
  for (const json& a : p["architectures"]) {
    uint32_t x = ScmpArch(a);
    if (x && seccomp_arch_exist(ctx, x) == -EEXIST) seccomp_arch_add(ctx, x);
  }
  if (want_native != SCMP_ARCH_X86_64) {  // building another arch's filter on this host
    if (seccomp_arch_exist(ctx, want_native) == -EEXIST) seccomp_arch_add(ctx, want_native);
    seccomp_arch_remove(ctx, SCMP_ARCH_NATIVE);
  }
  for (const json& r : p["syscalls"]) {
    uint32_t act = ScmpAction(r["action"], OciErrno(r, "errnoRet", "errno", EPERM));
    if (act == def) continue;
    std::vector<scmp_arg_cmp> args;
    std::set<unsigned> idx;
    bool repeated = false;
    if (r.contains("args") && r["args"].is_array()) {
      for (const json& a : r["args"]) {
        static const std::pair<const char*, scmp_compare> kOps[] = {
            {"SCMP_CMP_NE", SCMP_CMP_NE},
            {"SCMP_CMP_LT", SCMP_CMP_LT},
            {"SCMP_CMP_LE", SCMP_CMP_LE},
            {"SCMP_CMP_EQ", SCMP_CMP_EQ},
            {"SCMP_CMP_GE", SCMP_CMP_GE},
            {"SCMP_CMP_GT", SCMP_CMP_GT},
            {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ}};
        scmp_compare op = SCMP_CMP_EQ;
        for (auto [n, o] : kOps) {
          if (a["op"] == n) op = o;
        }
        unsigned i = a["index"];
        repeated |= !idx.insert(i).second;
        uint64_t v2 = a.contains("valueTwo") ? a["valueTwo"].get<uint64_t>() : 0;
        args.push_back(SCMP_CMP64(i, op, a["value"].get<uint64_t>(), v2));
      }
    }
    for (const json& n : r["names"]) {
      int nr = seccomp_syscall_resolve_name(n.get<std::string>().c_str());
      if (nr == __NR_SCMP_ERROR) continue;  // runc: unknown to libseccomp, skipped
      int rc = 0;
      if (args.empty()) {
        rc = seccomp_rule_add(ctx, act, nr, 0);
      } else if (repeated) {
        for (const scmp_arg_cmp& a : args) rc |= seccomp_rule_add_array(ctx, act, nr, 1, &a);
      } else {
        rc = seccomp_rule_add_array(ctx, act, nr, static_cast<unsigned>(args.size()), args.data());
      }
      if (rc != 0 && getenv("SYSGATE_TEST_DEBUG")) {
        fprintf(stderr, "libseccomp refused a rule for %s: %s\n", n.get<std::string>().c_str(),
                strerror(-rc));
      }
    }
  }
  int rc = seccomp_export_bpf(ctx, out_fd);
  if (rc != 0 && getenv("SYSGATE_TEST_DEBUG")) fprintf(stderr, "export: %s\n", strerror(-rc));
  seccomp_release(ctx);
  return rc == 0;
}

}  // namespace

bool RuncFilterToFd(const json& p, Arch native, int optimize, int out_fd) {
  return BuildRuncFilter(p, native, optimize, out_fd);
}

std::optional<bpf::Program> RuncFilter(const json& p, Arch native, int optimize, bool* slow,
                                       std::chrono::milliseconds limit) {
  *slow = false;
  int fds[2];
  if (pipe(fds) != 0) return std::nullopt;
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    _exit(BuildRuncFilter(p, native, optimize, fds[1]) ? 0 : 1);
  }
  close(fds[1]);
  std::string bytes;
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    pollfd pfd{fds[0], POLLIN, 0};
    if (left <= 0 || poll(&pfd, 1, static_cast<int>(left)) == 0) {
      *slow = true;
      kill(pid, SIGKILL);
      break;
    }
    char buf[4096];
    ssize_t n = read(fds[0], buf, sizeof buf);
    if (n <= 0) break;
    bytes.append(buf, static_cast<size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  if (*slow || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
  auto prog = bpf::DecodeRaw(bytes);
  if (!prog) return std::nullopt;
  return *prog;
}

}  // namespace sysgate::testing
