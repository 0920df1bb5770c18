// Checking a conversion by reading its output back (sysgate convert, the convert fuzz target).
#include <algorithm>

#include <fmt/format.h>

#include "sysgate/analysis.h"

namespace sysgate::analysis {

Result<TranslationReport> VerifyConversion(const Policy& means, std::string_view text,
                                           formats::Format format, const std::string& section) {
  formats::ImportOptions back;
  back.filename = "<converted>";
  back.arch = means.TargetArches().front();
  if (format == formats::Format::kFirecracker || format == formats::Format::kSpo)
    back.section = section;
  formats::Imported again = formats::Import(text, format, back);
  if (!again.ok()) {
    return MakeError(ErrorCode::kInternal,
                     fmt::format("the converted policy does not read back: {}",
                                 FirstError(again.diagnostics).ToString()));
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
