// How deep a reader lets conditions and expressions nest: one shape for every recursive-descent
// parser (the native language, Kafel), so that hostile input cannot exhaust the stack and is
// refused with the same words in every language.
//
//   std::optional<Condition> Not() {
//     base::NestingLevel level(depth_);  // depth_: this parser's count, 0 at the top
//     if (level.TooDeep()) return Fail(at, base::TooDeepMessage("condition"));
//     ...                                // may call Not() again
//   }
#pragma once

#include <string>
#include <string_view>

#include <fmt/format.h>

#include "sysgate/limits.h"

namespace sysgate::base {

// One level of recursion, counted in `depth` while it lasts.
class NestingLevel {
 public:
  explicit NestingLevel(int& depth) : depth_(depth) { ++depth_; }
  ~NestingLevel() { --depth_; }
  NestingLevel(const NestingLevel&) = delete;
  NestingLevel& operator=(const NestingLevel&) = delete;

  // This level is past limits::kMaxNesting: the caller reports it and does not go deeper.
  bool TooDeep() const { return depth_ > limits::kMaxNesting; }

 private:
  int& depth_;
};

// "the condition nests deeper than 200 levels, sysgate's nesting limit (docs/limits.md)", for
// `what` = "condition".
inline std::string TooDeepMessage(std::string_view what) {
  return fmt::format("the {} nests deeper than {} levels, sysgate's nesting limit (docs/limits.md)",
                     what, limits::kMaxNesting);
}

}  // namespace sysgate::base
