// cgroup v2: one directory in the unified hierarchy.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "runtime/cgroups/cgroup_fs.h"
#include "runtime/cgroups/manager.h"

namespace berth::cgroups {

class V2Manager : public Manager {
 public:
  V2Manager(std::shared_ptr<const CgroupFs> fs, std::string path);

  Status Create() override;
  Status AddProcess(pid_t pid) override;
  std::string UnifiedDir() const override;
  Status AddProcessBornInUnified(pid_t) override { return Ok(); }
  // Everything, device control (BPF) included.
  Status ApplyResources(const spec::Resources& resources) override;
  Status Update(const spec::Resources& resources) override;
  Result<Stats> GetStats() override;
  Result<std::unique_ptr<OomWatcher>> WatchOom() override;
  Status Freeze() override;
  Status Thaw() override;
  Result<bool> IsFrozen() override;
  Result<std::vector<pid_t>> Pids() override;
  Status KillAll(int signal) override;
  Status Destroy() override;
  std::string Serialize() const override;
  std::string Path() const override { return path_; }

  // ApplyResources with or without the BPF device filter (a hybrid host
  // controls devices through its v1 devices hierarchy instead).
  Status Apply(const spec::Resources& resources, bool device_filter);

  // The controllers the host offers (the root's cgroup.controllers).
  Result<std::set<std::string>> HostControllers() const;
  // Writes "+c ..." to cgroup.subtree_control of the root and every
  // ancestor of the container cgroup that lacks one of them.
  Status EnableControllers(const std::set<std::string>& controllers) const;

  const CgroupFs& fs() const { return *fs_; }
  bool HasKillFile() const { return fs_->FileExists(path_, "cgroup.kill"); }

  // EBUSY when the container's cgroup already exists and holds processes
  // (someone else's); the manager then disowns it (see Disown).
  Status CheckUnoccupied() override;
  // KillAll and Destroy become no-ops: the cgroup is not this container's.
  void Disown() { disowned_ = true; }

 private:
  Status SetFrozen(bool frozen);

  std::shared_ptr<const CgroupFs> fs_;
  bool disowned_ = false;
  std::string path_;
};

}  // namespace berth::cgroups
