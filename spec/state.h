// state.json (runtime.md "State"): what `berth state` prints and what hooks
// receive on stdin.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "runtime/base/error.h"

namespace berth::spec {

enum class ContainerStatus { creating, created, running, stopped, paused };

// "creating", "created", ...
std::string_view ContainerStatusName(ContainerStatus status);
Result<ContainerStatus> ContainerStatusFromName(std::string_view name);

struct State {
  std::string ociVersion;
  std::string id;
  ContainerStatus status = ContainerStatus::creating;
  int pid = 0;  // written when > 0 (the spec requires it on Linux while created/running)
  std::string bundle;
  std::map<std::string, std::string> annotations;
  bool operator==(const State&) const = default;
};

// ociVersion, id, status and bundle are required; pid must be >= 0.
Result<State> ParseState(std::string_view text);
std::string SerializeState(const State& state);

}  // namespace berth::spec
