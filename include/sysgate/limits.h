// The limits sysgate puts on what it reads, in one place (docs/limits.md explains each one).
// Input beyond them is refused with an error that names the limit; nothing sysgate reads can
// make it crash, hang or eat the machine's memory. Every value is far above what real policies
// need: Docker's default profile has 60 rules and nests 5 levels deep.
#pragma once

#include <cstddef>
#include <cstdint>

namespace sysgate::limits {

// Bytes in one input file (a policy in any format, an included file, BPF, assembler text, a
// frequency file). Checked before reading where the size is known, and while reading.
inline constexpr uint64_t kMaxInputBytes = uint64_t{64} << 20;  // 64 MiB

// Nesting of parentheses and `!` in conditions and expressions (every language), and of JSON
// arrays/objects and YAML collections.
inline constexpr int kMaxNesting = 200;

// Files a policy may include through one another (native include, minijail @include, Kafel
// #include), and how many include directives one policy may expand in all (a file included
// twice counts twice: this bounds diamond-shaped include graphs).
inline constexpr int kMaxIncludeDepth = 16;
inline constexpr int kMaxIncludes = 1000;

// Rules in one policy (after Kafel's USE and other expansions); rules with a condition that
// name one syscall (or group); comparisons in one rule's condition; values in one set
// (`arg0 in {1, 2, 3}`). Checking a policy costs about the square of its rules per syscall.
inline constexpr size_t kMaxRules = 100'000;
inline constexpr size_t kMaxConditionalRulesPerSyscall = 10'000;
inline constexpr size_t kMaxConditionTerms = 1'000;
inline constexpr size_t kMaxSetValues = 10'000;

// `fs` paths and `net` port rules in one policy (a port range counts as one rule; applying it
// adds one Landlock rule per port).
inline constexpr size_t kMaxAccessRules = 10'000;

// YAML nodes made from one SeccompProfile once aliases are expanded (a "billion laughs" stops
// here).
inline constexpr size_t kMaxYamlNodes = 200'000;

// YAML documents in one file (`---`-separated; an SPO file holds a few). yaml-cpp 0.7 reads a
// stray `,` at the top level as an endless run of empty documents; this ends it.
inline constexpr size_t kMaxYamlDocuments = 1'000;

// Bytes in one line of a log `sysgate explain` reads; a longer line is skipped with a warning
// (the kernel's audit records are at most 8,970 bytes). Logs themselves have no size limit:
// they are read a line at a time.
inline constexpr size_t kMaxLogLineBytes = size_t{64} << 10;  // 64 KiB
// Landlock's audit records of one event that `sysgate explain` holds until the event ends (its
// SYSCALL record names the process); past it, the rest are explained without that context.
inline constexpr size_t kMaxLogEventRecords = 64;
// Landlock domains whose creator (the LANDLOCK_DOMAIN record) `sysgate explain` remembers; the
// oldest is forgotten first.
inline constexpr size_t kMaxLogDomains = 4096;

// Names longer than this get no "did you mean" suggestion (no real name comes close).
inline constexpr size_t kMaxSuggestedNameLength = 64;

// Diagnostics shown for one file; the rest are counted.
inline constexpr size_t kMaxDiagnostics = 100;

// Characters of a source line shown under a diagnostic; a longer line is shown around the
// column.
inline constexpr size_t kMaxShownLineLength = 160;

}  // namespace sysgate::limits
