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
  Status Freeze() override { return inner_->Freeze(); }
  Status Thaw() override { return inner_->Thaw(); }
  Result<bool> IsFrozen() override { return inner_->IsFrozen(); }
  Result<std::vector<pid_t>> Pids() override { return inner_->Pids(); }
  Status KillAll(int signal) override { return inner_->KillAll(signal); }
  Status Destroy() override { return inner_->Destroy(); }
  std::string Serialize() const override { return inner_->Serialize(); }
  std::string Path() const override { return inner_->Path(); }

  // True once a permission error made the container run without a cgroup.
  bool without_cgroup() const { return without_cgroup_; }

 private:
  std::unique_ptr<Manager> inner_;
  bool without_cgroup_ = false;
  std::string why_;
};

// True for the errors that mean "not allowed" (EPERM, EACCES, EROFS).
bool IsPermissionError(const Error& error);

// A config asks for limits when any field other than the device list is
// set (device rules cannot widen anything inside a user namespace).
bool RequestsLimits(const spec::Resources& resources);

}  // namespace berth::cgroups
