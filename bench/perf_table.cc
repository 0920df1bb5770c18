// The performance table of docs/performance.md: sysgate against libseccomp 2.5 (runc's linear
// filter and its binary tree) on Docker's default profile for an unprivileged x86_64 container
// (x86_64 + x32 + i386 in one filter), all measured in one run on this machine.
//
//   perf_table [--quick]
//
// Static metrics come from the emulator (every x86_64 syscall number, arguments zero); install
// and per-syscall times from the kernel, each filter installed in a fresh child, rounds
// interleaved across filters, medians reported.
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "support/runc_oracle.h"
#include "sysgate/analysis.h"
#include "sysgate/compiler.h"
#include "sysgate/formats.h"

namespace {

using namespace sysgate;
using Clock = std::chrono::steady_clock;

double Median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::ranges::sort(v);
  return v[v.size() / 2];
}

// Runs `fn` in a child and returns the double it writes back (NaN on failure).
double InChild(const std::function<double()>& fn) {
  int fds[2];
  if (pipe(fds) != 0) return double(NAN);
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    double v = fn();
    (void)!write(fds[1], &v, sizeof v);
    _exit(0);
  }
  close(fds[1]);
  double v = NAN;
  if (read(fds[0], &v, sizeof v) != sizeof v) v = NAN;
  close(fds[0]);
  waitpid(pid, nullptr, 0);
  return v;
}

int Install(const bpf::Program* p) {
  if (!p) return 0;
  sock_fprog fp{static_cast<unsigned short>(p->size()),
                reinterpret_cast<sock_filter*>(const_cast<bpf::Insn*>(p->data()))};
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  return static_cast<int>(syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fp));
}

// Microseconds for seccomp(2) to install the filter.
double InstallMicros(const bpf::Program* p) {
  return InChild([&]() -> double {
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    auto t0 = Clock::now();
    if (Install(p) != 0) return double(NAN);
    return std::chrono::duration<double, std::micro>(Clock::now() - t0).count();
  });
}

// Nanoseconds per call of `fn` (the median of a few batches) under the filter.
double CallNanos(const bpf::Program* p, long (*fn)(), int calls) {
  return InChild([&]() -> double {
    if (Install(p) != 0) return double(NAN);
    std::vector<double> batches;
    for (int b = 0; b < 5; ++b) {
      auto t0 = Clock::now();
      for (int i = 0; i < calls; ++i) fn();
      batches.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count() /
                        calls);
    }
    return Median(batches);
  });
}

long CallGetppid() { return syscall(SYS_getppid); }
long CallPersonality() {
  return syscall(SYS_personality, 0xffffffffUL);
}  // queries; allowed by argument

// Milliseconds to fork, exec `argv` and reap it (stdout/stderr to /dev/null); with bpf_fd >= 0
// that fd is passed as 9 (bwrap --seccomp 9).
double RunMillis(const std::vector<std::string>& argv, int bpf_fd = -1) {
  auto t0 = Clock::now();
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    if (bpf_fd >= 0) {
      lseek(bpf_fd, 0, SEEK_SET);
      dup2(bpf_fd, 9);
    }
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return NAN;
  return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

struct Filter {
  std::string name;
  bpf::Program prog;
  analysis::ProgramStats stats;
  double build_ms = 0;
};

template <typename F>
double MillisOf(F&& f, int runs) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    auto t0 = Clock::now();
    f();
    t.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  return Median(t);
}

std::string Ratio(double ours, double theirs) {
  if (theirs == 0 || std::isnan(ours) || std::isnan(theirs)) return "-";
  return fmt::format("{:.2f}", ours / theirs);
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::string sysgate_bin;  // for the `sysgate run -- true` row
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--quick")
      quick = true;
    else if (a.starts_with("--sysgate="))
      sysgate_bin = std::string(a.substr(10));
  }
  std::filesystem::path profile =
      std::filesystem::path(SYSGATE_SHARED_DATA) / "profiles" / "moby-profiles-default.json";
  std::ifstream in(profile);
  if (!in) {
    std::printf("perf_table: %s is absent; the comparison needs Docker's profile\n",
                profile.c_str());
    return 0;
  }
  std::stringstream text;
  text << in.rdbuf();

  // sysgate: import (as Docker resolves it for an unprivileged amd64 container), compile, verify.
  formats::ImportOptions io;
  io.arch = Arch::kX86_64;
  io.kernel = std::pair(6, 1);
  formats::Imported imported = formats::ImportOci(text.str(), io);
  if (!imported.policy) {
    std::printf("perf_table: Docker's profile does not import\n");
    return 1;
  }
  Policy policy = *imported.policy;
  std::vector<Filter> filters(3);
  filters[0].name = "sysgate";
  filters[0].prog = *Compile(policy);
  int runs = quick ? 5 : 30;
  filters[0].build_ms = MillisOf(
      [&] {
        if (!Compile(policy)) std::abort();  // verified
      },
      runs);
  double compile_only_ms = MillisOf([&] { (void)Compile(policy, {.verify = false}); }, runs);

  // libseccomp as runc builds it, linear (runc's default) and as a binary tree.
  nlohmann::json resolved = testing::ResolveDockerProfile(nlohmann::json::parse(text.str()),
                                                          {Arch::kX86_64, "amd64", {}});
  const char* names[] = {"libseccomp linear", "libseccomp tree"};
  for (int i = 0; i < 2; ++i) {
    bool slow = false;
    auto lib = testing::RuncFilter(resolved, Arch::kX86_64, i + 1, &slow, std::chrono::seconds(30));
    if (!lib) {
      std::printf("perf_table: libseccomp failed\n");
      return 1;
    }
    filters[static_cast<size_t>(i) + 1].name = names[i];
    filters[static_cast<size_t>(i) + 1].prog = *lib;
    int devnull = open("/dev/null", O_WRONLY);
    filters[static_cast<size_t>(i) + 1].build_ms =
        MillisOf([&] { testing::RuncFilterToFd(resolved, Arch::kX86_64, i + 1, devnull); }, runs);
    close(devnull);
  }
  for (Filter& f : filters) f.stats = analysis::ComputeStats(f.prog, Arch::kX86_64);

  // Kernel timings, rounds interleaved so that drift hits every filter alike.
  int rounds = quick ? 5 : 25;
  int calls = quick ? 20000 : 50000;
  std::vector<std::vector<double>> install(4), cached(4), byarg(4);
  for (int r = 0; r < rounds; ++r) {
    for (size_t f = 0; f < 4; ++f) {
      const bpf::Program* p = f == 3 ? nullptr : &filters[f].prog;
      if (p) install[f].push_back(InstallMicros(p));
      cached[f].push_back(CallNanos(p, CallGetppid, calls));
      byarg[f].push_back(CallNanos(p, CallPersonality, calls));
    }
  }
  double none_cached = Median(cached[3]), none_arg = Median(byarg[3]);

  const Filter& s = filters[0];
  const Filter& lin = filters[1];
  const Filter& tree = filters[2];
  auto row = [&](const std::string& metric, double a, double b, double c,
                 const char* f = "{:.1f}") {
    std::printf("%-46s %12s %12s %12s %8s %8s\n", metric.c_str(),
                fmt::format(fmt::runtime(f), a).c_str(), fmt::format(fmt::runtime(f), b).c_str(),
                fmt::format(fmt::runtime(f), c).c_str(), Ratio(a, b).c_str(), Ratio(a, c).c_str());
  };
  std::printf(
      "Docker's default profile, unprivileged x86_64 container, one filter for x86_64 + x32 + "
      "i386\n");
  std::printf("%-46s %12s %12s %12s %8s %8s\n", "metric", "sysgate", "lib linear", "lib tree",
              "/linear", "/tree");
  row("length (instructions)", double(s.prog.size()), double(lin.prog.size()),
      double(tree.prog.size()), "{:.0f}");
  row("mean instructions per x86_64 syscall", s.stats.mean, lin.stats.mean, tree.stats.mean);
  row("max instructions per x86_64 syscall", s.stats.max, lin.stats.max, tree.stats.max, "{:.0f}");
  row("x86_64 syscalls the kernel cache allows", double(s.stats.cacheable),
      double(lin.stats.cacheable), double(tree.stats.cacheable), "{:.0f}");
  row("install, seccomp(2) (us)", Median(install[0]), Median(install[1]), Median(install[2]));
  // Absolute times per call: the differences between filters are tens of nanoseconds on a
  // microsecond syscall, so ratios of differences would be noise.
  row("getppid, cached allow (ns per call)", Median(cached[0]), Median(cached[1]),
      Median(cached[2]), "{:.0f}");
  row("personality(0xffffffff), filter runs (ns/call)", Median(byarg[0]), Median(byarg[1]),
      Median(byarg[2]), "{:.0f}");
  row("build (ms): sysgate compile + verify; libseccomp", s.build_ms, lin.build_ms, tree.build_ms,
      "{:.2f}");
  std::printf("%-46s %12.2f\n", "sysgate compile alone (ms)", compile_only_ms);
  std::printf("no filter: getppid %.0f ns, personality %.0f ns per call\n", none_cached, none_arg);

  // Starting a program: `true`; `timeout 9 true`, the floor of any runner that stays as the
  // program's parent (one more fork, exec and wait); `sysgate run -- true` with the built-in
  // default profile, with and without its blocked-call supervisor, waiting for the program or
  // becoming it (--exec); and bwrap --seccomp with sysgate's filter of the same profile.
  // Interleaved, so that the machine's drift hits all.
  if (!sysgate_bin.empty()) {
    std::string bpf_path = fmt::format("/tmp/sysgate-bench-{}.bpf", getpid());
    int fd = -1;
    if (access("/usr/bin/bwrap", X_OK) == 0) {
      std::system(fmt::format("{} run --profile default --print > {}.sgp && {} compile -q --arch "
                              "x86_64 {}.sgp -o {}",
                              sysgate_bin, bpf_path, sysgate_bin, bpf_path, bpf_path)
                      .c_str());
      fd = open(bpf_path.c_str(), O_RDONLY);
    }
    struct Starter {
      std::string label;
      std::vector<std::string> argv;
      bool bpf = false;
      std::vector<double> ms;
    };
    std::vector<Starter> starters = {
        {"true", {"/bin/true"}},
        {"timeout true", {"timeout", "9", "/bin/true"}},
        {"sysgate run", {sysgate_bin, "run", "--", "/bin/true"}},
        {"--no-report", {sysgate_bin, "run", "--no-report", "--", "/bin/true"}},
        {"--exec", {sysgate_bin, "run", "--exec", "--", "/bin/true"}},
        {"--exec --no-rep", {sysgate_bin, "run", "--exec", "--no-report", "--", "/bin/true"}},
    };
    if (fd >= 0) {
      starters.push_back(
          {"bwrap",
           {"bwrap", "--ro-bind", "/", "/", "--dev", "/dev", "--seccomp", "9", "--", "/bin/true"},
           true});
    }
    int n = quick ? 10 : 100;
    for (int i = 0; i < n; ++i) {
      for (Starter& st : starters) st.ms.push_back(RunMillis(st.argv, st.bpf ? fd : -1));
    }
    if (fd >= 0) close(fd);
    std::remove(bpf_path.c_str());
    std::remove((bpf_path + ".sgp").c_str());
    std::printf("\n%-34s", "starting /bin/true (ms, median)");
    for (const Starter& st : starters) std::printf(" %16s", st.label.c_str());
    std::printf("\n%-34s", "");
    for (const Starter& st : starters) std::printf(" %16.2f", Median(st.ms));
    const double t_true = Median(starters[0].ms), t_floor = Median(starters[1].ms);
    std::printf("\n%-34s", "over true");
    for (const Starter& st : starters) std::printf(" %16.2f", Median(st.ms) - t_true);
    std::printf("\n%-34s", "over the fork+exec+wait floor");
    for (const Starter& st : starters) std::printf(" %16.2f", Median(st.ms) - t_floor);
    std::printf("\n");
  }
  return 0;
}
