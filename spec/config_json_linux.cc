// config.json "linux": namespaces, id mappings, devices, sysctl, paths,
// Intel RDT, personality, memory policy. Resources and seccomp have their own
// files.
#include "spec/config_json_internal.h"
#include "spec/json_read.h"
#include "spec/names.h"

namespace berth::spec {

using json::ObjectReader;

static Status Read(const Value& v, const std::string& path, Namespace& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  std::string type;
  BERTH_TRY(o.RequiredName("type", kNamespaceTypeSet, type));
  out.type = *NamespaceTypeFromName(type);
  BERTH_TRY(o.Field("path", out.path));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, TimeOffset& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Field("secs", out.secs));
  BERTH_TRY(o.Field("nanosecs", out.nanosecs));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, Device& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.RequiredName("type", kDeviceTypeSet, out.type));
  BERTH_TRY(o.Required("path", out.path));
  BERTH_TRY(o.Field("major", out.major));
  BERTH_TRY(o.Field("minor", out.minor));
  BERTH_TRY(o.Field("fileMode", out.fileMode));
  BERTH_TRY(o.Field("uid", out.uid));
  BERTH_TRY(o.Field("gid", out.gid));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, NetDevice& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Field("name", out.name));
  return Ok();
}

static Status ReadMemBwSchema(const Value& v, const std::string& path, std::string& out) {
  BERTH_TRY(json::Read(v, path, out));
  if (out.rfind("MB:", 0) != 0 || out.find('\n') != std::string::npos)
    return json::PathError(path, "expected \"MB:<schema>\" on one line");
  return Ok();
}

static Status Read(const Value& v, const std::string& path, IntelRdt& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Field("closID", out.closID));
  BERTH_TRY(o.Field("l3CacheSchema", out.l3CacheSchema));
  BERTH_TRY(o.Field("memBwSchema", out.memBwSchema, ReadMemBwSchema));
  BERTH_TRY(o.Field("schemata", out.schemata));
  BERTH_TRY(o.Field("enableMonitoring", out.enableMonitoring));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, Personality& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.RequiredName("domain", kPersonalityDomainSet, out.domain));
  BERTH_TRY(o.Field("flags", out.flags));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, MemoryPolicy& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.RequiredName("mode", kMemoryPolicyModeSet, out.mode));
  BERTH_TRY(o.Field("nodes", out.nodes));
  BERTH_TRY(o.Names("flags", kMemoryPolicyFlagSet, out.flags));
  return Ok();
}

Status Read(const Value& v, const std::string& path, Linux& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Field("namespaces", out.namespaces));
  BERTH_TRY(o.Field("uidMappings", out.uidMappings));
  BERTH_TRY(o.Field("gidMappings", out.gidMappings));
  BERTH_TRY(o.Field("timeOffsets", out.timeOffsets));
  BERTH_TRY(o.Field("devices", out.devices));
  BERTH_TRY(o.Field("netDevices", out.netDevices));
  BERTH_TRY(o.Field("cgroupsPath", out.cgroupsPath));
  BERTH_TRY(o.Field("resources", out.resources));
  BERTH_TRY(o.Field("intelRdt", out.intelRdt));
  BERTH_TRY(o.Field("sysctl", out.sysctl));
  BERTH_TRY(o.Field("seccomp", out.seccomp));
  BERTH_TRY(o.Name("rootfsPropagation", kRootfsPropagationSet, out.rootfsPropagation));
  BERTH_TRY(o.Field("maskedPaths", out.maskedPaths));
  BERTH_TRY(o.Field("readonlyPaths", out.readonlyPaths));
  BERTH_TRY(o.Field("mountLabel", out.mountLabel));
  BERTH_TRY(o.Field("personality", out.personality));
  BERTH_TRY(o.Field("memoryPolicy", out.memoryPolicy));
  return Ok();
}

// ---------------------------------------------------------------- writing

void WriteLinux(json::Writer& w, const Linux& l) {
  w.BeginObject();
  if (!l.namespaces.empty()) {
    w.Key("namespaces");
    w.BeginArray();
    for (const auto& ns : l.namespaces) {
      w.BeginObject();
      w.Key("type");
      w.String(NamespaceTypeName(ns.type));
      put::String(w, "path", ns.path);
      w.EndObject();
    }
    w.EndArray();
  }
  WriteIdMappings(w, "uidMappings", l.uidMappings);
  WriteIdMappings(w, "gidMappings", l.gidMappings);
  if (!l.timeOffsets.empty()) {
    w.Key("timeOffsets");
    w.BeginObject();
    for (const auto& [clock, off] : l.timeOffsets) {
      w.Key(clock);
      w.BeginObject();
      put::Int(w, "secs", off.secs);
      put::Int(w, "nanosecs", off.nanosecs);
      w.EndObject();
    }
    w.EndObject();
  }
  if (!l.devices.empty()) {
    w.Key("devices");
    w.BeginArray();
    for (const auto& d : l.devices) {
      w.BeginObject();
      w.Key("type");
      w.String(d.type);
      w.Key("path");
      w.String(d.path);
      put::Int(w, "major", d.major);
      put::Int(w, "minor", d.minor);
      put::Int(w, "fileMode", d.fileMode);
      put::Int(w, "uid", d.uid);
      put::Int(w, "gid", d.gid);
      w.EndObject();
    }
    w.EndArray();
  }
  if (!l.netDevices.empty()) {
    w.Key("netDevices");
    w.BeginObject();
    for (const auto& [host_name, dev] : l.netDevices) {
      w.Key(host_name);
      w.BeginObject();
      put::String(w, "name", dev.name);
      w.EndObject();
    }
    w.EndObject();
  }
  put::String(w, "cgroupsPath", l.cgroupsPath);
  if (l.resources) {
    w.Key("resources");
    WriteResources(w, *l.resources);
  }
  if (l.intelRdt) {
    const IntelRdt& r = *l.intelRdt;
    w.Key("intelRdt");
    w.BeginObject();
    put::String(w, "closID", r.closID);
    put::String(w, "l3CacheSchema", r.l3CacheSchema);
    put::String(w, "memBwSchema", r.memBwSchema);
    put::Strings(w, "schemata", r.schemata);
    put::Bool(w, "enableMonitoring", r.enableMonitoring);
    w.EndObject();
  }
  put::StringMap(w, "sysctl", l.sysctl);
  if (l.seccomp) {
    w.Key("seccomp");
    WriteSeccomp(w, *l.seccomp);
  }
  put::String(w, "rootfsPropagation", l.rootfsPropagation);
  put::Strings(w, "maskedPaths", l.maskedPaths);
  put::Strings(w, "readonlyPaths", l.readonlyPaths);
  put::String(w, "mountLabel", l.mountLabel);
  if (l.personality) {
    w.Key("personality");
    w.BeginObject();
    w.Key("domain");  // required, written even when empty
    w.String(l.personality->domain);
    put::Strings(w, "flags", l.personality->flags);
    w.EndObject();
  }
  if (l.memoryPolicy) {
    w.Key("memoryPolicy");
    w.BeginObject();
    w.Key("mode");  // required, written even when empty
    w.String(l.memoryPolicy->mode);
    put::String(w, "nodes", l.memoryPolicy->nodes);
    put::Strings(w, "flags", l.memoryPolicy->flags);
    w.EndObject();
  }
  w.EndObject();
}

}  // namespace berth::spec
