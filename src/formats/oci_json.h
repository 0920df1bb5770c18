// The OCI linux.seccomp object for a policy, shared by the OCI and SPO readers and writers.
#pragma once

#include <vector>

#include <nlohmann/json.hpp>

#include "formats/json_locate.h"
#include "sysgate/formats.h"

namespace sysgate::formats {

// An OCI seccomp object (or a whole config.json) already parsed, its values located in the
// source by `locate`: what ImportOci and the SPO reader (whose source is YAML) share.
Imported ImportOciDocument(nlohmann::json doc, const ImportOptions& options,
                           const JsonLocator& locate);

// Errors and warnings go to `diags`; the object is meaningful only without errors.
nlohmann::ordered_json OciSeccompObject(const Policy& policy, const ExportOptions& options,
                                        std::vector<Diagnostic>& diags);

// What a profile written from `policy` means when read back (trap data dropped; numbers the
// tables do not know get ENOSYS): Exported::means for the OCI and SPO writers.
Policy OciMeaning(const Policy& policy);

// Whether runc knows `name` as a seccomp filter flag (SECCOMP_FILTER_FLAG_TSYNC, ...).
bool IsOciFilterFlag(std::string_view name);
// Those flags' names, for messages.
std::string OciFilterFlagNames();

// "SCMP_CMP_EQ", ... for kEq..kGe and kMaskedEq.
std::string_view ScmpCmpName(CmpOp op);

}  // namespace sysgate::formats
