// Kubernetes Security Profiles Operator SeccompProfile (security-profiles-operator.x-k8s.io/v1):
// YAML whose spec holds the OCI fields. Read through the OCI reader; written from the same
// object the OCI writer makes.
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <yaml-cpp/yaml.h>

#include "base/strings.h"
#include "formats/oci_json.h"
#include "formats/registry.h"

namespace sysgate::formats {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

// YAML scalars become numbers when they read as unsigned integers, strings otherwise.
json ToJson(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      json out = json::object();
      for (const auto& kv : n) out[kv.first.as<std::string>()] = ToJson(kv.second);
      return out;
    }
    case YAML::NodeType::Sequence: {
      json out = json::array();
      for (const auto& v : n) out.push_back(ToJson(v));
      return out;
    }
    case YAML::NodeType::Scalar: {
      std::string s = n.Scalar();
      if (n.Tag() != "!" && !s.empty() && s[0] != '-' && std::isdigit(static_cast<unsigned char>(s[0]))) {
        if (auto v = base::ParseInteger(s)) return *v;
      }
      return s;
    }
    default: return nullptr;
  }
}

YAML::Node ToYaml(const ojson& j) {
  YAML::Node n;
  if (j.is_object()) {
    for (auto& [k, v] : j.items()) n[k] = ToYaml(v);
  } else if (j.is_array()) {
    n = YAML::Node(YAML::NodeType::Sequence);
    for (const ojson& v : j) n.push_back(ToYaml(v));
  } else if (j.is_string()) {
    n = j.get<std::string>();
  } else if (j.is_number_unsigned()) {
    n = j.get<uint64_t>();
  } else if (j.is_number_integer()) {
    n = j.get<int64_t>();
  }
  return n;
}

Imported Fail(const ImportOptions& o, std::string msg, int line = 0, int col = 0) {
  Imported out;
  out.diagnostics.push_back({Severity::kError, SourceLoc{o.filename, line, col}, std::move(msg), 1});
  return out;
}

}  // namespace

static Imported ImportSpoDocument(std::string_view text, const ImportOptions& o) {
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    return Fail(o, "not valid YAML: " + e.msg, e.mark.line + 1, e.mark.column + 1);
  }
  std::vector<std::pair<std::string, YAML::Node>> profiles;
  for (const YAML::Node& d : docs) {
    if (!d.IsMap() || !d["kind"] || !d["kind"].IsScalar() || d["kind"].Scalar() != "SeccompProfile") continue;
    std::string name = d["metadata"] && d["metadata"]["name"] && d["metadata"]["name"].IsScalar() ? d["metadata"]["name"].Scalar() : "";
    profiles.emplace_back(name, d);
  }
  if (profiles.empty()) return Fail(o, "no SeccompProfile in the file (kind: SeccompProfile)");
  const YAML::Node* chosen = nullptr;
  std::vector<std::string> names;
  for (auto& [n, d] : profiles) {
    names.push_back(n);
    if (n == o.section || (o.section.empty() && profiles.size() == 1)) chosen = &d;
  }
  if (!chosen) {
    return Fail(o, fmt::format("{} '{}': the file has {} (choose with --section)",
                               o.section.empty() ? "several profiles, none chosen" : "no profile named",
                               o.section, fmt::join(names, ", ")));
  }
  const YAML::Node& spec = (*chosen)["spec"];
  if (!spec || !spec.IsMap()) return Fail(o, "the SeccompProfile has no spec");
  json j = ToJson(spec);
  std::vector<Diagnostic> notes;
  if (j.contains("baseProfileName")) {
    notes.push_back({Severity::kWarning, SourceLoc{o.filename, 0, 0}, fmt::format("baseProfileName '{}' is not resolved (it names a cluster object or an OCI artifact): the policy holds this profile's own rules only", j["baseProfileName"].dump()), 1});
    j.erase("baseProfileName");
  }
  if (j.contains("state") && j["state"] == "Disabled") {
    notes.push_back({Severity::kWarning, SourceLoc{o.filename, 0, 0}, "the profile's state is Disabled: the operator does not install it", 1});
  }
  j.erase("state");
  Imported out = ImportOci(j.dump(), o);
  out.diagnostics.insert(out.diagnostics.begin(), notes.begin(), notes.end());
  return out;
}

Imported ImportSpo(std::string_view text, const ImportOptions& o) {
  try {
    return ImportSpoDocument(text, o);
  } catch (const YAML::Exception& e) {  // a shape the checks missed: never let it escape
    return Fail(o, "malformed SeccompProfile: " + e.msg, e.mark.line + 1, e.mark.column + 1);
  } catch (const std::exception& e) {
    return Fail(o, std::string("malformed SeccompProfile: ") + e.what());
  }
}

Exported ExportSpo(const Policy& p, const ExportOptions& o) {
  Exported e;
  ojson spec = OciSeccompObject(p, o, e.diagnostics);
  if (!o.runtime.listener_path.empty() && !o.runtime.listener_path.starts_with("/var/run/security-profiles-operator/")) {
    e.diagnostics.push_back({Severity::kWarning, {}, "the operator accepts listenerPath only under /var/run/security-profiles-operator/", 1});
  }
  if (HasErrors(e.diagnostics)) return e;
  YAML::Emitter out;
  out << YAML::BeginMap;
  out << YAML::Key << "apiVersion" << YAML::Value << "security-profiles-operator.x-k8s.io/v1";
  out << YAML::Key << "kind" << YAML::Value << "SeccompProfile";
  out << YAML::Key << "metadata" << YAML::Value << YAML::BeginMap << YAML::Key << "name"
      << YAML::Value << (o.section.empty() ? "sysgate-profile" : o.section) << YAML::EndMap;
  out << YAML::Key << "spec" << YAML::Value << ToYaml(spec);
  out << YAML::EndMap;
  e.text = std::string("---\n") + out.c_str() + "\n";
  e.means = OciMeaning(p);
  return e;
}

}  // namespace sysgate::formats
