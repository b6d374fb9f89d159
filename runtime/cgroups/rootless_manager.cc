#include "runtime/cgroups/rootless_manager.h"

#include <cerrno>

namespace berth::cgroups {

bool IsPermissionError(const Error& error) {
  return error.code() == EPERM || error.code() == EACCES || error.code() == EROFS;
}

bool RequestsLimits(const spec::Resources& r) {
  spec::Resources without_devices = r;
  without_devices.devices.clear();
  return !(without_devices == spec::Resources());
}

Status RootlessManager::Create() {
  Status s = inner_->Create();
  if (s.ok() || !IsPermissionError(s.error())) return s;
  // Directories made in the hierarchies before the refused one would be
  // left behind: the state will not name them.
  (void)inner_->Destroy();
  without_cgroup_ = true;
  why_ = s.error().ToString();
  return Ok();
}

std::string RootlessManager::Serialize() const {
  return without_cgroup_ ? kNoCgroupState : inner_->Serialize();
}

Status NoCgroupManager::ApplyResources(const spec::Resources& resources) {
  if (!RequestsLimits(resources)) return Ok();
  return Error(EPERM, "rootless container without a cgroup cannot have linux.resources limits");
}

Status NoCgroupManager::Update(const spec::Resources&) {
  return Error(EPERM, "cannot update the resources of a rootless container without a cgroup");
}

Result<Stats> NoCgroupManager::GetStats() {
  return Error(EPERM, "no statistics for a rootless container without a cgroup");
}

Result<std::unique_ptr<OomWatcher>> NoCgroupManager::WatchOom() {
  return Error(EPERM, "no OOM events for a rootless container without a cgroup");
}

Status NoCgroupManager::Freeze() {
  return Error(EPERM, "cannot pause a rootless container without a cgroup");
}

Status NoCgroupManager::Thaw() { return Error(EPERM, "cannot resume a rootless container without a cgroup"); }

Status RootlessManager::CheckUnoccupied() {
  Status s = inner_->CheckUnoccupied();
  // An unreadable cgroup is Create's to tolerate, not a refusal.
  if (s.ok() || !IsPermissionError(s.error())) return s;
  return Ok();
}

Status RootlessManager::AddProcess(pid_t pid) {
  if (without_cgroup_) return Ok();
  Status s = inner_->AddProcess(pid);
  if (s.ok() || !IsPermissionError(s.error())) return s;
  (void)inner_->Destroy();  // made, but not ours to join
  without_cgroup_ = true;
  why_ = s.error().ToString();
  return Ok();
}

Status RootlessManager::ApplyResources(const spec::Resources& resources) {
  if (without_cgroup_) {
    if (!RequestsLimits(resources)) return Ok();
    return Error(EPERM,
                 "rootless container without a cgroup cannot have linux.resources limits (" + why_ + ")");
  }
  Status s = inner_->ApplyResources(resources);
  if (s.ok() || !IsPermissionError(s.error()) || RequestsLimits(resources)) return s;
  return Ok();  // only the device list, which a user namespace cannot widen anyway
}

Status RootlessManager::Update(const spec::Resources& resources) {
  if (without_cgroup_)
    return Error(EPERM,
                 "rootless container without a cgroup cannot have its resources updated (" + why_ + ")");
  return inner_->Update(resources);
}

}  // namespace berth::cgroups
