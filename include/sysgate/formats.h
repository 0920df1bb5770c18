// Reading the policy formats other tools use. For now: OCI runtime-spec `linux.seccomp` JSON
// with Docker's and Podman's extensions, resolved the way Docker/runc resolve them.
//
//   formats::OciOptions o;                     // host arch, no capabilities, running kernel
//   formats::Imported r = formats::ImportOci(json_text, o);
//   for (const Diagnostic& d : r.diagnostics) ...   // notes for skipped rules and names
//   if (r.policy) Use(*r.policy);
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sysgate/policy.h"
#include "sysgate/policy_text.h"

namespace sysgate::formats {

struct OciOptions {
  std::string filename = "<json>";    // for diagnostics
  std::optional<Arch> arch;            // the target for archMap and includes/excludes; host
  std::vector<std::string> caps;       // the capability set (CAP_SYS_ADMIN, ...); none
  std::optional<std::pair<int, int>> kernel;  // major.minor for minKernel; the running one
  bool strict = false;                 // unknown syscall names are errors, not warnings
};

struct Imported {
  std::optional<Policy> policy;        // set when there is no error
  std::vector<Diagnostic> diagnostics;
};

// The semantics runc applies through libseccomp: every comparison is 64-bit and unsigned,
// SCMP_CMP_MASKED_EQ is (arg & value) == valueTwo, the arguments of one rule are ANDed (two on
// the same index become separate rules, ORed, with a warning, as runc does), rules whose
// action equals the default are dropped, unknown syscall names are skipped with a warning, and
// syscalls newer than the tables get ENOSYS (runc's stub).
Imported ImportOci(std::string_view json, const OciOptions& options = {});

// True if the text looks like JSON (its first non-blank character is '{').
bool LooksLikeJson(std::string_view text);

// Any policy file sysgate reads, told apart by content: OCI/Docker/Podman JSON, or the
// native language. The result carries the source for rendering diagnostics.
ParsedPolicy ParseAnyPolicyFile(const std::string& path, const ParseOptions& parse = {},
                                OciOptions oci = {});

}  // namespace sysgate::formats
