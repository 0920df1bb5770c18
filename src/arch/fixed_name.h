// How the generated tables hold names, and the list of every syscall name. Not public: what
// sysgate's API gives out are string_views into these tables.
#pragma once

#include <compare>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace sysgate {

// A name kept in place (at most N characters) rather than pointed to. The generated tables
// are made of these because a table of pointers needs a load-time relocation per entry in a
// position-independent binary: the loader would write, and so fault in, every page of it at
// every start, which `sysgate run` pays before each program (docs/performance.md).
template <size_t N>
struct FixedName {
  char text[N];
  constexpr std::string_view view() const {
    size_t n = 0;
    while (n < N && text[n] != '\0') ++n;
    return {text, n};
  }
  constexpr bool empty() const { return text[0] == '\0'; }
  constexpr operator std::string_view() const { return view(); }  // NOLINT: meant to convert
  // Compared without measuring the name first: the tables are binary-searched by name in
  // every compile and verification.
  friend constexpr bool operator==(const FixedName& a, std::string_view b) {
    return (a <=> b) == std::strong_ordering::equal;
  }
  friend constexpr std::strong_ordering operator<=>(const FixedName& a, std::string_view b) {
    const size_t n = b.size() < N ? b.size() : N;
    if (int c = std::char_traits<char>::compare(a.text, b.data(), n); c != 0) {
      return c < 0 ? std::strong_ordering::less : std::strong_ordering::greater;
    }
    if (n == N) return b.size() == N ? std::strong_ordering::equal : std::strong_ordering::less;
    // a's first n characters are b: a is longer unless it ends here.
    return a.text[n] == '\0' ? std::strong_ordering::equal : std::strong_ordering::greater;
  }
  // Two names: declared, or clang finds the two ways of converting one of them ambiguous.
  friend constexpr bool operator==(const FixedName& a, const FixedName& b) { return a == b.view(); }
  friend constexpr std::strong_ordering operator<=>(const FixedName& a, const FixedName& b) {
    return a <=> b.view();
  }
};
// Long enough for every syscall name (the longest, sched_rr_get_interval_time64, has 28).
using SyscallNameText = FixedName<32>;

// Every name known on any arch, sorted.
std::span<const SyscallNameText> AllSyscallNames();

}  // namespace sysgate
