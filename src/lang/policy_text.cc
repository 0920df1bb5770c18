#include <fmt/format.h>

#include "base/files.h"
#include "lang/parser.h"
#include "sysgate/policy_text.h"

namespace sysgate {

ParsedPolicy ParsePolicyText(std::string_view text, std::string_view filename,
                             const ParseOptions& options) {
  ParsedPolicy out;
  lang::Parse(text, filename, options, out);
  return out;
}

ParsedPolicy ParsePolicyFile(const std::string& path, const ParseOptions& options) {
  Result<std::string> text = base::ReadFile(path);
  if (!text) {
    ParsedPolicy out;
    out.diagnostics.push_back(lang::UnreadableFile(text.error()));
    return out;
  }
  return ParsePolicyText(*text, path, options);
}

Result<Policy> LoadPolicyFile(const std::string& path, const ParseOptions& options) {
  ParsedPolicy r = ParsePolicyFile(path, options);
  if (!r.ok()) return r.FirstError();
  return std::move(*r.policy);
}

}  // namespace sysgate
