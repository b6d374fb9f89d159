// config.json: the document, root, mounts, hooks; shared writing helpers.
#include "spec/config_json.h"

#include <fcntl.h>
#include <unistd.h>

#include "spec/config_json_internal.h"
#include "spec/input_file.h"
#include "spec/json_read.h"

namespace berth::spec {

using json::ObjectReader;

// ---------------------------------------------------------------- reading

Status Read(const Value& v, const std::string& path, IdMapping& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Required("containerID", out.containerID));
  BERTH_TRY(o.Required("hostID", out.hostID));
  BERTH_TRY(o.Required("size", out.size));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, Root& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Required("path", out.path));
  BERTH_TRY(o.Field("readonly", out.readonly));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, Mount& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Required("destination", out.destination));
  BERTH_TRY(o.Field("type", out.type));
  BERTH_TRY(o.Field("source", out.source));
  BERTH_TRY(o.Field("options", out.options));
  BERTH_TRY(o.Field("uidMappings", out.uidMappings));
  BERTH_TRY(o.Field("gidMappings", out.gidMappings));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, Hook& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Required("path", out.path));
  BERTH_TRY(o.Field("args", out.args));
  BERTH_TRY(o.Field("env", out.env));
  BERTH_TRY(o.Field("timeout", out.timeout));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, Hooks& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Field("prestart", out.prestart));
  BERTH_TRY(o.Field("createRuntime", out.createRuntime));
  BERTH_TRY(o.Field("createContainer", out.createContainer));
  BERTH_TRY(o.Field("startContainer", out.startContainer));
  BERTH_TRY(o.Field("poststart", out.poststart));
  BERTH_TRY(o.Field("poststop", out.poststop));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, Config& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Required("ociVersion", out.ociVersion));
  BERTH_TRY(o.Field("root", out.root));
  BERTH_TRY(o.Field("process", out.process));
  BERTH_TRY(o.Field("hostname", out.hostname));
  BERTH_TRY(o.Field("domainname", out.domainname));
  BERTH_TRY(o.Field("mounts", out.mounts));
  BERTH_TRY(o.Field("hooks", out.hooks));
  BERTH_TRY(o.Field("annotations", out.annotations));
  BERTH_TRY(o.Field("linux", out.linux_));
  return Ok();
}

Result<Config> ParseConfig(std::string_view text) {
  json::Value doc = BERTH_TRY(json::Parse(text));
  Config config;
  BERTH_TRY(Read(doc, "", config));
  return config;
}

Result<Resources> ParseResources(std::string_view text) {
  json::Value doc = BERTH_TRY(json::Parse(text));
  if (doc.kind != json::Kind::object)
    return Error(EINVAL, "resources: expected object, got " + std::string(json::KindName(doc.kind)));
  Resources resources;
  BERTH_TRY(Read(doc, "", resources));
  return resources;
}

Result<Config> ReadConfigFile(const std::string& path) {
  std::string text = BERTH_TRY(ReadInputFile(path));
  auto config = ParseConfig(text);
  if (!config) return std::move(config).error().Context(path);
  return config;
}

// ---------------------------------------------------------------- writing

namespace put {
void String(json::Writer& w, std::string_view key, const std::string& s) {
  if (s.empty()) return;
  w.Key(key);
  w.String(s);
}
void Strings(json::Writer& w, std::string_view key, const std::vector<std::string>& v) {
  if (v.empty()) return;
  w.Key(key);
  w.BeginArray();
  for (const auto& s : v) w.String(s);
  w.EndArray();
}
void StringMap(json::Writer& w, std::string_view key, const std::map<std::string, std::string>& m) {
  if (m.empty()) return;
  w.Key(key);
  w.BeginObject();
  for (const auto& [k, v] : m) {
    w.Key(k);
    w.String(v);
  }
  w.EndObject();
}
}  // namespace put

void WriteIdMappings(json::Writer& w, std::string_view key, const std::vector<IdMapping>& maps) {
  if (maps.empty()) return;
  w.Key(key);
  w.BeginArray();
  for (const auto& m : maps) {
    w.BeginObject();
    put::Int(w, "containerID", m.containerID);
    put::Int(w, "hostID", m.hostID);
    put::Int(w, "size", m.size);
    w.EndObject();
  }
  w.EndArray();
}

namespace {

void WriteMount(json::Writer& w, const Mount& m) {
  w.BeginObject();
  w.Key("destination");
  w.String(m.destination);
  put::String(w, "type", m.type);
  put::String(w, "source", m.source);
  put::Strings(w, "options", m.options);
  WriteIdMappings(w, "uidMappings", m.uidMappings);
  WriteIdMappings(w, "gidMappings", m.gidMappings);
  w.EndObject();
}

void WriteHookList(json::Writer& w, std::string_view key, const std::vector<Hook>& hooks) {
  if (hooks.empty()) return;
  w.Key(key);
  w.BeginArray();
  for (const auto& h : hooks) {
    w.BeginObject();
    w.Key("path");
    w.String(h.path);
    put::Strings(w, "args", h.args);
    put::Strings(w, "env", h.env);
    put::Int(w, "timeout", h.timeout);
    w.EndObject();
  }
  w.EndArray();
}

void WriteHooks(json::Writer& w, const Hooks& h) {
  w.BeginObject();
  WriteHookList(w, "prestart", h.prestart);
  WriteHookList(w, "createRuntime", h.createRuntime);
  WriteHookList(w, "createContainer", h.createContainer);
  WriteHookList(w, "startContainer", h.startContainer);
  WriteHookList(w, "poststart", h.poststart);
  WriteHookList(w, "poststop", h.poststop);
  w.EndObject();
}

std::string Serialize(const Config& c, bool pretty) {
  json::Writer w(pretty);
  w.BeginObject();
  w.Key("ociVersion");
  w.String(c.ociVersion);
  if (c.process) {
    w.Key("process");
    WriteProcess(w, *c.process);
  }
  if (c.root) {
    w.Key("root");
    w.BeginObject();
    w.Key("path");
    w.String(c.root->path);
    if (c.root->readonly) {
      w.Key("readonly");
      w.Bool(true);
    }
    w.EndObject();
  }
  put::String(w, "hostname", c.hostname);
  put::String(w, "domainname", c.domainname);
  if (!c.mounts.empty()) {
    w.Key("mounts");
    w.BeginArray();
    for (const auto& m : c.mounts) WriteMount(w, m);
    w.EndArray();
  }
  if (c.hooks) {
    w.Key("hooks");
    WriteHooks(w, *c.hooks);
  }
  put::StringMap(w, "annotations", c.annotations);
  if (c.linux_) {
    w.Key("linux");
    WriteLinux(w, *c.linux_);
  }
  w.EndObject();
  return w.Take();
}

}  // namespace

std::string SerializeConfig(const Config& config) { return Serialize(config, false); }
std::string SerializeConfigPretty(const Config& config) { return Serialize(config, true); }

}  // namespace berth::spec
