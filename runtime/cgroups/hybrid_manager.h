// Hybrid hosts: cgroup v1 controllers plus the v2 unified hierarchy (mounted
// at /sys/fs/cgroup/unified) that holds no or few controllers. The container
// gets a cgroup in both, as systemd does for services.
#pragma once

#include "runtime/cgroups/v1_manager.h"
#include "runtime/cgroups/v2_manager.h"

namespace berth::cgroups {

class HybridManager : public Manager {
 public:
  HybridManager(V1Manager v1, V2Manager v2) : v1_(std::move(v1)), v2_(std::move(v2)) {}

  Status Create() override;
  Status CheckUnoccupied() override;
  Status AddProcess(pid_t pid) override;
  Status MakeMissingDirs() override { return v1_.MakeMissingDirs(); }
  std::string UnifiedDir() const override { return v2_.UnifiedDir(); }
  Status AddProcessBornInUnified(pid_t pid) override { return v1_.AddProcess(pid); }
  // v1 controllers; a resource whose v1 controller is absent goes to the
  // unified hierarchy when it offers the controller (hugetlb on this
  // host); linux.resources.unified always goes there.
  Status ApplyResources(const spec::Resources& resources) override;
  Status Update(const spec::Resources& resources) override;
  // v1 statistics; hugetlb from the unified side when it lives there.
  Result<Stats> GetStats() override;
  // The v1 memory controller's, or the unified one's when it holds memory.
  Result<std::unique_ptr<OomWatcher>> WatchOom() override;
  Status Freeze() override;
  Status Thaw() override;
  Result<bool> IsFrozen() override;
  Result<std::vector<pid_t>> Pids() override;
  Status KillAll(int signal) override;
  Status Destroy() override;
  std::string Serialize() const override;
  std::string Path() const override { return v1_.Path(); }

 private:
  // ApplyResources and Update: each resource to the side that controls it.
  static Status ApplySplit(V1Manager& v1, V2Manager& v2, const spec::Resources& resources, bool devices);

  V1Manager v1_;
  V2Manager v2_;
};

}  // namespace berth::cgroups
