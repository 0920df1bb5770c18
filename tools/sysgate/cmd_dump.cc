// sysgate dump: the seccomp filters of a running process, or those a command installs.
//   sysgate dump 1234                   # every filter of process 1234's stack (needs root)
//   sysgate dump -- ./program args      # each filter ./program installs; then it is killed
//   sysgate dump --continue -- ./prog   # ... and it goes on running
//   sysgate dump 1234 -f raw -o f.bpf   # f.bpf, or f.bpf.1, f.bpf.2, ... for a stack
#include <sys/wait.h>

#include <cerrno>
#include <iostream>

#include <cstring>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bpf_io.h"
#include "cli_util.h"
#include "commands.h"
#include "sysgate/filter_dump.h"
#include "sysgate/kernel.h"

namespace sysgate::cli {
namespace {

struct Options {
  std::vector<std::string> target;  // PID, or -- COMMAND ARGS
  std::string format = "disasm";
  std::string output = "-";
  std::string arch;
  size_t limit = 1;
  bool keep_running = false;
  bool json = false;
};

// One filter to print: its program and what is known about it.
struct Dumped {
  bpf::Program program;
  std::optional<Arch> abi;  // for syscall names in listings
  std::string about;        // the header line of listings
  nlohmann::ordered_json json;
};

std::optional<pid_t> AsPid(const std::vector<std::string>& target) {
  if (target.size() != 1 || target[0].empty() || target[0].size() > 9) return std::nullopt;
  if (target[0].find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  return static_cast<pid_t>(std::stol(target[0]));
}

nlohmann::json ProgramJson(const bpf::Program& p) {
  nlohmann::json out = nlohmann::json::array();
  for (const bpf::Insn& i : p) out.push_back({i.code, i.jt, i.jf, i.k});
  return out;
}

std::string ErrnoText(int err) {
  auto name = ErrnoName(err);
  return name ? std::string(*name) : std::to_string(err);
}

// Listings (disasm, c) go to one output with a header per filter; the machine formats (raw,
// hex, asm) hold one program each: a file per filter.
int Print(const Options& o, const std::vector<Dumped>& filters, nlohmann::ordered_json json) {
  if (o.json) {
    for (const Dumped& d : filters) json["filters"].push_back(d.json);
    if (filters.empty()) json["filters"] = nlohmann::json::array();
    std::string text = json.dump(2) + "\n";
    if (auto w = WriteOutput(o.output, text); !w) {
      PrintError(w.error().ToString());
      return kExitInvalid;
    }
    return kExitOk;
  }
  auto format = ParseBpfFormat(o.format);
  if (!format) {
    PrintError(format.error().message);
    return kExitUsage;
  }
  std::optional<Arch> forced;
  if (!o.arch.empty()) forced = ParseArchOption(o.arch);
  const bool listing = *format == BpfFormat::kDisasm || *format == BpfFormat::kC;
  if (!listing && filters.size() > 1 && (o.output.empty() || o.output == "-")) {
    PrintError(
        fmt::format("{} filters: give -o FILE to write them to FILE.1 ... FILE.{} (or -f disasm)",
                    filters.size(), filters.size()));
    return kExitUsage;
  }
  std::string text;
  for (size_t i = 0; i < filters.size(); ++i) {
    const Dumped& d = filters[i];
    std::optional<Arch> arch = forced ? forced : d.abi;
    if (listing) {
      if (*format == BpfFormat::kC) {
        text += fmt::format("/* {} */\n{}", d.about,
                            bpf::EncodeC(d.program, fmt::format("filter_{}", i + 1)));
      } else {
        text +=
            fmt::format("{}# {}\n{}", i ? "\n" : "", d.about, RenderBpf(d.program, *format, arch));
      }
      continue;
    }
    std::string path = filters.size() > 1 ? fmt::format("{}.{}", o.output, i + 1) : o.output;
    if (auto w = WriteOutput(path, RenderBpf(d.program, *format, arch)); !w) {
      PrintError(w.error().ToString());
      return kExitInvalid;
    }
  }
  if (listing) {
    if (auto w = WriteOutput(o.output, text); !w) {
      PrintError(w.error().ToString());
      return kExitInvalid;
    }
  }
  return kExitOk;
}

int DumpProcess(const Options& o, pid_t pid) {
  auto r = kernel::ReadFilters(pid);
  if (!r) {
    PrintError(r.error().ToString());
    return kExitInvalid;
  }
  nlohmann::ordered_json json;
  json["pid"] = pid;
  json["mode"] = r->mode == 0 ? "disabled" : r->mode == 1 ? "strict" : "filter";
  if (r->mode != 2 && !o.json) {
    PrintError(r->mode == 1 ? fmt::format("{} is in seccomp strict mode: it has no filter (only "
                                          "read, write, _exit, sigreturn)",
                                          pid)
                            : fmt::format("{} has no seccomp filter", pid));
    return kExitInvalid;
  }
  std::vector<Dumped> filters;
  const size_t n = r->filters.size();
  for (size_t i = 0; i < n; ++i) {
    const kernel::InstalledFilter& f = r->filters[i];
    Dumped d;
    d.program = f.program;
    d.about = fmt::format("filter {} of {} ({}), {} instructions{}", i + 1, n,
                          i + 1 == n ? "newest, runs first"
                          : i == 0   ? "oldest"
                                     : "installed before the next",
                          f.program.size(), f.log ? ", flags LOG" : "");
    d.json["index"] = i + 1;
    d.json["instructions"] = f.program.size();
    d.json["flags"] = f.log ? std::vector<std::string>{"LOG"} : std::vector<std::string>{};
    d.json["program"] = ProgramJson(f.program);
    filters.push_back(std::move(d));
  }
  int rc = Print(o, filters, std::move(json));
  if (rc == kExitOk && r->mode != 2) rc = kExitInvalid;
  return rc;
}

std::string Describe(const kernel::CapturedFilter& f) {
  std::vector<std::string> flags = kernel::FilterFlagNames(f.flags);
  std::string call =
      f.via_prctl ? "prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER)"
                  : fmt::format("seccomp(SECCOMP_SET_MODE_FILTER, {})",
                                flags.empty() ? "0" : fmt::format("{}", fmt::join(flags, "|")));
  std::string outcome =
      f.installed()     ? "installed"
      : f.unsynced != 0 ? fmt::format("refused: thread {} could not take it (TSYNC)", f.unsynced)
                        : "refused: " + ErrnoText(f.error);
  std::string size =
      f.read_error != 0 ? "its program not read" : fmt::format("{} instructions", f.program.size());
  return fmt::format("{} by thread {} ({}), {}: {}", call, f.tid,
                     f.abi ? Info(*f.abi).name : "unknown ABI", size, outcome);
}

int DumpCommand(const Options& o) {
  auto r = kernel::CaptureFilters(o.target, {.limit = o.limit, .keep_running = o.keep_running});
  if (!r) {
    PrintError(r.error().ToString());
    return kExitInvalid;
  }
  std::vector<Dumped> filters;
  for (size_t i = 0; i < r->filters.size(); ++i) {
    const kernel::CapturedFilter& f = r->filters[i];
    Dumped d;
    d.program = f.program;
    d.abi = f.abi;
    d.about = fmt::format("filter {}: {}", i + 1, Describe(f));
    d.json["index"] = i + 1;
    d.json["tid"] = f.tid;
    d.json["abi"] = f.abi ? std::string(Info(*f.abi).name) : "unknown";
    d.json["syscall"] = f.via_prctl ? "prctl" : "seccomp";
    d.json["flags"] = kernel::FilterFlagNames(f.flags);
    d.json["installed"] = f.installed();
    if (f.error != 0) d.json["errno"] = ErrnoText(f.error);
    if (f.read_error != 0) d.json["read_errno"] = ErrnoText(f.read_error);
    if (f.unsynced != 0) d.json["unsynced_tid"] = f.unsynced;
    d.json["instructions"] = f.program.size();
    d.json["program"] = ProgramJson(f.program);
    filters.push_back(std::move(d));
  }
  nlohmann::ordered_json json;
  json["command"] = o.target;
  json["ended"] = r->running ? "running" : r->killed ? "killed" : "exited";
  if (!r->running && !r->killed) json["wait_status"] = r->wait_status;
  if (r->killed) {
    PrintError(fmt::format("killed {} after {} filter{} (--limit {}; --continue lets it run on)",
                           o.target[0], filters.size(), filters.size() == 1 ? "" : "s", o.limit));
  }
  int rc = kExitOk;
  if (filters.empty()) {
    PrintError(fmt::format("{} installed no seccomp filter", o.target[0]));
    rc = kExitInvalid;
  }
  for (size_t i = 0; i < r->filters.size(); ++i) {  // a filter whose program could not be read
    const kernel::CapturedFilter& f = r->filters[i];
    if (f.read_error == 0 || f.read_error == EFAULT)
      continue;  // EFAULT: the call's own bad pointer
    PrintError(fmt::format(
        "cannot read the program of filter {} from thread {}: {}{}", i + 1, f.tid,
        std::strerror(f.read_error),
        f.read_error == EPERM
            ? " (it made itself non-dumpable, as sysgate run does: run sysgate dump as root)"
            : ""));
    rc = kExitInvalid;
  }
  if (!filters.empty() || o.json) {
    if (int p = Print(o, filters, std::move(json)); p != kExitOk) rc = p;
  }
  if (r->running > 0) {
    std::cout.flush();
    int status = 0;
    while (waitpid(r->running, &status, 0) < 0 && errno == EINTR) {
    }
  }
  return rc;
}

int Run(const Options& o) {
  if (o.target.empty()) {
    PrintError("give a process id, or -- COMMAND [ARG...] to run");
    return kExitUsage;
  }
  if (!o.arch.empty() && !ParseArchOption(o.arch)) return kExitUsage;
  auto format = ParseBpfFormat(o.format);  // checked before anything runs
  if (!format) {
    PrintError(format.error().message);
    return kExitUsage;
  }
  if (auto pid = AsPid(o.target)) return DumpProcess(o, *pid);
  const bool listing = o.json || *format == BpfFormat::kDisasm || *format == BpfFormat::kC;
  if (!listing && o.limit != 1 && (o.output.empty() || o.output == "-")) {
    PrintError(
        fmt::format("-f {} holds one program: with --limit {} give -o FILE (FILE.1, FILE.2, ...)",
                    o.format, o.limit));
    return kExitUsage;
  }
  return DumpCommand(o);
}

void Define(CLI::App* cmd, int* exit_code) {
  auto opts = std::make_shared<Options>();
  cmd->add_option("-f,--format", opts->format, "disasm (default), raw, hex, c, asm");
  cmd->add_option("-o,--output", opts->output,
                  "Output file (several raw/hex/asm filters: FILE.1, FILE.2, ...)");
  cmd->add_option("-a,--arch", opts->arch, "Arch assumed in listings before the program checks it");
  cmd->add_flag("--json", opts->json, "Print JSON: each filter's instructions and flags");
  cmd->add_option(
      "--limit", opts->limit,
      "With a command: stop after this many filter calls (default 1; 0: run it to its end)");
  cmd->add_flag("--continue", opts->keep_running,
                "With a command: at the limit, let it run on (untraced) instead of killing it");
  cmd->add_option("target", opts->target, "PID, or -- COMMAND [ARG...]");
  cmd->callback([opts, exit_code] { *exit_code = Run(*opts); });
}

const Registration kRegistration{
    {.name = "dump",
     .order = 150,
     .description = "The seccomp filters of a process, or of a command as it installs them",
     .define = Define}};

}  // namespace

}  // namespace sysgate::cli
