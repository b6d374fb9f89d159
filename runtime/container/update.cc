#include "runtime/container/update.h"

#include <unistd.h>

#include <cerrno>
#include <optional>

#include "runtime/cgroups/update.h"
#include "runtime/container/state_dir.h"
#include "runtime/intelrdt/resctrl.h"
#include "spec/config_json.h"

namespace berth::container {
namespace {

Result<std::unique_ptr<cgroups::Manager>> LoadCgroupOf(const StateDir& dir) {
  std::string serialized = BERTH_TRY(dir.Read(kCgroupFile));
  return cgroups::LoadManager(serialized);
}

Status RequireNotStopped(const RuntimeOptions& runtime, std::string_view id) {
  spec::State state = BERTH_TRY(State(runtime, id));
  if (state.status == spec::ContainerStatus::stopped)
    return Error(0, "container " + std::string(id) + " is not running");
  return Ok();
}

}  // namespace

Status Update(const RuntimeOptions& runtime, std::string_view id, const UpdateRequest& request) {
  BERTH_TRY(RequireNotStopped(runtime, id));
  StateDir dir = BERTH_TRY(StateDir::Open(runtime.root, id));
  const std::string old_config_text = BERTH_TRY(dir.Read(kConfigFile));
  spec::Config config =
      BERTH_TRY_CTX(spec::ParseConfig(old_config_text), "stored config of " + std::string(id));
  spec::Linux& linux_config = config.linux_ ? *config.linux_ : config.linux_.emplace();
  spec::Resources& stored =
      linux_config.resources ? *linux_config.resources : linux_config.resources.emplace();

  spec::Resources update = cgroups::UpdatableResources(request.resources);
  BERTH_TRY(cgroups::CompleteMemoryUpdate(stored, update));
  auto cgroup = BERTH_TRY(LoadCgroupOf(dir));

  const bool rdt = !request.l3_cache_schema.empty() || !request.mem_bw_schema.empty();
  std::optional<intelrdt::ResctrlGroup> group;
  std::string resctrl_root;
  if (rdt) {
    auto found = intelrdt::FindResctrl();
    if (!found.ok())
      return Error(ENOTSUP, !request.l3_cache_schema.empty()
                                ? "Intel RDT/CAT: l3 cache schema is not enabled"
                                : "Intel RDT/MBA: memory bandwidth schema is not enabled");
    resctrl_root = *found;
    BERTH_TRY(intelrdt::CheckSchemaSupport(resctrl_root, request.l3_cache_schema, request.mem_bw_schema));
    if (dir.Exists(kIntelRdtFile))
      group = BERTH_TRY(intelrdt::ResctrlGroup::Load(BERTH_TRY(dir.Read(kIntelRdtFile))));
  }

  // The new config is saved first, so that once the kernel has the new
  // values `state` and later updates see them; every failure after this
  // point puts the old config (and schemata, and cgroup files) back.
  const spec::Resources before = stored;
  cgroups::MergeUpdate(stored, update);
  if (rdt) {
    spec::IntelRdt& stored_rdt =
        linux_config.intelRdt ? *linux_config.intelRdt : linux_config.intelRdt.emplace();
    if (!request.l3_cache_schema.empty()) stored_rdt.l3CacheSchema = request.l3_cache_schema;
    if (!request.mem_bw_schema.empty()) stored_rdt.memBwSchema = request.mem_bw_schema;
  }
  BERTH_TRY_CTX(dir.Write(kConfigFile, spec::SerializeConfig(config)), "save the updated config");
  auto undo = [&](Error e, const std::string* old_schemata) -> Error {
    std::string failed;
    if (old_schemata) {
      Status restored = group->RestoreSchemata(*old_schemata);
      if (!restored.ok()) failed += "; restoring the schemata: " + restored.error().ToString();
    }
    Status config_back = dir.Write(kConfigFile, old_config_text);
    if (!config_back.ok()) failed += "; restoring the stored config: " + config_back.error().ToString();
    if (failed.empty()) return e;
    return Error(e.code(), e.ToString() + " (undo failed" + failed + ")");
  };

  // Intel RDT first: one kernel write, easy to undo. A container created
  // without linux.intelRdt gets its group now, with the init in it, as
  // runc's update does (and delete removes it like one made at create).
  std::string old_schemata;
  bool made_group = false;
  if (rdt && !group) {
    spec::IntelRdt wanted;
    wanted.l3CacheSchema = request.l3_cache_schema;
    wanted.memBwSchema = request.mem_bw_schema;
    spec::State state = BERTH_TRY(State(runtime, id));
    auto joined = intelrdt::ResctrlGroup::Join(resctrl_root, wanted, std::string(id), state.pid);
    if (!joined.ok()) return undo(std::move(joined).error(), nullptr);
    group = std::move(*joined);
    made_group = true;
    if (Status saved = dir.Write(kIntelRdtFile, group->Serialize()); !saved.ok()) {
      (void)group->Destroy();
      return undo(std::move(saved).error(), nullptr);
    }
  } else if (group) {
    auto old = group->UpdateSchemas(request.l3_cache_schema, request.mem_bw_schema);
    if (!old.ok()) return undo(std::move(old).error(), nullptr);
    old_schemata = *old;
  }
  if (!(update == spec::Resources())) {
    Status updated = cgroup->UpdateFrom(before, update);
    if (!updated.ok()) {
      if (made_group) {
        (void)group->Destroy();
        (void)unlink(dir.File(kIntelRdtFile).c_str());
        return undo(std::move(updated).error(), nullptr);
      }
      return undo(std::move(updated).error(), group ? &old_schemata : nullptr);
    }
  }
  return Ok();
}

Result<EventsSource> OpenEventsSource(const RuntimeOptions& runtime, std::string_view id) {
  spec::State state = BERTH_TRY(State(runtime, id));
  if (state.status == spec::ContainerStatus::stopped)
    return Error(0, "container with id " + std::string(id) + " is not running");
  StateDir dir = BERTH_TRY(StateDir::Open(runtime.root, id));
  EventsSource source;
  source.cgroup = BERTH_TRY(LoadCgroupOf(dir));
  source.init_pid = state.pid;
  return source;
}

}  // namespace berth::container
