// Recording: a filter that notifies every syscall of every ABI, run in audit mode, whose
// supervisor counts each call (with the recorded argument values) and lets it run.
#include <fcntl.h>

#include <unordered_map>

#include "base/files.h"
#include "learn/access_recorder.h"
#include "run/command_setup.h"
#include "sysgate/learn.h"
#include "sysgate/run.h"

namespace sysgate::learn {
namespace {

struct Raw {
  std::optional<Arch> abi;
  std::string name;
  std::vector<RecordedArg> args;
  std::vector<uint64_t> masks;  // per recorded argument: the bits the policy compares
  SyscallRecord record;
};

uint64_t Key(const SeccompData& d) { return uint64_t{d.arch} << 32 | static_cast<uint32_t>(d.nr); }

// The bits of an argument the policy compares: the low half of a 32-bit argument, the access
// mode of open flags.
uint64_t Mask(std::string_view syscall, const RecordedArg& a) {
  if (a.use == ArgUse::kAccessMode) return O_ACCMODE;
  const Signature* sig = FindSignature(syscall);
  return sig && sig->args[static_cast<size_t>(a.index)].bits == 32 ? 0xffffffffULL : ~uint64_t{0};
}

}  // namespace

std::vector<RecordedArg> RecordedArgs(std::string_view s) {
  using U = ArgUse;
  if (s == "socket" || s == "socketpair") return {{0, U::kValue}, {1, U::kValue}};
  if (s == "setsockopt" || s == "getsockopt") return {{1, U::kValue}, {2, U::kValue}};
  if (s == "ioctl" || s == "fcntl") return {{1, U::kValue}};
  if (s == "prctl" || s == "arch_prctl" || s == "personality") return {{0, U::kValue}};
  if (s == "madvise") return {{2, U::kValue}};
  if (s == "clone" || s == "unshare") return {{0, U::kFlags}};
  if (s == "mmap" || s == "mprotect" || s == "pkey_mprotect") return {{2, U::kFlags}};
  if (s == "open") return {{1, U::kAccessMode}};
  if (s == "openat") return {{2, U::kAccessMode}};
  return {};
}

void AccessRecording::Merge(const AccessRecording& other) {
  fs = fs || other.fs;
  handled_net |= other.handled_net;
  for (const auto& [path, use] : other.paths) {
    const bool had = paths.contains(path);
    PathUse& mine = paths[path];
    mine.paths = had ? std::max(mine.paths, use.paths) : use.paths;
    mine.access |= use.access;
    mine.count += use.count;
    mine.created = mine.created || use.created;
    mine.removed = mine.removed || use.removed;
  }
  for (const auto& [port, n] : other.bind) bind[port] += n;
  for (const auto& [port, n] : other.connect) connect[port] += n;
  moves.insert(other.moves.begin(), other.moves.end());
  scoped |= other.scoped;
  best_effort = best_effort || other.best_effort;
}

void Recording::Merge(const Recording& other) {
  total += other.total;
  access.Merge(other.access);
  for (const auto& [key, rec] : other.calls) {
    SyscallRecord& mine = calls[key];
    mine.count += rec.count;
    mine.any_args = mine.any_args || rec.any_args;
    for (const auto& [tuple, n] : rec.tuples) mine.tuples[tuple] += n;
  }
}

Result<run::Outcome> Record(const RecordOptions& options, Recording* recording) {
  Policy watch;
  watch.default_action = Action::Notify();
  watch.unknown_action = Action::Notify();
  watch.arches = DefaultArches();
  // Audit: every call reaches the supervisor, is counted, and runs.
  auto filter = run::Filter::ForPolicy(watch, {.supervision = run::Supervision::kAudit});
  if (!filter) return filter.error();

  std::unordered_map<uint64_t, Raw> raw;
  Progress progress;
  AccessRecorder access(options.fs, options.net);
  if (!options.run.argv.empty()) {  // the runner's exec of the program, which is not notified
    int err = 0;
    std::string program = run::FindProgram(options.run.argv[0], &err);
    if (!program.empty()) access.Exec(base::RealPathOr(program));
  }
  run::Options o = options.run;
  o.decode = false;
  o.on_call = [&](const run::Call& call) {
    if ((options.fs || options.net) && call.pending) access.OnCall(*call.pending);
    auto [it, is_new] = raw.try_emplace(Key(call.data));
    Raw& r = it->second;
    if (is_new) {
      r.abi = ArchFromAudit(call.data.arch, call.data.nr);
      auto name = r.abi ? SyscallName(*r.abi, call.data.nr) : std::nullopt;
      r.name = name ? std::string(*name) : "#" + std::to_string(call.data.nr);
      if (options.args && name) r.args = RecordedArgs(r.name);
      for (const RecordedArg& a : r.args) r.masks.push_back(Mask(r.name, a));
      r.record.any_args = r.args.empty();
    }
    ++r.record.count;
    if (!r.args.empty()) {
      std::vector<uint64_t> tuple;
      tuple.reserve(r.args.size());
      for (size_t i = 0; i < r.args.size(); ++i) {
        tuple.push_back(call.data.args[static_cast<size_t>(r.args[i].index)] & r.masks[i]);
      }
      ++r.record.tuples[tuple];
    }
    ++progress.total;
    if (options.on_progress && (is_new || (progress.total & 0xffff) == 0)) {
      progress.distinct = raw.size();
      progress.latest_new = is_new ? r.name : "";
      options.on_progress(progress);
    }
  };
  auto outcome = run::Run(*filter, o);
  if (!outcome) return outcome.error();
  Recording fresh;
  for (auto& [key, r] : raw) {
    if (!r.abi) continue;  // an ABI sysgate does not know: the filter kills those anyway
    fresh.calls[{*r.abi, r.name}] = std::move(r.record);
  }
  fresh.total = progress.total;
  fresh.access = access.Take();
  recording->Merge(fresh);
  return outcome;
}

}  // namespace sysgate::learn
