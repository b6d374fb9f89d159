// Internal to spec/: per-area readers and writers of config.json, split by
// area (config_json_*.cc). Read overloads are found by argument-dependent
// lookup from the generic readers in json_read.h.
#pragma once

#include <string>

#include "runtime/base/error.h"
#include "spec/config.h"
#include "spec/json.h"

namespace berth::spec {

using json::Value;

// config_json_process.cc
Status Read(const Value& v, const std::string& path, Process& out);
void WriteProcess(json::Writer& w, const Process& p);

// config_json.cc (root, mounts, hooks)
Status Read(const Value& v, const std::string& path, IdMapping& out);
void WriteIdMappings(json::Writer& w, std::string_view key, const std::vector<IdMapping>& maps);

// config_json_linux.cc
Status Read(const Value& v, const std::string& path, Linux& out);
void WriteLinux(json::Writer& w, const Linux& l);

// config_json_resources.cc
Status Read(const Value& v, const std::string& path, Resources& out);
void WriteResources(json::Writer& w, const Resources& r);

// config_json_seccomp.cc
Status Read(const Value& v, const std::string& path, Seccomp& out);
void WriteSeccomp(json::Writer& w, const Seccomp& s);

// Small writing helpers: absent/empty values are omitted.
namespace put {
void String(json::Writer& w, std::string_view key, const std::string& s);
void Strings(json::Writer& w, std::string_view key, const std::vector<std::string>& v);
void StringMap(json::Writer& w, std::string_view key, const std::map<std::string, std::string>& m);
template <class I>
void Int(json::Writer& w, std::string_view key, I v) {
  w.Key(key);
  if constexpr (std::is_signed_v<I>)
    w.Int(static_cast<int64_t>(v));
  else
    w.Uint(static_cast<uint64_t>(v));
}
template <class I>
void Int(json::Writer& w, std::string_view key, const std::optional<I>& v) {
  if (v) Int(w, key, *v);
}
inline void Bool(json::Writer& w, std::string_view key, const std::optional<bool>& v) {
  if (v) {
    w.Key(key);
    w.Bool(*v);
  }
}
}  // namespace put

}  // namespace berth::spec
