// The policy formats other tools use, read into a Policy and written from one.
//
//   formats::ImportOptions o;                  // host arch, no capabilities, running kernel
//   formats::Imported r = formats::Import(text, formats::Format::kOci, o);
//   for (const Diagnostic& d : r.diagnostics) ...   // notes for skipped rules and names
//   if (r.policy) Use(*r.policy);
//
//   formats::Exported e = formats::Export(policy, formats::Format::kOci);
//   if (e.text) Write(*e.text);                // e.diagnostics says what could not be kept
//
// Formats (docs/formats.md has each one's support and limits):
//   sysgate      the native language (policy_text.h)                      read, write
//   oci          runtime-spec linux.seccomp JSON, with Docker's and
//                Podman's extensions resolved for a target                 read, write
//   systemd      SystemCallFilter= / SystemCallErrorNumber= /
//                SystemCallArchitectures= unit-file lines                  read, write
//   minijail     minijail0 .policy files                                   read
//   kafel        nsjail's Kafel language                                   read
//   firecracker  seccompiler JSON, one thread category                     read, write
//   spo          Kubernetes Security Profiles Operator SeccompProfile YAML read, write
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sysgate/limits.h"
#include "sysgate/policy.h"
#include "sysgate/policy_text.h"

namespace sysgate::formats {

enum class Format { kSysgate, kOci, kSystemd, kMinijail, kKafel, kFirecracker, kSpo };

std::string_view FormatName(Format f);  // "sysgate", "oci", ...
// The names above, plus "docker", "podman", "json" (oci), "text" (sysgate), "k8s" (spo).
std::optional<Format> FormatFromName(std::string_view name);
// Every format's name, for help texts.
std::string FormatNames(bool writable_only);
bool CanWrite(Format f);

// Told apart by content (and, where content is ambiguous, the file name).
Format DetectFormat(std::string_view text, std::string_view path = {});

struct ImportOptions {
  std::string filename = "<input>";  // for diagnostics
  std::optional<Arch> arch;          // the target ABI; host. Minijail's and Firecracker's
                                     // single-arch files name its calls; Docker's archMap
                                     // and includes/excludes are resolved for the machine
                                     // that runs it (this one if it can, else its kernel's)
  std::vector<std::string> caps;     // the capability set (CAP_SYS_ADMIN, ...); none
  std::optional<std::pair<int, int>> kernel;  // major.minor for minKernel; the running one
  bool strict = false;                        // unknown syscall names are errors, not warnings
  std::string section;                        // which part of a file: Firecracker's thread
                                              // category (vmm, api, vcpu), an SPO profile's name
  std::vector<std::string> include_dirs;      // minijail @include, Kafel #include, sysgate include
  int max_include_depth = limits::kMaxIncludeDepth;  // may be lowered, never raised
  std::map<std::string, uint64_t> constants;         // sysgate: ParseOptions::constants
};
using OciOptions = ImportOptions;

// OCI fields that are about how a filter is installed, not what it says.
struct RuntimeSettings {
  std::vector<std::string> flags;  // SECCOMP_FILTER_FLAG_* names
  std::string listener_path;
  std::string listener_metadata;
};

// A policy read from a file of any format: what ParsePolicyFile gives for sysgate's own (the
// policy, the diagnostics, the sources to render them with), and what a format says of how
// the filter is installed.
struct Imported : ParsedPolicy {
  RuntimeSettings runtime;
  Format format = Format::kSysgate;  // the format that was read
};

Imported Import(std::string_view text, Format format, const ImportOptions& options = {});
// Reads `path` (and what it includes); `format` when given, else detected.
Imported ImportFile(const std::string& path, std::optional<Format> format = std::nullopt,
                    ImportOptions options = {});

// OCI runtime-spec / Docker / Podman JSON, with the semantics runc applies through libseccomp:
// every comparison is 64-bit and unsigned, SCMP_CMP_MASKED_EQ is (arg & value) == valueTwo,
// the arguments of one rule are ANDed (two on the same index become separate rules, ORed,
// with a warning, as runc does), rules whose action equals the default are dropped, unknown
// syscall names are skipped with a warning (errors with strict), SCMP_ACT_KILL is kill-thread.
Imported ImportOci(std::string_view json, const ImportOptions& options = {});

struct ExportOptions {
  RuntimeSettings runtime;  // OCI and SPO: flags, listenerPath, listenerMetadata
  std::string section;      // Firecracker: the thread category ("main");
                            // SPO: metadata.name ("sysgate-profile")
  // No format but sysgate's says fs, net or scope rules (Landlock): they are dropped with a
  // warning, or with strict refused.
  bool strict = false;
  // systemd: where the unit cannot say a rule (argument conditions, a verdict systemd has no
  // word for), allow more instead of refusing, with a warning for each syscall. Call
  // analysis::ExportWidened, which checks the result against the policy and completes it.
  bool widen = false;
};

struct Exported {
  std::optional<std::string> text;      // set when there is no error
  std::vector<Diagnostic> diagnostics;  // what the format cannot say (errors) or changes
  // What the text means, when the format made it differ from the policy (each difference has
  // a warning): trap data dropped, the format's own handling of unknown numbers, systemd's
  // implicit @default. Equal to the policy otherwise.
  std::optional<Policy> means;
};

// Writes `policy` (resolved, valid) so that the tools reading the format give the same verdicts
// sysgate does; an error names what the format cannot express.
Exported Export(const Policy& policy, Format format, const ExportOptions& options = {});

// True if the text looks like JSON (its first non-blank character is '{').
bool LooksLikeJson(std::string_view text);

// Linux's capability names (CAP_CHOWN ... CAP_CHECKPOINT_RESTORE), which Docker profiles'
// includes/excludes.caps and ImportOptions::caps use.
const std::vector<std::string_view>& CapabilityNames();

// A kernel version, major.minor, from "5.15", "5" or a release such as "6.1.0-13-amd64" (what
// follows major.minor is ignored when it starts with '.', '-' or '+'); none for anything else.
std::optional<std::pair<int, int>> ParseKernelVersion(std::string_view text);

}  // namespace sysgate::formats
