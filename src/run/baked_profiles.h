// The built-in profiles as a run installs them, compiled when sysgate was built
// (bake_profiles.cc), so that running a program under one does not parse, compile and verify
// the same text again at every start.
#pragma once

#include <span>
#include <string_view>

#include "sysgate/bpf.h"
#include "sysgate/policy.h"

namespace sysgate::run {

struct BakedProfile {
  std::string_view name;
  // For the build host's arches, compiled and translation-validated at build time:
  // supervise::RouteForReports(profile), what a reporting run installs, and the profile
  // itself, for runs without a supervisor.
  std::span<const bpf::Insn> supervised;
  std::span<const bpf::Insn> unsupervised;
  // Every action kind the profile uses: the kernel must support each.
  std::span<const ActionKind> actions;
};

// Null if `name` was not baked (an unknown name, a cross-compiled sysgate, or the baker itself,
// which links baked_none.cc).
const BakedProfile* FindBakedProfile(std::string_view name);

}  // namespace sysgate::run
