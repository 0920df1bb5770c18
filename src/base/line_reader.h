// Reading a stream a line at a time within a bound per line, for inputs with no size limit of
// their own: logs (`sysgate explain`), which may be endless pipes (`journalctl -f | ...`).
//
//   auto in = base::LineReader::Open("audit.log");     // "-": standard input
//   std::string line;
//   while (true) {
//     auto got = in->Next(line, limits::kMaxLogLineBytes);
//     if (!got) ...                                     // a failed read, located at the file
//     if (*got == base::LineReader::Got::kEnd) break;
//     ...                                               // in->line_number()
//   }
#pragma once

#include <string>
#include <vector>

#include "sysgate/result.h"

namespace sysgate::base {

class LineReader {
 public:
  // "-" is standard input (a terminal too). Any other path is opened; a directory or a device
  // is refused (/dev/zero would be one endless line), as base::ReadFile refuses them.
  static Result<LineReader> Open(const std::string& path);
  LineReader(LineReader&& other) noexcept;
  LineReader& operator=(LineReader&&) = delete;
  ~LineReader();

  enum class Got { kLine, kTooLong, kEnd };
  // The next line, without its newline, into `line`. kTooLong: a line longer than `max` bytes
  // was read past (never held whole; `line` holds its first `max` bytes). A last line without
  // a newline counts.
  Result<Got> Next(std::string& line, size_t max);
  // The number of the line Next last returned (from 1).
  size_t line_number() const { return number_; }

 private:
  LineReader(int fd, bool owned, std::string path)
      : fd_(fd), owned_(owned), path_(std::move(path)) {}
  bool Fill();  // false at the end; errno_ set on a failed read

  int fd_;
  bool owned_;
  std::string path_;
  std::vector<char> buf_ = std::vector<char>(65536);
  size_t begin_ = 0, end_ = 0;
  size_t number_ = 0;
  int errno_ = 0;
};

}  // namespace sysgate::base
