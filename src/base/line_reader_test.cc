// Lines read within a bound per line, from files and pipes; what is not a stream of lines refused.
#include "base/line_reader.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace sysgate::base {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using Got = LineReader::Got;

// Every line of `path` as Next gives it: text, or "<too long>" and its head.
std::vector<std::string> Lines(const std::string& path, size_t max) {
  auto in = LineReader::Open(path);
  EXPECT_TRUE(in) << in.error().ToString();
  std::vector<std::string> out;
  std::string line;
  while (in) {
    auto got = in->Next(line, max);
    EXPECT_TRUE(got) << got.error().ToString();
    if (!got || *got == Got::kEnd) break;
    out.push_back(*got == Got::kTooLong ? "<too long>" + line : line);
    EXPECT_EQ(in->line_number(), out.size());
  }
  return out;
}

TEST(LineReader, LinesOfAFile) {
  fs::path p = fs::temp_directory_path() / ("sysgate_lines_" + std::to_string(getpid()));
  std::string big(200000, 'x');  // longer than the reader's buffer
  std::ofstream(p) << "one\r\n\nthree\n" << big << "\n" << std::string(10, 'y') << "\nlast";
  // CRLF lines lose their \r.
  EXPECT_THAT(Lines(p, 100),
              ::testing::ElementsAre("one", "", "three", "<too long>" + std::string(100, 'x'),
                                     "yyyyyyyyyy", "last"));
  EXPECT_EQ(Lines(p, 200000)[3], big);
  EXPECT_EQ(Lines(p, 9)[4], "<too long>yyyyyyyyy");
  fs::remove(p);
}

// An endless pipe is read as it comes, a line at a time.
TEST(LineReader, APipe) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::thread writer([w = fds[1]] {
    for (int i = 0; i < 1000; ++i) {
      std::string s = "line " + std::to_string(i) + "\n";
      ASSERT_EQ(write(w, s.data(), s.size()), static_cast<ssize_t>(s.size()));
    }
    close(w);
  });
  auto lines = Lines("/proc/self/fd/" + std::to_string(fds[0]), 64);
  writer.join();
  close(fds[0]);
  ASSERT_EQ(lines.size(), 1000U);
  EXPECT_EQ(lines[999], "line 999");
}

TEST(LineReader, WhatIsNotAStreamOfLines) {
  auto dir = LineReader::Open("/tmp");
  ASSERT_FALSE(dir);
  EXPECT_EQ(dir.error().ToString(), "/tmp: is a directory, not a file");
  auto zero = LineReader::Open("/dev/zero");
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().ToString(), "/dev/zero: is a device, not a file");
  auto none = LineReader::Open("/nonexistent/log");
  ASSERT_FALSE(none);
  EXPECT_THAT(none.error().ToString(), HasSubstr("/nonexistent/log: cannot open: No such file"));
}

}  // namespace
}  // namespace sysgate::base
