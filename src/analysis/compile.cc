// sysgate::Compile: the compiler, and the check that its program does what the policy says.
// Here rather than in compile/ because the check needs the emulator.
#include "analysis/compile.h"

#include "compile/compiler.h"
#include "sysgate/analysis.h"
#include "sysgate/compiler.h"

namespace sysgate {
namespace analysis {

Result<void> CheckCompiled(const Policy& policy, const bpf::Program& program) {
  if (auto v = VerifyTranslation(policy, program); !v) {
    Error e = v.error();
    e.code = ErrorCode::kInternal;
    e.message += " (a sysgate bug; please report it)";
    return e;
  }
  return {};
}

}  // namespace analysis

Result<bpf::Program> Compile(const Policy& policy, const CompileOptions& options) {
  auto program = compile::Generate(policy, options.frequencies);
  if (!program || !options.verify) return program;
  if (auto checked = analysis::CheckCompiled(policy, *program); !checked) return checked.error();
  return program;
}

}  // namespace sysgate
