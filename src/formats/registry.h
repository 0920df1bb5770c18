// The readers and writers behind formats::Import / formats::Export, one file each.
#pragma once

#include "sysgate/formats.h"

namespace sysgate::formats {

Exported ExportOci(const Policy& policy, const ExportOptions& options);
Imported ImportSystemd(std::string_view text, const ImportOptions& options);
Exported ExportSystemd(const Policy& policy, const ExportOptions& options);
Imported ImportMinijail(std::string_view text, const ImportOptions& options);
Imported ImportKafel(std::string_view text, const ImportOptions& options);
Imported ImportFirecracker(std::string_view text, const ImportOptions& options);
Exported ExportFirecracker(const Policy& policy, const ExportOptions& options);
Imported ImportSpo(std::string_view text, const ImportOptions& options);
Exported ExportSpo(const Policy& policy, const ExportOptions& options);

// The last step of every reader: errno(0) is allowed where the format wrote it (other tools
// take it as "fake success"), then the policy is resolved and validated; `out` gets the
// diagnostics, and the policy when there is no error.
Imported Finish(Policy p, Imported out);

// `p` with trap data set to 0, for formats whose trap carries none.
Policy WithoutTrapData(Policy p);

// Shared by the readers: the ABI a single-arch format targets (options.arch, else the host).
Arch TargetArch(const ImportOptions& options);
// The error/warning for a syscall name the tables do not know (strict: error).
Diagnostic UnknownSyscallDiagnostic(const ImportOptions& o, const SourceLoc& loc,
                                    std::string_view name, std::string_view what_happens);

}  // namespace sysgate::formats
