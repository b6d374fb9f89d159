#include "spec/features.h"

#include "spec/config.h"
#include "spec/json.h"
#include "spec/json_read.h"
#include "spec/names.h"

namespace berth::spec {

using json::ObjectReader;
using json::Value;

namespace {

// An optional list whose items must be names of `set`.
auto NamesOf(const NameSet& set) {
  return [&set](const Value& v, const std::string& path,
                std::optional<std::vector<std::string>>& out) -> Status {
    std::vector<std::string> names;
    BERTH_TRY(json::ReadNames(v, path, set, names));
    out = std::move(names);
    return Ok();
  };
}

// Capability names are open-ended here (a newer kernel's runtime may list
// more): the schema's pattern ^CAP_[A-Z_]+$ is what is checked.
Status ReadCapabilityPatterns(const Value& v, const std::string& path,
                              std::optional<std::vector<std::string>>& out) {
  std::vector<std::string> caps;
  BERTH_TRY(json::Read(v, path, caps));
  for (size_t i = 0; i < caps.size(); ++i) {
    const std::string& c = caps[i];
    bool ok = c.size() > 4 && c.rfind("CAP_", 0) == 0;
    for (size_t k = 4; ok && k < c.size(); ++k) ok = (c[k] >= 'A' && c[k] <= 'Z') || c[k] == '_';
    if (!ok)
      return json::PathError(json::IndexPath(path, i),
                             "expected a capability name like \"CAP_KILL\", got \"" + c + "\"");
  }
  out = std::move(caps);
  return Ok();
}

}  // namespace

static Status Read(const Value& v, const std::string& path, EnabledFeature& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  return o.Field("enabled", out.enabled);
}

static Status Read(const Value& v, const std::string& path, CgroupFeatures& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Field("v1", out.v1));
  BERTH_TRY(o.Field("v2", out.v2));
  BERTH_TRY(o.Field("systemd", out.systemd));
  BERTH_TRY(o.Field("systemdUser", out.systemdUser));
  BERTH_TRY(o.Field("rdma", out.rdma));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, SeccompFeatures& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Field("enabled", out.enabled));
  BERTH_TRY(o.Field("actions", out.actions, NamesOf(kSeccompActionSet)));
  BERTH_TRY(o.Field("operators", out.operators, NamesOf(kSeccompOperatorSet)));
  BERTH_TRY(o.Field("archs", out.archs, NamesOf(kSeccompArchSet)));
  BERTH_TRY(o.Field("knownFlags", out.knownFlags, NamesOf(kSeccompFlagSet)));
  BERTH_TRY(o.Field("supportedFlags", out.supportedFlags, NamesOf(kSeccompFlagSet)));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, IntelRdtFeatures& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Field("enabled", out.enabled));
  BERTH_TRY(o.Field("schemata", out.schemata));
  BERTH_TRY(o.Field("monitoring", out.monitoring));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, MemoryPolicyFeatures& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Field("modes", out.modes, NamesOf(kMemoryPolicyModeSet)));
  BERTH_TRY(o.Field("flags", out.flags, NamesOf(kMemoryPolicyFlagSet)));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, MountExtensionsFeatures& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  return o.Field("idmap", out.idmap);
}

static Status Read(const Value& v, const std::string& path, LinuxFeatures& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Field("namespaces", out.namespaces, NamesOf(kNamespaceTypeSet)));
  BERTH_TRY(o.Field("capabilities", out.capabilities, ReadCapabilityPatterns));
  BERTH_TRY(o.Field("cgroup", out.cgroup));
  BERTH_TRY(o.Field("seccomp", out.seccomp));
  BERTH_TRY(o.Field("apparmor", out.apparmor));
  BERTH_TRY(o.Field("selinux", out.selinux));
  BERTH_TRY(o.Field("intelRdt", out.intelRdt));
  BERTH_TRY(o.Field("memoryPolicy", out.memoryPolicy));
  BERTH_TRY(o.Field("mountExtensions", out.mountExtensions));
  BERTH_TRY(o.Field("netDevices", out.netDevices));
  return Ok();
}

Result<Features> ParseFeatures(std::string_view text) {
  Value doc = BERTH_TRY(json::Parse(text));
  auto o = BERTH_TRY(ObjectReader::Open(doc, ""));
  Features f;
  BERTH_TRY(o.Required("ociVersionMin", f.ociVersionMin));
  BERTH_TRY(o.Required("ociVersionMax", f.ociVersionMax));
  BERTH_TRY(o.Field("hooks", f.hooks));
  BERTH_TRY(o.Field("mountOptions", f.mountOptions));
  BERTH_TRY(o.Field("annotations", f.annotations));
  BERTH_TRY(o.Field("potentiallyUnsafeConfigAnnotations", f.potentiallyUnsafeConfigAnnotations));
  BERTH_TRY(o.Field("linux", f.linux_));
  return f;
}

// ---------------------------------------------------------------- writing

namespace {

void PutList(json::Writer& w, std::string_view key, const std::optional<std::vector<std::string>>& list) {
  if (!list) return;
  w.Key(key);
  w.BeginArray();
  for (const auto& s : *list) w.String(s);
  w.EndArray();
}

void PutBool(json::Writer& w, std::string_view key, const std::optional<bool>& b) {
  if (!b) return;
  w.Key(key);
  w.Bool(*b);
}

void PutEnabled(json::Writer& w, std::string_view key, const std::optional<EnabledFeature>& e) {
  if (!e) return;
  w.Key(key);
  w.BeginObject();
  PutBool(w, "enabled", e->enabled);
  w.EndObject();
}

void WriteLinuxFeatures(json::Writer& w, const LinuxFeatures& l) {
  w.BeginObject();
  PutList(w, "namespaces", l.namespaces);
  PutList(w, "capabilities", l.capabilities);
  if (l.cgroup) {
    w.Key("cgroup");
    w.BeginObject();
    PutBool(w, "v1", l.cgroup->v1);
    PutBool(w, "v2", l.cgroup->v2);
    PutBool(w, "systemd", l.cgroup->systemd);
    PutBool(w, "systemdUser", l.cgroup->systemdUser);
    PutBool(w, "rdma", l.cgroup->rdma);
    w.EndObject();
  }
  if (l.seccomp) {
    w.Key("seccomp");
    w.BeginObject();
    PutBool(w, "enabled", l.seccomp->enabled);
    PutList(w, "actions", l.seccomp->actions);
    PutList(w, "operators", l.seccomp->operators);
    PutList(w, "archs", l.seccomp->archs);
    PutList(w, "knownFlags", l.seccomp->knownFlags);
    PutList(w, "supportedFlags", l.seccomp->supportedFlags);
    w.EndObject();
  }
  PutEnabled(w, "apparmor", l.apparmor);
  PutEnabled(w, "selinux", l.selinux);
  if (l.intelRdt) {
    w.Key("intelRdt");
    w.BeginObject();
    PutBool(w, "enabled", l.intelRdt->enabled);
    PutBool(w, "schemata", l.intelRdt->schemata);
    PutBool(w, "monitoring", l.intelRdt->monitoring);
    w.EndObject();
  }
  if (l.memoryPolicy) {
    w.Key("memoryPolicy");
    w.BeginObject();
    PutList(w, "modes", l.memoryPolicy->modes);
    PutList(w, "flags", l.memoryPolicy->flags);
    w.EndObject();
  }
  if (l.mountExtensions) {
    w.Key("mountExtensions");
    w.BeginObject();
    PutEnabled(w, "idmap", l.mountExtensions->idmap);
    w.EndObject();
  }
  PutEnabled(w, "netDevices", l.netDevices);
  w.EndObject();
}

}  // namespace

std::string SerializeFeatures(const Features& f, bool pretty) {
  json::Writer w(pretty);
  w.BeginObject();
  w.Key("ociVersionMin");
  w.String(f.ociVersionMin);
  w.Key("ociVersionMax");
  w.String(f.ociVersionMax);
  PutList(w, "hooks", f.hooks);
  PutList(w, "mountOptions", f.mountOptions);
  if (!f.annotations.empty()) {
    w.Key("annotations");
    w.BeginObject();
    for (const auto& [k, v] : f.annotations) {
      w.Key(k);
      w.String(v);
    }
    w.EndObject();
  }
  PutList(w, "potentiallyUnsafeConfigAnnotations", f.potentiallyUnsafeConfigAnnotations);
  if (f.linux_) {
    w.Key("linux");
    WriteLinuxFeatures(w, *f.linux_);
  }
  w.EndObject();
  return w.Take();
}

Features RecognizedFeatures() {
  auto list = [](const auto& names) { return std::vector<std::string>(names.begin(), names.end()); };
  Features f;
  f.ociVersionMin = "1.0.0";
  f.ociVersionMax = std::string(kOciVersion);
  f.hooks = {"prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop"};
  LinuxFeatures& l = f.linux_.emplace();
  l.namespaces = list(names::kNamespaceTypes);
  l.capabilities = list(names::kCapabilities);
  SeccompFeatures& s = l.seccomp.emplace();
  s.actions = list(names::kSeccompActions);
  s.operators = list(names::kSeccompOperators);
  s.archs = list(names::kSeccompArchitectures);
  s.knownFlags = list(names::kSeccompFlags);
  MemoryPolicyFeatures& m = l.memoryPolicy.emplace();
  m.modes = list(names::kMemoryPolicyModes);
  m.flags = list(names::kMemoryPolicyFlags);
  return f;
}

}  // namespace berth::spec
