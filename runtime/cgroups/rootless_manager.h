// Rootless containers: the runtime may not be allowed to create or join a
// cgroup (no delegation). Like runc, carry on without one as long as the
// config asks for no resource limits; say why when it does.
#pragma once

#include <memory>

#include "runtime/cgroups/manager.h"

namespace berth::cgroups {

class RootlessManager : public Manager {
 public:
  explicit RootlessManager(std::unique_ptr<Manager> inner) : inner_(std::move(inner)) {}

  Status Create() override;
  Status CheckUnoccupied() override;
  Status AddProcess(pid_t pid) override;
  Status ApplyResources(const spec::Resources& resources) override;
  // Refused with the reason when create ran without a cgroup.
  Status Update(const spec::Resources& resources) override;
  Result<Stats> GetStats() override { return inner_->GetStats(); }
  Result<std::unique_ptr<OomWatcher>> WatchOom() override { return inner_->WatchOom(); }
  Status Freeze() override { return inner_->Freeze(); }
  Status Thaw() override { return inner_->Thaw(); }
  Result<bool> IsFrozen() override { return inner_->IsFrozen(); }
  Result<std::vector<pid_t>> Pids() override { return inner_->Pids(); }
  Status KillAll(int signal) override { return inner_->KillAll(signal); }
  Status Destroy() override { return without_cgroup_ ? Ok() : inner_->Destroy(); }
  // Without a cgroup: kNoCgroupState, so later commands (exec, kill,
  // delete) load a NoCgroupManager instead of paths that were never made.
  std::string Serialize() const override;
  std::string Path() const override { return without_cgroup_ ? "" : inner_->Path(); }

  // True once a permission error made the container run without a cgroup.
  bool without_cgroup() const { return without_cgroup_; }

 private:
  std::unique_ptr<Manager> inner_;
  bool without_cgroup_ = false;
  std::string why_;
};

// The state of a rootless container that runs without a cgroup.
inline constexpr char kNoCgroupState[] = "rootless-without-cgroup\n";

// What LoadManager returns for kNoCgroupState: joining, killing and
// removing are no-ops (the container's processes are found through its
// pid namespace and init instead); pause and limits are errors.
class NoCgroupManager : public Manager {
 public:
  Status Create() override { return Ok(); }
  Status AddProcess(pid_t) override { return Ok(); }
  Status ApplyResources(const spec::Resources& resources) override;
  Status Update(const spec::Resources& resources) override;
  Result<Stats> GetStats() override;
  Result<std::unique_ptr<OomWatcher>> WatchOom() override;
  Status Freeze() override;
  Status Thaw() override;
  Result<bool> IsFrozen() override { return false; }
  Result<std::vector<pid_t>> Pids() override { return std::vector<pid_t>(); }
  Status KillAll(int) override { return Ok(); }
  Status Destroy() override { return Ok(); }
  std::string Serialize() const override { return kNoCgroupState; }
  std::string Path() const override { return ""; }
};

// True for the errors that mean "not allowed" (EPERM, EACCES, EROFS).
bool IsPermissionError(const Error& error);

// A config asks for limits when any field other than the device list is
// set (device rules cannot widen anything inside a user namespace).
bool RequestsLimits(const spec::Resources& resources);

}  // namespace berth::cgroups
