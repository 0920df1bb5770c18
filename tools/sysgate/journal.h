// Reports for the systemd journal (`sysgate run --log-to journal`), sent as its native protocol
// says (https://systemd.io/JOURNAL_NATIVE_PROTOCOL/): one datagram per entry; a field is
// "NAME=value\n", or, where the value holds a newline, "NAME\n", the value's length as 64-bit
// little-endian, the value and "\n". No libsystemd: the protocol is the interface journald
// keeps stable.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "sysgate/result.h"

namespace sysgate::cli {

class Journal {
 public:
  static constexpr const char* kSocket = "/run/systemd/journal/socket";
  using Fields = std::vector<std::pair<std::string, std::string>>;

  // Connected to journald's socket, or why not (no journald here).
  static Result<Journal> Open(const std::string& socket = kSocket);
  Journal(Journal&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Journal& operator=(Journal&& other) noexcept;
  ~Journal();

  // False when the journal did not take the entry (it was not running, or the entry was too
  // large for a datagram).
  bool Send(const Fields& fields);
  int fd() const { return fd_; }  // for run::Options::supervisor_fds

 private:
  explicit Journal(int fd) : fd_(fd) {}
  int fd_ = -1;
};

// A report as `run --json` writes it, as a journal entry: MESSAGE in words, PRIORITY (warning for
// a blocked, denied or stopped call, info for the rest), SYSLOG_IDENTIFIER=sysgate, and each of
// the report's fields as SYSGATE_NAME (strings as they are, the rest as JSON).
Journal::Fields JournalEntry(const nlohmann::json& report);

}  // namespace sysgate::cli
