#include <fstream>
#include <sstream>

#include <fmt/format.h>

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
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    ParsedPolicy out;
    out.diagnostics.push_back(
        {Severity::kError, SourceLoc{path, 0, 0}, "cannot open the policy file", 1});
    return out;
  }
  std::stringstream buf;
  buf << in.rdbuf();
  return ParsePolicyText(buf.str(), path, options);
}

Result<Policy> LoadPolicyFile(const std::string& path, const ParseOptions& options) {
  ParsedPolicy r = ParsePolicyFile(path, options);
  if (!r.ok()) return r.FirstError();
  return std::move(*r.policy);
}

}  // namespace sysgate
