// Result<T>: the value of a fallible operation, or the Error that stopped it.
//
//   sysgate::Result<sysgate::Policy> p = sysgate::ParsePolicyFile("web.sgp");
//   if (!p) {
//     std::cerr << p.error().ToString() << "\n";   // "web.sgp:3:7: unknown syscall ..."
//     return 1;
//   }
//   Use(*p);
//
// Shaped like C++23 std::expected so that it can be swapped for it later. No sysgate function
// throws; every fallible one returns a Result, and everything it says is in it (no
// out-parameters beside it). value() of an error, or error() of a value, is a bug in the caller:
// it prints the error and aborts, as SG_CHECK does, rather than throw.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>

namespace sysgate {

// Where in a policy source something was written. line and column count from 1; 0 = unknown.
struct SourceLoc {
  std::string file;
  int line = 0;
  int column = 0;

  bool known() const { return line > 0; }
  // "file:line:col", "file:line", "file" or "" as far as known.
  std::string ToString() const;
  friend bool operator==(const SourceLoc&, const SourceLoc&) = default;
};

enum class ErrorCode {
  kInvalidArgument,  // bad input from the caller (a policy, a flag, a file)
  kNotFound,         // a named thing does not exist (syscall, arch, file)
  kUnsupported,      // valid, but not supported here (kernel feature, arch)
  kTooLarge,         // a limit was exceeded (4096 instructions, include depth)
  kSystem,           // a system call failed; sys_errno says why
  kInternal,         // a bug in sysgate
};

struct Error {
  ErrorCode code = ErrorCode::kInvalidArgument;
  std::string message;
  SourceLoc loc;      // for policy input
  int sys_errno = 0;  // for kSystem
  // Which step of a multi-step operation failed, numbered by that operation (run::Stage for
  // run::Run, run::ExecInPlace and learn::Record); 0 when none is named.
  int stage = 0;

  // "file:line:col: message" (or just the message), with strerror for system errors.
  std::string ToString() const;
};

inline Error MakeError(ErrorCode code, std::string message, SourceLoc loc = {}) {
  return Error{code, std::move(message), std::move(loc), 0};
}
Error SystemError(std::string what, int err);

// Wraps an Error so that `return Unexpected(err);` converts to any Result<T>.
namespace detail {
// Prints what was asked for and the error it held, then aborts.
[[noreturn]] void BadResultAccess(const Error* held);
}  // namespace detail

struct Unexpected {
  Error error;
  explicit Unexpected(Error e) : error(std::move(e)) {}
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(const T& value) : v_(value) {}
  Result(T&& value) : v_(std::move(value)) {}
  Result(Error error) : v_(std::move(error)) {}
  Result(Unexpected u) : v_(std::move(u.error)) {}

  bool has_value() const { return v_.index() == 0; }
  explicit operator bool() const { return has_value(); }

  T& value() & { return *Checked(); }
  const T& value() const& { return *const_cast<Result*>(this)->Checked(); }
  T&& value() && { return std::move(*Checked()); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  template <class U>
  T value_or(U&& fallback) const& {
    return has_value() ? value() : static_cast<T>(std::forward<U>(fallback));
  }

  const Error& error() const { return const_cast<Result*>(this)->error(); }
  Error& error() {
    if (Error* e = std::get_if<1>(&v_)) return *e;
    detail::BadResultAccess(nullptr);
  }

 private:
  T* Checked() {
    if (T* v = std::get_if<0>(&v_)) return v;
    detail::BadResultAccess(std::get_if<1>(&v_));
  }

  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}
  Result(Unexpected u) : error_(std::move(u.error)), ok_(false) {}

  bool has_value() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    if (ok_) detail::BadResultAccess(nullptr);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace sysgate
