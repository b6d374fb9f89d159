// Update, GetStats and WatchOom of the cgroupfs managers (v1, v2, hybrid).
// An update runs the create-time writers over journaling file systems
// (update.h) with the device rules left out, and rolls back on failure.
#include <cerrno>

#include "runtime/cgroups/hybrid_manager.h"
#include "runtime/cgroups/update.h"
#include "runtime/cgroups/v1_manager.h"
#include "runtime/cgroups/v2_manager.h"

namespace berth::cgroups {
namespace {

std::shared_ptr<JournalingCgroupFs> Journal(const CgroupFs& fs) {
  // The managers keep their fs in a shared_ptr; the journal needs one to
  // wrap without owning a copy of the tree's state.
  return std::make_shared<JournalingCgroupFs>(std::shared_ptr<const CgroupFs>(&fs, [](const CgroupFs*) {}));
}

Status RefuseUnifiedOnV1(const spec::Resources& r) {
  if (!r.unified.empty())
    return Error(EINVAL, "linux.resources.unified needs cgroup v2, but this host has only cgroup v1");
  return Ok();
}

}  // namespace

Status V1Manager::Update(const spec::Resources& resources) {
  BERTH_TRY(RefuseUnifiedOnV1(resources));
  auto journal = Journal(*fs_);
  return ApplyOrRollBack({journal.get()},
                         ApplyV1Resources(*journal, paths_, resources, false, /*devices=*/false));
}

Result<Stats> V1Manager::GetStats() {
  Stats stats;
  BERTH_TRY(ReadV1Stats(*fs_, paths_, stats));
  return stats;
}

Result<std::unique_ptr<OomWatcher>> V1Manager::WatchOom() {
  auto it = paths_.find("memory");
  if (it == paths_.end()) return Error(ENOENT, "cgroup v1 memory controller not available");
  return WatchV1Oom(*fs_, "memory" + it->second);
}

Status V2Manager::Update(const spec::Resources& resources) {
  auto journal = Journal(*fs_);
  V2Manager journaled(journal, path_);
  return ApplyOrRollBack({journal.get()}, journaled.Apply(resources, /*device_filter=*/false));
}

Result<Stats> V2Manager::GetStats() {
  Stats stats;
  BERTH_TRY(ReadV2Stats(*fs_, path_, stats));
  return stats;
}

Result<std::unique_ptr<OomWatcher>> V2Manager::WatchOom() {
  if (!fs_->FileExists(path_, "memory.events"))
    return Error(ENOENT, "cgroup v2 memory controller not enabled for " + fs_->DirPath(path_));
  return WatchV2Oom(*fs_, path_);
}

Status HybridManager::Update(const spec::Resources& resources) {
  auto v1_journal = Journal(v1_.fs());
  auto v2_journal = Journal(v2_.fs());
  V1Manager v1(v1_journal, v1_.paths());
  V2Manager v2(v2_journal, v2_.Path());
  return ApplyOrRollBack({v1_journal.get(), v2_journal.get()},
                         ApplySplit(v1, v2, resources, /*devices=*/false));
}

Result<Stats> HybridManager::GetStats() {
  Stats stats;
  BERTH_TRY(ReadV1Stats(v1_.fs(), v1_.paths(), stats));
  if (!v1_.Has("hugetlb")) BERTH_TRY(ReadV2HugetlbStats(v2_.fs(), v2_.Path(), stats));
  return stats;
}

Result<std::unique_ptr<OomWatcher>> HybridManager::WatchOom() {
  if (v1_.Has("memory")) return v1_.WatchOom();
  return v2_.WatchOom();
}

}  // namespace berth::cgroups
