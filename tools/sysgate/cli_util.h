// Helpers the subcommands share.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "sysgate/arch.h"
#include "sysgate/policy_text.h"

namespace sysgate::cli {

// "sysgate: <message>" on stderr.
void PrintError(const std::string& message);
// True when stderr is a terminal that takes colours (and NO_COLOR is unset).
bool ColorStderr();
// Parses --arch, printing an error (with suggestions) when it is not an arch name.
std::optional<Arch> ParseArchOption(const std::string& name);
// Replaces the policy's target arches with `names` (if any); false (with a message) for an
// unknown name.
bool OverrideArches(Policy& policy, const std::vector<std::string>& names);
// Reads and parses a policy file; prints its diagnostics to stderr.
ParsedPolicy LoadAndReport(const std::string& path, const std::vector<std::string>& include_dirs,
                           bool quiet_warnings = false);

}  // namespace sysgate::cli
