// Running a program from a test: its output (stdout and stderr, through a file) and how it
// ended. Test code only.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace sysgate::testing {

struct ProgramResult {
  bool started = false;
  bool exited_zero = false;
  bool timed_out = false;  // killed after the time limit
  std::string output;
};

// Runs argv (searched on PATH) with stdin from /dev/null and stdout and stderr to `output`,
// killing it (and its process group) after `limit`.
ProgramResult RunProgram(const std::vector<std::string>& argv, const std::filesystem::path& output,
                         std::chrono::seconds limit = std::chrono::seconds(60));

// True if `program` is an executable on PATH.
bool OnPath(const std::string& program);

}  // namespace sysgate::testing
