// The built-in profiles as `sysgate run` installs them, compiled when sysgate was built
// (bake_profiles.cc), so that running a program under one does not parse, compile and
// verify the same text again at every start.
#pragma once

#include <span>
#include <string_view>

#include "sysgate/bpf.h"
#include "sysgate/policy.h"

namespace sysgate::cli {

struct BakedProfile {
  std::string_view name;
  // For the build host's arches, compiled and translation-validated at build time:
  // supervise::RouteBlockingVerdicts(profile), what `sysgate run` installs to report blocked
  // calls, and the profile itself, for --no-report.
  std::span<const bpf::Insn> supervised;
  std::span<const bpf::Insn> unsupervised;
  // Every action kind the profile uses: the kernel must support each.
  std::span<const ActionKind> actions;
  // Whether the profile allows the host's execve, which starting a program unsupervised needs.
  bool allows_execve;
};

// Null if `name` was not baked (an unknown name, or a cross-compiled sysgate).
const BakedProfile* FindBakedProfile(std::string_view name);

}  // namespace sysgate::cli
