// The calls every learned policy allows whatever was recorded: returning from signal handlers,
// restarting and exiting, and the vDSO's fallbacks (a recorder never sees these when the vDSO
// answers). Synthesize writes them as one rule, `allow @exit, @vdso  # seen: ...`, and
// RecordingFromPolicy reads that rule back.
#pragma once

#include <string_view>

namespace sysgate::learn {

inline constexpr std::string_view kAlwaysGroups[] = {"@exit", "@vdso"};

}  // namespace sysgate::learn
