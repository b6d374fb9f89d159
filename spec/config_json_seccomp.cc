// config.json "linux.seccomp".
#include "spec/config_json.h"
#include "spec/config_json_internal.h"
#include "spec/json_read.h"
#include "spec/names.h"

namespace berth::spec {

using json::ObjectReader;

static Status Read(const Value& v, const std::string& path, SeccompArg& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Required("index", out.index));
  BERTH_TRY(o.Required("value", out.value));
  BERTH_TRY(o.Field("valueTwo", out.valueTwo));
  BERTH_TRY(o.RequiredName("op", kSeccompOperatorSet, out.op));
  return Ok();
}

static Status Read(const Value& v, const std::string& path, SeccompSyscall& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.Required("names", out.names));
  if (out.names.empty()) return json::PathError(o.PathOf("names"), "expected at least one name");
  BERTH_TRY(o.RequiredName("action", kSeccompActionSet, out.action));
  BERTH_TRY(o.Field("errnoRet", out.errnoRet));
  BERTH_TRY(o.Field("args", out.args));
  return Ok();
}

Status Read(const Value& v, const std::string& path, Seccomp& out) {
  auto o = BERTH_TRY(ObjectReader::Open(v, path));
  BERTH_TRY(o.RequiredName("defaultAction", kSeccompActionSet, out.defaultAction));
  BERTH_TRY(o.Field("defaultErrnoRet", out.defaultErrnoRet));
  BERTH_TRY(o.Names("architectures", kSeccompArchSet, out.architectures));
  BERTH_TRY(o.Names("flags", kSeccompFlagSet, out.flags));
  BERTH_TRY(o.Field("listenerPath", out.listenerPath));
  BERTH_TRY(o.Field("listenerMetadata", out.listenerMetadata));
  BERTH_TRY(o.Field("syscalls", out.syscalls));
  return Ok();
}

Result<Seccomp> ParseSeccomp(std::string_view text) {
  json::Value doc = BERTH_TRY(json::Parse(text));
  Seccomp seccomp;
  BERTH_TRY(Read(doc, "", seccomp));
  return seccomp;
}

void WriteSeccomp(json::Writer& w, const Seccomp& s) {
  w.BeginObject();
  w.Key("defaultAction");
  w.String(s.defaultAction);
  put::Int(w, "defaultErrnoRet", s.defaultErrnoRet);
  put::Strings(w, "architectures", s.architectures);
  put::Strings(w, "flags", s.flags);
  put::String(w, "listenerPath", s.listenerPath);
  put::String(w, "listenerMetadata", s.listenerMetadata);
  if (!s.syscalls.empty()) {
    w.Key("syscalls");
    w.BeginArray();
    for (const auto& sc : s.syscalls) {
      w.BeginObject();
      w.Key("names");
      w.BeginArray();
      for (const auto& name : sc.names) w.String(name);
      w.EndArray();
      w.Key("action");
      w.String(sc.action);
      put::Int(w, "errnoRet", sc.errnoRet);
      if (!sc.args.empty()) {
        w.Key("args");
        w.BeginArray();
        for (const auto& a : sc.args) {
          w.BeginObject();
          put::Int(w, "index", a.index);
          put::Int(w, "value", a.value);
          if (a.valueTwo != 0) put::Int(w, "valueTwo", a.valueTwo);
          w.Key("op");
          w.String(a.op);
          w.EndObject();
        }
        w.EndArray();
      }
      w.EndObject();
    }
    w.EndArray();
  }
  w.EndObject();
}

}  // namespace berth::spec
