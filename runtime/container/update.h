// `update` and `events` on an existing container: the library calls behind
// cmd_update.cc and cmd_events.cc.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "runtime/base/error.h"
#include "runtime/cgroups/manager.h"
#include "runtime/container/container.h"
#include "spec/config.h"

namespace berth::container {

struct UpdateRequest {
  // A LinuxResources document's content; only what runc's update changes
  // is used (cgroups::UpdatableResources).
  spec::Resources resources;
  std::string l3_cache_schema;  // --l3-cache-schema
  std::string mem_bw_schema;    // --mem-bw-schema
};

// Changes the resources of a created, running or paused container: Intel
// RDT schemata first (one kernel write), then the cgroup (all-or-nothing,
// Manager::Update); a cgroup failure restores the schemata. The stored
// config.json then gets the new values, so `state` and later updates see
// them. A stopped container is refused ("container not running").
Status Update(const RuntimeOptions& runtime, std::string_view id, const UpdateRequest& request);

// The cgroup manager of a container that is not stopped, for `events`;
// also the init's pid (to notice the container stop).
struct EventsSource {
  std::unique_ptr<cgroups::Manager> cgroup;
  pid_t init_pid = 0;
};
Result<EventsSource> OpenEventsSource(const RuntimeOptions& runtime, std::string_view id);

}  // namespace berth::container
