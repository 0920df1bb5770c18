#include "fuzz/entry_points.h"

#include <algorithm>
#include <array>

#include <fmt/format.h>

#include "base/strings.h"
#include "kernel_denials.h"  // tools/sysgate: run --log
#include "lang/source_format.h"
#include "learn/call_log.h"
#include "sysgate/analysis.h"
#include "sysgate/compiler.h"
#include "sysgate/decompile.h"
#include "sysgate/explain.h"
#include "sysgate/formats.h"

namespace sysgate::fuzz {
namespace {

// Relative includes resolve nowhere (absolute ones may read what the machine has).
constexpr std::string_view kDir = "/sysgate-fuzz-nonexistent/";

int CountLines(std::string_view s) { return 1 + static_cast<int>(std::ranges::count(s, '\n')); }

formats::ImportOptions Options(std::string_view name) {
  formats::ImportOptions o;
  o.filename = std::string(kDir) + std::string(name);
  o.arch = Arch::kX86_64;  // the same answers on every host
  o.kernel = std::pair(5, 15);
  return o;
}

// Diagnostics a user would read: located within the text, in sysgate's words, rendered within
// bounds.
Failure CheckDiagnostics(std::string_view text, const std::string& file,
                         const std::vector<Diagnostic>& diags,
                         const std::map<std::string, std::string>& sources, bool lines_required) {
  int lines = CountLines(text);
  for (const Diagnostic& d : diags) {
    if (d.message.empty()) return "a diagnostic without a message";
    for (std::string_view jargon :
         {"json.exception", "bad conversion", "yaml-cpp", "std::", "what()"}) {
      // The input's own words, also where a message's ": " completes them ("std:" + ": ").
      bool echoed = text.find(jargon.substr(0, jargon.size() - 1)) != std::string_view::npos;
      if (!echoed && d.message.find(jargon) != std::string::npos)
        return "library jargon in a message: " + d.message;
    }
    if (d.loc.file != file) continue;
    if (d.loc.line < (lines_required ? 1 : 0) || d.loc.line > lines || d.loc.column < 0 ||
        (d.loc.line > 0 && d.loc.column < 1)) {
      return fmt::format("a diagnostic at {}:{} in a text of {} lines: {}", d.loc.line,
                         d.loc.column, lines, d.message);
    }
  }
  std::string shown = RenderDiagnostics(diags, sources);
  if (shown.size() > (size_t{1} << 20)) return fmt::format("{} bytes of diagnostics", shown.size());
  return std::nullopt;
}

// An import's outcome is coherent: a policy exactly when there is no error.
Failure CheckImported(std::string_view text, const std::string& file, const formats::Imported& r) {
  if (r.ok() == HasErrors(r.diagnostics)) {
    return r.ok() ? "a policy despite errors" : "no policy and no error saying why";
  }
  return CheckDiagnostics(text, file, r.diagnostics, r.sources, /*lines_required=*/false);
}

// A policy that parses, laid out by `sysgate fmt`, means the same and is laid out already.
Failure CheckLayout(std::string_view input, const std::string& file, const Policy& policy) {
  std::string laid = lang::FormatSource(input);
  ParsedPolicy again = ParsePolicyText(laid, file);
  if (!again.ok()) return "the laid-out policy does not parse: " + again.FirstError().ToString();
  if (!(*again.policy == policy)) return "the laid-out policy means something else";
  if (lang::FormatSource(laid) != laid) return "laying out twice changes the text";
  return std::nullopt;
}

Failure Native(std::string_view input) {
  std::string file = std::string(kDir) + "fuzz.sgp";
  ParsedPolicy parsed = ParsePolicyText(input, file);
  if (Failure f = CheckNativeParse(input, file, parsed)) return f;
  return parsed.ok() ? CheckLayout(input, file, *parsed.policy) : std::nullopt;
}

template <formats::Format F>
Failure Import(std::string_view input) {
  formats::ImportOptions o = Options(fmt::format("fuzz.{}", formats::FormatName(F)));
  return CheckImported(input, o.filename, formats::Import(input, F, o));
}

// Any format, detected as the CLI detects it.
formats::Imported ImportDetected(std::string_view input, formats::ImportOptions& o) {
  o = Options("fuzz");
  return formats::Import(input, formats::DetectFormat(input, o.filename), o);
}

Failure CompileAndVerify(std::string_view input) {
  formats::ImportOptions o;
  formats::Imported r = ImportDetected(input, o);
  if (Failure f = CheckImported(input, o.filename, r)) return f;
  if (!r.ok()) return std::nullopt;
  // Compile checks its program against the policy: a disagreement is a kInternal error.
  Result<bpf::Program> prog = Compile(*r.policy);
  if (!prog && prog.error().code == ErrorCode::kInternal) {
    return "compiler bug: " + prog.error().ToString();
  }
  return std::nullopt;  // compiled and verified, or over the kernel's 4096 instructions, ...
}

Failure ConvertRoundTrips(std::string_view input) {
  formats::ImportOptions o;
  formats::Imported r = ImportDetected(input, o);
  if (Failure f = CheckImported(input, o.filename, r)) return f;
  if (!r.ok()) return std::nullopt;
  for (formats::Format to :
       {formats::Format::kSysgate, formats::Format::kOci, formats::Format::kSystemd,
        formats::Format::kFirecracker, formats::Format::kSpo}) {
    formats::ExportOptions eo;
    eo.section = "fuzz";
    formats::Exported e = formats::Export(*r.policy, to, eo);
    if (!e.text) {
      if (!HasErrors(e.diagnostics))
        return fmt::format("{}: no text and no error saying why", formats::FormatName(to));
      continue;  // the format cannot say this policy
    }
    Result<analysis::TranslationReport> same =
        analysis::VerifyConversion(*e.means, *e.text, to, eo.section);
    if (!same)
      return fmt::format("to {}: {}\n{}", formats::FormatName(to), same.error().message, *e.text);
  }
  return std::nullopt;
}

// `p` without what the kernel ignores and so no listing shows: jt and jf outside conditional
// jumps, k where the operand is X or A or there is none.
bpf::Program Canonical(bpf::Program p) {
  using namespace bpf::op;
  for (bpf::Insn& i : p) {
    uint16_t c = i.code;
    if (!IsCondJump(c)) i.jt = i.jf = 0;
    bool no_k = (Class(c) == kRet && RetSrc(c) == kA) || Class(c) == kMisc ||
                (Class(c) == kAlu && (Src(c) == kX || Op(c) == kNeg)) ||
                ((Class(c) == kLd || Class(c) == kLdx) && Mode(c) == kLen) ||
                (IsCondJump(c) && Src(c) == kX);
    if (no_k) i.k = 0;
  }
  return p;
}

// A program's analyses agree with each other: what loads runs in the emulator on any input,
// and its asm-able listing assembles back to it (but for what the kernel ignores).
Failure CheckProgram(const bpf::Program& prog) {
  (void)analysis::Disassemble(prog, {.arch = Arch::kX86_64});
  if (!analysis::VerifyLoadable(prog)) return std::nullopt;
  for (const SeccompData& d :
       {SeccompData::For(Arch::kX86_64, 0), SeccompData::For(Arch::kI386, 11, {1, 2}),
        SeccompData::For(Arch::kAarch64, -1, {~0ULL}),
        SeccompData::For(Arch::kX86_64, 0x40000001)}) {
    if (Result<analysis::EmulateResult> run = analysis::Emulate(prog, d); !run) {
      return "a loadable program does not run: " + run.error().message;
    }
  }
  (void)analysis::ComputeStats(prog, Arch::kX86_64, {});
  // Decompiling gives a proven policy or refuses; an internal error means it made an inexact
  // or unreadable one.
  if (auto d = analysis::Decompile(prog, {.max_paths = 20000});
      !d && d.error().code == ErrorCode::kInternal) {
    return "decompile: " + d.error().message;
  }
  std::string text = analysis::Disassemble(prog, {.arch = Arch::kX86_64, .asm_able = true});
  Result<bpf::Program> back = analysis::Assemble(text, "fuzz.asm", Arch::kX86_64);
  if (!back)
    return "the asm-able listing does not assemble: " + back.error().ToString() + "\n" + text;
  if (Canonical(*back) != Canonical(prog))
    return "the asm-able listing assembles to another program:\n" + text;
  return std::nullopt;
}

Failure Bpf(std::string_view input) {
  for (Result<bpf::Program> p : {bpf::DecodeRaw(input), bpf::DecodeHex(input)}) {
    if (!p) continue;
    if (Failure f = CheckProgram(*p)) return f;
  }
  return std::nullopt;
}

Failure Asm(std::string_view input) {
  Result<bpf::Program> p = analysis::Assemble(input, "fuzz.asm", Arch::kX86_64);
  if (!p) {
    const Error& e = p.error();
    if (e.message.empty()) return "an assembler error without a message";
    if (e.loc.line > CountLines(input))
      return "an assembler error past the last line: " + e.ToString();
    return std::nullopt;
  }
  return CheckProgram(*p);
}

// Log lines: each seccomp record decoded and matched against the built-in default profile;
// an error is located within its line; what is decoded says what the record says.
// What `sysgate learn --from-log` makes of log lines: only calls their ABIs know, counted no
// more than the lines allow (a strace -c row excepted), every odd name with its line.
Failure CheckCallLog(std::string_view input) {
  learn::CallLog log(Arch::kX86_64);
  size_t lines = 0;
  for (size_t start = 0; start <= input.size(); ++lines) {
    size_t end = std::min(input.find('\n', start), input.size());
    log.Add(input.substr(start, end - start));
    start = end + 1;
  }
  learn::LogRead r = std::move(log).Finish();
  if (r.lines != lines || r.call_lines > lines) return "a log read as more lines than it has";
  for (const auto& [key, rec] : r.recording.calls) {
    const auto& [abi, name] = key;
    if (rec.count == 0) return "a call recorded zero times: " + name;
    if (!name.starts_with('#') && !SyscallNumber(abi, name))
      return "a call its ABI does not have: " + name;
  }
  for (const auto& [name, line] : r.unknown_names) {
    if (line < 1 || line > lines)
      return fmt::format("an unknown name at line {} of {}", line, lines);
  }
  return std::nullopt;
}

// A Landlock record against rules of each kind: what is granted is handled, and a denial is
// only the policy's when its rules handle something of it.
Failure CheckLandlock(const analysis::LandlockRecord& l) {
  static const Policy policy = *ParsePolicyText(
                                    "default allow\nfs read /etc\nfs read write /tmp\n"
                                    "net connect 443\nscope signals\n")
                                    .policy;
  for (const std::string& b : l.blockers) {
    if (b.empty()) return "an empty blocker";
  }
  if (l.kind != analysis::LandlockRecord::Kind::kAccess) return std::nullopt;  // context only
  static const AccessRules none;
  for (const AccessRules* rules : {&policy.access, &none}) {
    analysis::AccessExplained a = analysis::ExplainAccess(l, *rules);
    if ((a.granted_fs & ~a.handled_fs) || (a.granted_net & ~a.handled_net))
      return "a right granted that the rules do not handle";
    if (a.match == analysis::AccessExplained::Match::kDecided &&
        !(a.handled_fs | a.handled_net | a.scoped) && !(a.any_domain && !rules->empty()))
      return "a Landlock denial decided by rules that handle none of it";
    if (rules->empty() && a.match != analysis::AccessExplained::Match::kOtherDomain)
      return "a Landlock denial put on a policy without fs, net or scope rules";
  }
  return std::nullopt;
}

// run --log's reader of the kernel's records (tools/sysgate/kernel_denials.h), fed the lines
// that have the kernel log's shape ("audit: type=N TEXT") as the netlink socket would give
// them: it gives only access records, and holds no more than its bounds.
Failure CheckKernelDenials(std::string_view input) {
  // The child is pid 10, whose parent is the runner (1): no /proc is read.
  cli::DomainDenials denials("/usr/bin/sysgate", [](int32_t pid) -> std::optional<int32_t> {
    if (pid == 10) return 1;
    return std::nullopt;
  });
  denials.Expect(10);
  size_t records = 0, given = 0;
  for (size_t start = 0; start <= input.size();) {
    size_t end = std::min(input.find('\n', start), input.size());
    std::string_view line = input.substr(start, end - start);
    start = end + 1;
    constexpr std::string_view kPrefix = "audit: type=";
    if (!line.starts_with(kPrefix)) continue;
    line.remove_prefix(kPrefix.size());
    const size_t space = line.find(' ');
    if (space == std::string_view::npos) continue;
    auto type = base::ParseInteger(line.substr(0, space));
    if (!type || *type > UINT16_MAX) continue;
    ++records;
    for (const cli::KernelDenial& d :
         denials.Add(static_cast<uint16_t>(*type), line.substr(space + 1))) {
      if (d.access.kind != analysis::LandlockRecord::Kind::kAccess)
        return "run --log gave a record that is not a denial";
      ++given;
    }
  }
  given += denials.Flush().size();
  if (given > records) return "run --log gave more denials than it was given records";
  return std::nullopt;
}

Failure Explain(std::string_view input) {
  if (Failure f = CheckCallLog(input)) return f;
  if (Failure f = CheckKernelDenials(input)) return f;
  static const Policy policy = *ParseBuiltinProfile("default").policy;
  static const Interpreter interp(policy);
  int number = 0;
  for (size_t start = 0; start <= input.size();) {
    size_t end = std::min(input.find('\n', start), input.size());
    std::string_view line = input.substr(start, end - start);
    start = end + 1;
    ++number;
    auto r = analysis::ParseAuditRecord(line, {"fuzz.log", number, 0});
    // ParseSeccompRecord reads the seccomp records alone: the same ones, the same errors.
    auto seccomp_only = analysis::ParseSeccompRecord(line, {"fuzz.log", number, 0});
    const bool is_seccomp = r && *r && std::holds_alternative<analysis::SeccompRecord>(**r);
    if (seccomp_only && seccomp_only->has_value() != is_seccomp)
      return "ParseSeccompRecord and ParseAuditRecord disagree on a record";
    if (!seccomp_only && (r || r.error().ToString() != seccomp_only.error().ToString()))
      return "ParseSeccompRecord and ParseAuditRecord disagree on an error";
    if (!r) {
      const Error& e = r.error();
      if (e.message.empty() || e.loc.line != number)
        return "an explain error without a message or its line";
      if (e.loc.column < 1 || static_cast<size_t>(e.loc.column) > line.size()) {
        return fmt::format("an explain error at column {} of a line of {} bytes", e.loc.column,
                           line.size());
      }
      if (e.ToString().size() > 1000)
        return "an explain error of " + std::to_string(e.ToString().size()) + " bytes";
      continue;
    }
    if (!*r) continue;
    if (const auto* l = std::get_if<analysis::LandlockRecord>(&**r)) {
      if (Failure f = CheckLandlock(*l)) return f;
      continue;
    }
    if (!is_seccomp) continue;  // a SYSCALL or EOE record: context only
    analysis::Explained e = analysis::Explain(std::get<analysis::SeccompRecord>(**r), &interp);
    if (e.syscall.empty()) return "a record explained without a syscall";
    if (e.candidates.empty()) return "no verdict of the policy for a record";
    for (size_t m : e.matching) {
      if (m >= e.candidates.size()) return "a match past the candidates";
    }
  }
  return std::nullopt;
}

constexpr std::array kTargets = {
    Target{"native", Native},
    Target{"oci", Import<formats::Format::kOci>},
    Target{"systemd", Import<formats::Format::kSystemd>},
    Target{"minijail", Import<formats::Format::kMinijail>},
    Target{"kafel", Import<formats::Format::kKafel>},
    Target{"firecracker", Import<formats::Format::kFirecracker>},
    Target{"spo", Import<formats::Format::kSpo>},
    Target{"bpf", Bpf},
    Target{"asm", Asm},
    Target{"compile", CompileAndVerify},
    Target{"convert", ConvertRoundTrips},
    Target{"explain", Explain},
};

}  // namespace

Failure CheckNativeParse(std::string_view text, const std::string& file,
                         const ParsedPolicy& parsed) {
  if (parsed.ok()) {
    std::string printed = PrintPolicy(*parsed.policy);
    ParsedPolicy again = ParsePolicyText(printed);
    if (!again.ok())
      return "the printed policy does not parse back:\n" + printed + again.RenderDiagnostics();
    if (*again.policy != *parsed.policy)
      return "the printed policy parses back to another one:\n" + printed;
  } else if (!HasErrors(parsed.diagnostics)) {
    return "no policy and no error saying why";
  }
  return CheckDiagnostics(text, file, parsed.diagnostics, parsed.sources, /*lines_required=*/true);
}

std::span<const Target> Targets() { return kTargets; }

const Target* FindTarget(std::string_view name) {
  for (const Target& t : kTargets) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

}  // namespace sysgate::fuzz
