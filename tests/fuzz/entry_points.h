// The fuzz targets' entry points: one per reader (the native language, every imported format,
// raw and hex BPF, the assembler) plus compile + verify and convert round trips. Each takes any
// bytes and returns what broke, if anything: a crash, hang or leak shows itself, a wrong answer
// is returned as a message.
//
// Shared by the libFuzzer executables (fuzz_main.cc, built by `make fuzz` with clang, ASan and
// UBSan) and by fuzz_replay_test (make check), which runs every committed corpus file and every
// past crash through the same functions with the normal compiler.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "sysgate/policy_text.h"

namespace sysgate::fuzz {

// What broke ("the printed policy does not parse back: ..."), or nothing.
using Failure = std::optional<std::string>;

struct Target {
  std::string_view name;  // tests/fuzz/corpus/<name>/, crashes/<name>/, the fuzz_<name> binary
  Failure (*run)(std::string_view input);
};

std::span<const Target> Targets();
const Target* FindTarget(std::string_view name);

// The checks on a parse of `text`, named `file`, in the native language (also
// never_crash_test's): what parsed prints and parses back to itself; diagnostics point into
// the text and render.
Failure CheckNativeParse(std::string_view text, const std::string& file,
                         const ParsedPolicy& parsed);

}  // namespace sysgate::fuzz
