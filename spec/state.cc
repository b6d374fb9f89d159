#include "spec/state.h"

#include "spec/json.h"
#include "spec/json_read.h"
#include "spec/names.h"

namespace berth::spec {

std::string_view ContainerStatusName(ContainerStatus status) {
  return names::kContainerStatuses[static_cast<size_t>(status)];
}

Result<ContainerStatus> ContainerStatusFromName(std::string_view name) {
  for (size_t i = 0; i < names::kContainerStatuses.size(); ++i)
    if (names::kContainerStatuses[i] == name) return static_cast<ContainerStatus>(i);
  return Error("unknown container status \"" + std::string(name) + "\"");
}

Result<State> ParseState(std::string_view text) {
  json::Value doc = BERTH_TRY(json::Parse(text));
  auto o = BERTH_TRY(json::ObjectReader::Open(doc, ""));
  State state;
  BERTH_TRY(o.Required("ociVersion", state.ociVersion));
  BERTH_TRY(o.Required("id", state.id));
  std::string status;
  BERTH_TRY(o.RequiredName("status", kContainerStatusSet, status));
  state.status = ContainerStatusFromName(status).value();
  BERTH_TRY(o.Field("pid", state.pid));
  if (state.pid < 0) return json::PathError("pid", "expected pid >= 0, got " + std::to_string(state.pid));
  BERTH_TRY(o.Required("bundle", state.bundle));
  BERTH_TRY(o.Field("annotations", state.annotations));
  return state;
}

std::string SerializeState(const State& s) {
  json::Writer w;
  w.BeginObject();
  w.Key("ociVersion");
  w.String(s.ociVersion);
  w.Key("id");
  w.String(s.id);
  w.Key("status");
  w.String(ContainerStatusName(s.status));
  if (s.pid > 0) {
    w.Key("pid");
    w.Int(s.pid);
  }
  w.Key("bundle");
  w.String(s.bundle);
  if (!s.annotations.empty()) {
    w.Key("annotations");
    w.BeginObject();
    for (const auto& [k, v] : s.annotations) {
      w.Key(k);
      w.String(v);
    }
    w.EndObject();
  }
  w.EndObject();
  return w.Take();
}

}  // namespace berth::spec
