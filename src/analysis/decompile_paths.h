// The symbolic execution behind `sysgate decompile`: every path of a seccomp BPF program, with
// what the path knows about each 32-bit word of seccomp_data and the verdict it returns.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "sysgate/bpf.h"
#include "sysgate/result.h"

namespace sysgate::analysis::decompile {

// A set of 32-bit values as sorted, disjoint, non-adjacent closed intervals.
class ValueSet {
 public:
  using Range = std::pair<uint32_t, uint32_t>;
  static ValueSet All() { return ValueSet({{0, UINT32_MAX}}); }
  static ValueSet Of(uint32_t lo, uint32_t hi) { return ValueSet({{lo, hi}}); }
  // From sorted, disjoint ranges (adjacent ones are joined).
  static ValueSet FromSorted(const std::vector<Range>& ranges);
  ValueSet() = default;

  bool empty() const { return ranges_.empty(); }
  bool IsAll() const { return ranges_.size() == 1 && ranges_[0] == Range{0, UINT32_MAX}; }
  std::optional<uint32_t> Single() const;
  bool Contains(uint32_t v) const;
  uint64_t Count() const;
  ValueSet Intersect(const ValueSet& o) const;
  ValueSet Minus(const ValueSet& o) const;
  const std::vector<Range>& ranges() const { return ranges_; }
  friend bool operator==(const ValueSet&, const ValueSet&) = default;

 private:
  explicit ValueSet(std::vector<Range> r) : ranges_(std::move(r)) {}
  std::vector<Range> ranges_;
};

// What one path knows about one word: it lies in `range` (from unmasked comparisons) and has
// the bit facts of masked ones.
struct WordFacts {
  ValueSet range = ValueSet::All();
  uint32_t known_mask = 0, known_bits = 0;               // (w & known_mask) == known_bits
  std::vector<std::pair<uint32_t, uint32_t>> masked_ne;  // (w & first) != second
  std::vector<uint32_t> any_set;                         // (w & m) != 0
  bool HasBitFacts() const { return known_mask != 0 || !masked_ne.empty() || !any_set.empty(); }
  bool Unconstrained() const { return range.IsAll() && !HasBitFacts(); }
};

inline constexpr int kWords = bpf::data::kSize / 4;  // 16: nr, arch, ip (2), args (12)
inline constexpr int kNrWord = 0, kArchWord = 1;

struct Leaf {
  std::array<WordFacts, kWords> words;
  uint32_t ret = 0;  // the value returned
  int ret_insn = 0;  // the RET (or the division by zero) that returns it
};

// Every feasible path of `prog` (which must pass VerifyLoadable). Errors name the instruction
// whose behaviour a policy cannot express; kTooLarge past `max_paths`.
Result<std::vector<Leaf>> ExplorePaths(const bpf::Program& prog, size_t max_paths);

}  // namespace sysgate::analysis::decompile
