// Checking a conversion by reading its output back (sysgate convert, the convert fuzz target).
#include <algorithm>

#include <fmt/format.h>

#include "sysgate/analysis.h"

namespace sysgate::analysis {
namespace {

// The ports one right is granted on, as sorted disjoint ranges.
std::vector<std::pair<uint32_t, uint32_t>> Ports(const AccessRules& a, uint64_t bit) {
  std::vector<std::pair<uint32_t, uint32_t>> in, out;
  for (const PortRule& r : a.ports) {
    if (r.access & bit) in.emplace_back(r.first, r.last);
  }
  std::ranges::sort(in);
  for (auto [first, last] : in) {
    if (!out.empty() && first <= out.back().second + 1) {
      out.back().second = std::max(out.back().second, last);
    } else {
      out.emplace_back(first, last);
    }
  }
  return out;
}

// Why two sets of fs, net and scope rules differ in what they grant, or "" when they do not:
// the rights on every path either names (with what the directories above grant), the ports.
std::string GrantDifference(const AccessRules& a, const AccessRules& b) {
  if (a.handled_fs != b.handled_fs || a.handled_net != b.handled_net) return "what the rules confine";
  if (a.scoped != b.scoped) return "scope";
  if (a.best_effort != b.best_effort) return "fs best-effort";
  for (const AccessRules* side : {&a, &b}) {
    for (const PathRule& r : side->paths) {
      uint64_t ga = GrantedOn(a, r.path).access, gb = GrantedOn(b, r.path).access;
      if (ga != gb) return fmt::format("the rights on {} ({} and {})", r.path, FsAccessText(ga), FsAccessText(gb));
    }
  }
  for (uint64_t bit : {net_access::kBindTcp, net_access::kConnectTcp}) {
    if (Ports(a, bit) != Ports(b, bit)) return fmt::format("the TCP ports for {}", NetAccessName(bit));
  }
  return "";
}

}  // namespace

Result<TranslationReport> VerifyConversion(const Policy& means, std::string_view text,
                                           formats::Format format, const std::string& section) {
  formats::ImportOptions back;
  back.filename = "<converted>";
  back.arch = means.TargetArches().front();
  if (format == formats::Format::kFirecracker || format == formats::Format::kSpo) back.section = section;
  formats::Imported again = formats::Import(text, format, back);
  if (!again.ok()) {
    return MakeError(ErrorCode::kInternal,
                     fmt::format("the converted policy does not read back: {}",
                                 FirstError(again.diagnostics).ToString()));
  }
  if (std::string d = GrantDifference(means.access, again.policy->access); !d.empty()) {
    return MakeError(ErrorCode::kInternal, "the converted policy means something else: " + d);
  }
  Policy a = means, b = *again.policy;
  std::vector<Arch> common;
  for (Arch x : a.TargetArches()) {
    std::vector<Arch> t = b.TargetArches();
    if (std::ranges::find(t, x) != t.end()) common.push_back(x);
  }
  a.arches = b.arches = common;
  Result<TranslationReport> same = VerifyEquivalent(a, b);
  if (!same) {
    return MakeError(ErrorCode::kInternal,
                     "the converted policy means something else: " + same.error().message);
  }
  return same;
}

}  // namespace sysgate::analysis
