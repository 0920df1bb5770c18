// The native policy language (docs/policy-language.md): parse, print, report.
//
//   ParsedPolicy r = ParsePolicyFile("web.sgp");
//   std::cerr << r.RenderDiagnostics();          // "web.sgp:3:7: error: ..." + line + caret
//   if (!r.ok()) return 1;
//   std::string text = PrintPolicy(*r.policy);   // canonical form; parses back to *r.policy
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sysgate/limits.h"
#include "sysgate/policy.h"

namespace sysgate {

struct ParseOptions {
  std::vector<std::string> include_dirs;  // searched after the including file's directory
  int max_include_depth = limits::kMaxIncludeDepth;  // may be lowered, never raised
  bool validate = true;  // run ResolveAndValidate (else only resolve names)
  // Constants the policy uses by name whose values are known only when the program runs: the
  // fd of a directory it opened, a uid. As if the policy began with `const NAME = VALUE`.
  std::map<std::string, uint64_t> constants;
};

struct ParsedPolicy {
  std::optional<Policy> policy;                // set when there is no error
  std::vector<Diagnostic> diagnostics;         // errors, warnings and notes, in source order
  std::map<std::string, std::string> sources;  // every file read, by name, for rendering

  bool ok() const { return policy.has_value(); }
  // Every diagnostic as `file:line:col: severity: message`, the source line and a caret.
  std::string RenderDiagnostics(bool color = false) const;
  // The first error as an Error (file:line:col in its loc).
  Error FirstError() const;
};

ParsedPolicy ParsePolicyText(std::string_view text, std::string_view filename = "<input>",
                             const ParseOptions& options = {});
ParsedPolicy ParsePolicyFile(const std::string& path, const ParseOptions& options = {});

// Result-shaped convenience: the policy, or the first error (message includes the location).
Result<Policy> LoadPolicyFile(const std::string& path, const ParseOptions& options = {});

// The canonical text of a policy. ParsePolicyText(PrintPolicy(p)) gives a policy equal to p.
std::string PrintPolicy(const Policy& policy);
// The fs, net and scope statements alone, as PrintPolicy writes them ("" for none).
std::string PrintAccessRules(const AccessRules& rules);

// The profiles compiled into sysgate (`default`: Docker's default profile; `strict`), as
// policy text, and parsed.
std::vector<std::string_view> BuiltinProfileNames();
std::optional<std::string_view> BuiltinProfileText(std::string_view name);
ParsedPolicy ParseBuiltinProfile(std::string_view name);
// "no built-in profile 'strcit'; did you mean 'strict'? (profiles: default, strict)"
std::string UnknownProfileMessage(std::string_view name);

// Renders diagnostics against the given sources (file name -> text).
std::string RenderDiagnostics(const std::vector<Diagnostic>& diags,
                              const std::map<std::string, std::string>& sources,
                              bool color = false);

}  // namespace sysgate
