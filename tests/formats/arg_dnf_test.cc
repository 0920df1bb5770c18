// The libseccomp-form rewrite of conditions (formats/arg_dnf.h) means exactly what the condition
// means: for generated conditions of every shape (widths, signedness, every operator, nested
// not/and/or), the DNF and its negation agree with the reference evaluation on boundary values.
#include <set>

#include <gtest/gtest.h>

#include "formats/arg_dnf.h"
#include "policy/eval.h"
#include "policy_gen.h"

namespace sysgate::formats {
namespace {

void Constants(const Condition& c, std::vector<std::set<uint64_t>>& out) {
  if (c.kind() != Condition::Kind::kCompare) {
    for (const Condition& ch : c.children()) Constants(ch, out);
    return;
  }
  const Comparison& cmp = c.comparison();
  for (const Operand& o : cmp.operands) {
    for (uint64_t d : {0ULL, 1ULL, ~0ULL}) {
      uint64_t v = o.value + d;
      auto& s = out[static_cast<size_t>(cmp.arg.index)];
      s.insert(v);
      s.insert(v & 0xffffffffULL);
      s.insert(v | 0xffffffff00000000ULL);
      s.insert((v & 0xffffffffULL) | 0x1234567800000000ULL);
    }
  }
}

TEST(ArgDnf, MeansWhatTheConditionMeans) {
  size_t conditions = 0, inputs = 0, terms = 0;
  for (uint64_t seed = 0; seed < 300; ++seed) {
    testing::PolicyGenOptions opt;
    opt.arches = {Arch::kX86_64};
    testing::PolicyGen gen(seed * 7 + 3, opt);
    Policy p = gen.Next();
    for (const Rule& r : p.rules) {
      if (!r.condition) continue;
      auto pos = ConditionToDnf(*r.condition, false, 1 << 16);
      auto neg = ConditionToDnf(*r.condition, true, 1 << 16);
      if (!pos || !neg) continue;  // too large: the exporters report it
      ++conditions;
      terms += pos->size() + neg->size();
      for (const auto& dnf : {*pos, *neg}) {
        for (const ArgTerm& t : dnf) {
          for (size_t i = 1; i < t.size(); ++i)
            ASSERT_LT(t[i - 1].index, t[i].index) << "seed " << seed;
        }
      }
      std::vector<std::set<uint64_t>> vals(6);
      Constants(*r.condition, vals);
      for (int i = 0; i < 200; ++i) {
        std::array<uint64_t, 6> args{};
        for (size_t a = 0; a < 6; ++a) {
          if (!vals[a].empty() && gen.rng()() % 4 != 0) {
            auto it = vals[a].begin();
            std::advance(it, static_cast<long>(gen.rng()() % vals[a].size()));
            args[a] = *it;
          } else {
            args[a] = gen.InterestingValue();
          }
        }
        bool want = policy::EvalCondition(*r.condition, args);
        ASSERT_EQ(EvalDnf(*pos, args), want) << "seed " << seed;
        ASSERT_EQ(EvalDnf(*neg, args), !want) << "seed " << seed;
        ++inputs;
      }
    }
  }
  EXPECT_GT(conditions, 500u);
  std::printf("arg_dnf: %zu conditions, %zu terms, %zu inputs\n", conditions, terms, inputs);
}

Comparison Cmp(CmpOp op, std::vector<uint64_t> vals, Width w = Width::k64, bool is_signed = false) {
  Comparison c;
  c.arg.index = 0;
  c.arg.width = w;
  c.arg.is_signed = is_signed;
  c.op = op;
  for (uint64_t v : vals) c.operands.push_back({v, {}});
  return c;
}

TEST(ArgDnf, NativeFormsWhereLibseccompHasThem) {
  auto one = [](const Comparison& c) { return *ConditionToDnf(Condition::Compare(c), false, 100); };
  EXPECT_EQ(one(Cmp(CmpOp::kLt, {38})), (ArgDnf{{ArgLit{0, CmpOp::kLe, 37, 0}}}));
  EXPECT_EQ(one(Cmp(CmpOp::kEq, {5}, Width::k32)),
            (ArgDnf{{ArgLit{0, CmpOp::kMaskedEq, 0xffffffff, 5}}}));  // high half ignored
  // x < 0 on s64: the negative half, one unsigned bound.
  EXPECT_EQ(one(Cmp(CmpOp::kLt, {0}, Width::k64, true)),
            (ArgDnf{{ArgLit{0, CmpOp::kGe, 0x8000000000000000ULL, 0}}}));
  // not in {38, 40} on 32 bits: blocks of the gaps, a few dozen terms, not a product.
  auto gaps =
      *ConditionToDnf(Condition::Compare(Cmp(CmpOp::kIn, {38, 40}, Width::k32)), true, 1000);
  EXPECT_LT(gaps.size(), 40u);
}

TEST(ArgDnf, LimitIsAnError) {
  std::vector<Condition> ors;
  for (int i = 0; i < 6; ++i) {
    ors.push_back(Condition::Compare([&] {
      auto c = Cmp(CmpOp::kNe, {7}, Width::k32);
      c.arg.index = i;
      return c;
    }()));
  }
  // not (a != 7 or b != 7 ...) is small; (a != 7) and (b != 7) ... on 32 bits is 32^6 terms.
  auto big = ConditionToDnf(Condition::And(ors), false, 4096);
  ASSERT_FALSE(big);
  EXPECT_NE(big.error().message.find("more than 4096"), std::string::npos);
}

}  // namespace
}  // namespace sysgate::formats
