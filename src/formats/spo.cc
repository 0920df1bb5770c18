// Kubernetes Security Profiles Operator SeccompProfile (security-profiles-operator.x-k8s.io/v1):
// YAML whose spec holds the OCI fields. Read through the OCI reader; written from the same
// object the OCI writer makes.
#include <algorithm>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include "base/strings.h"
#include "formats/json_locate.h"
#include "formats/json_text.h"
#include "formats/oci_json.h"
#include "formats/registry.h"
#include "sysgate/limits.h"

namespace sysgate::formats {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

// The YAML tree as JSON, within sysgate's limits: aliases are expanded (a self-referencing one
// never ends, a "billion laughs" nearly so), so both the nesting and the nodes made are
// bounded. Scalars become numbers when they read as unsigned integers, strings otherwise.
class YamlToJson {
 public:
  explicit YamlToJson(const ImportOptions& o) : o_(o) {}

  std::optional<json> Convert(const YAML::Node& n) { return Node(n, 1, ""); }
  std::optional<Diagnostic> error;

  // Where each converted value came from (after Convert).
  JsonLocator TakeLocator() { return LocatorOf(std::move(marks_), o_.filename); }

 private:
  std::optional<json> Fail(const YAML::Node& n, std::string msg) {
    if (!error) error = Diagnostic{Severity::kError, At(n), std::move(msg), 1};
    return std::nullopt;
  }
  SourceLoc At(const YAML::Node& n) const {
    YAML::Mark m = n.Mark();
    return m.is_null() ? SourceLoc{o_.filename, 0, 0}
                       : SourceLoc{o_.filename, m.line + 1, m.column + 1};
  }

  std::optional<json> Node(const YAML::Node& n, int depth, const std::string& pointer) {
    if (depth > limits::kMaxNesting) {
      return Fail(n, fmt::format("the YAML nests deeper than {} levels (or an alias contains "
                                 "itself), sysgate's nesting limit (docs/limits.md)",
                                 limits::kMaxNesting));
    }
    if (++nodes_ > limits::kMaxYamlNodes) {
      return Fail(n, fmt::format("the YAML's aliases expand to more than {} nodes, sysgate's "
                                 "limit (docs/limits.md)",
                                 limits::kMaxYamlNodes));
    }
    marks_.emplace(pointer, At(n));
    switch (n.Type()) {
      case YAML::NodeType::Map: {
        json out = json::object();
        for (const auto& kv : n) {
          if (!kv.first.IsScalar())
            return Fail(kv.first, "a key must be a plain name, not a list or map");
          if (!base::IsUtf8(kv.first.Scalar())) return Fail(kv.first, "the key is not UTF-8 text");
          auto v = Node(kv.second, depth + 1, pointer + "/" + JsonPointerToken(kv.first.Scalar()));
          if (!v) return std::nullopt;
          out[kv.first.Scalar()] = std::move(*v);
        }
        return out;
      }
      case YAML::NodeType::Sequence: {
        json out = json::array();
        for (const auto& v : n) {
          auto j = Node(v, depth + 1, fmt::format("{}/{}", pointer, out.size()));
          if (!j) return std::nullopt;
          out.push_back(std::move(*j));
        }
        return out;
      }
      case YAML::NodeType::Scalar: {
        const std::string& s = n.Scalar();
        if (n.Tag() != "!" && !s.empty() && s[0] != '-' &&
            std::isdigit(static_cast<unsigned char>(s[0]))) {
          if (auto v = base::ParseInteger(s)) return json(*v);
        }
        if (!base::IsUtf8(s)) return Fail(n, "the value is not UTF-8 text");
        return json(s);
      }
      default: return json(nullptr);
    }
  }

  const ImportOptions& o_;
  size_t nodes_ = 0;
  JsonLocations marks_;
};

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
  out.diagnostics.push_back(
      {Severity::kError, SourceLoc{o.filename, line, col}, std::move(msg), 1});
  return out;
}

// Where `text` stops being what YAML allows: UTF-8 without control characters but tab, line
// feed and carriage return. (yaml-cpp loops, allocating without end, on some such bytes.)
std::optional<SourceLoc> FirstBadByte(std::string_view text, const std::string& file) {
  size_t bad = base::Utf8Prefix(text);
  for (size_t i = 0; i < bad; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) bad = i;
  }
  if (bad == text.size()) return std::nullopt;
  std::string_view before = text.substr(0, bad);
  size_t nl = before.rfind('\n');
  size_t line_start = nl == std::string_view::npos ? 0 : nl + 1;
  return SourceLoc{file, 1 + static_cast<int>(std::ranges::count(before, '\n')),
                   static_cast<int>(bad - line_start) + 1};
}

// Counts the documents yaml-cpp reads without building them: where the one past the limit
// starts, if there is one.
class DocumentCounter : public YAML::EventHandler {
 public:
  size_t count = 0;
  YAML::Mark last;
  void OnDocumentStart(const YAML::Mark& mark) override {
    ++count;
    last = mark;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

std::optional<YAML::Mark> PastDocumentLimit(std::string_view text) {
  std::istringstream in{std::string(text)};
  YAML::Parser parser(in);
  DocumentCounter counter;
  while (parser.HandleNextDocument(counter))
    if (counter.count > limits::kMaxYamlDocuments) return counter.last;
  return std::nullopt;
}

}  // namespace

static Imported ImportSpoDocument(std::string_view text, const ImportOptions& o) {
  if (std::optional<SourceLoc> at = FirstBadByte(text, o.filename)) {
    Imported out;
    out.diagnostics.push_back(
        {Severity::kError, *at, "YAML is UTF-8 text without control characters; this is not", 1});
    return out;
  }
  std::vector<YAML::Node> docs;
  try {
    if (std::optional<YAML::Mark> at = PastDocumentLimit(text))
      return Fail(o,
                  fmt::format("more than {} YAML documents in one file (the limit)",
                              limits::kMaxYamlDocuments),
                  at->line + 1, at->column + 1);
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    return Fail(o, "not valid YAML: " + e.msg, e.mark.line + 1, e.mark.column + 1);
  }
  std::vector<std::pair<std::string, YAML::Node>> profiles;
  std::optional<YAML::Node> other_kind;
  for (const YAML::Node& d : docs) {
    if (!d.IsMap() || !d["kind"]) continue;
    if (!d["kind"].IsScalar() || d["kind"].Scalar() != "SeccompProfile") {
      if (!other_kind) other_kind = d["kind"];
      continue;
    }
    std::string name = d["metadata"] && d["metadata"]["name"] && d["metadata"]["name"].IsScalar()
                           ? d["metadata"]["name"].Scalar()
                           : "";
    profiles.emplace_back(name, d);
  }
  if (profiles.empty() && other_kind) {
    YAML::Mark m = other_kind->Mark();
    return Fail(
        o,
        fmt::format("the file holds no SeccompProfile: its kind is {}, not SeccompProfile",
                    other_kind->IsScalar() ? "'" + base::Abbreviate(other_kind->Scalar()) + "'"
                                           : "not a name"),
        m.line + 1, m.column + 1);
  }
  if (profiles.empty()) return Fail(o, "no SeccompProfile in the file (kind: SeccompProfile)");
  const YAML::Node* chosen = nullptr;
  std::vector<std::string> names;
  for (auto& [n, d] : profiles) {
    names.push_back(n);
    if (n == o.section || (o.section.empty() && profiles.size() == 1)) chosen = &d;
  }
  if (!chosen) {
    return Fail(
        o, fmt::format("{} '{}': the file has {} (choose with --section)",
                       o.section.empty() ? "several profiles, none chosen" : "no profile named",
                       o.section, fmt::join(names, ", ")));
  }
  const YAML::Node& spec = (*chosen)["spec"];
  if (!spec || !spec.IsMap()) return Fail(o, "the SeccompProfile has no spec");
  YamlToJson convert(o);
  std::optional<json> converted = convert.Convert(spec);
  if (!converted) {
    Imported out;
    out.diagnostics.push_back(*convert.error);
    return out;
  }
  json& j = *converted;
  std::vector<Diagnostic> notes;
  if (j.contains("baseProfileName")) {
    notes.push_back({Severity::kWarning, SourceLoc{o.filename, 0, 0},
                     fmt::format("baseProfileName {} is not resolved (it names a cluster object or "
                                 "an OCI artifact): the policy holds this profile's own rules only",
                                 ShortJson(j["baseProfileName"])),
                     1});
    j.erase("baseProfileName");
  }
  if (j.contains("state") && j["state"] == "Disabled") {
    notes.push_back({Severity::kWarning, SourceLoc{o.filename, 0, 0},
                     "the profile's state is Disabled: the operator does not install it", 1});
  }
  j.erase("state");
  Imported out = ImportOciDocument(std::move(j), o, convert.TakeLocator());
  out.diagnostics.insert(out.diagnostics.begin(), notes.begin(), notes.end());
  return out;
}

Imported ImportSpo(std::string_view text, const ImportOptions& o) {
  try {
    return ImportSpoDocument(text, o);
  } catch (const YAML::Exception& e) {  // a shape the checks missed: never let it escape
    return Fail(o, "malformed SeccompProfile: " + e.msg, e.mark.line + 1, e.mark.column + 1);
  } catch (const std::exception& e) {  // nothing the library says in its own words reaches users
    return Fail(o, "malformed SeccompProfile: a value of an unexpected type");
  }
}

Exported ExportSpo(const Policy& p, const ExportOptions& o) {
  Exported e;
  ojson spec = OciSeccompObject(p, o, e.diagnostics);
  if (!o.runtime.listener_path.empty() &&
      !o.runtime.listener_path.starts_with("/var/run/security-profiles-operator/")) {
    e.diagnostics.push_back(
        {Severity::kWarning,
         {},
         "the operator accepts listenerPath only under /var/run/security-profiles-operator/",
         1});
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
