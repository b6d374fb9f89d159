#include "runtime/cgroups/hybrid_manager.h"

#include <signal.h>

namespace berth::cgroups {

Status HybridManager::Create() {
  BERTH_TRY(v1_.Create());
  BERTH_TRY(v2_.Create());
  return Ok();
}

Status HybridManager::AddProcess(pid_t pid) {
  BERTH_TRY(v1_.AddProcess(pid));
  BERTH_TRY(v2_.AddProcess(pid));
  return Ok();
}

Status HybridManager::ApplyResources(const spec::Resources& resources) {
  const bool hugetlb_on_v2 = !v1_.Has("hugetlb");
  spec::Resources for_v1 = resources;
  for_v1.unified.clear();
  BERTH_TRY(ApplyV1Resources(v1_.fs(), v1_.paths(), for_v1, hugetlb_on_v2));
  spec::Resources for_v2;
  for_v2.unified = resources.unified;
  if (hugetlb_on_v2) for_v2.hugepageLimits = resources.hugepageLimits;
  if (for_v2.unified.empty() && for_v2.hugepageLimits.empty()) return Ok();
  // Devices are controlled by the v1 devices hierarchy.
  return v2_.Apply(for_v2, false);
}

// The v1 freezer when mounted; otherwise the v2 core cgroup.freeze.
Status HybridManager::Freeze() { return v1_.Has("freezer") ? v1_.Freeze() : v2_.Freeze(); }
Status HybridManager::Thaw() { return v1_.Has("freezer") ? v1_.Thaw() : v2_.Thaw(); }
Result<bool> HybridManager::IsFrozen() { return v1_.Has("freezer") ? v1_.IsFrozen() : v2_.IsFrozen(); }

Result<std::vector<pid_t>> HybridManager::Pids() { return v1_.Pids(); }

Status HybridManager::KillAll(int signal) {
  // Every process is also in the unified cgroup, whose cgroup.kill is atomic.
  if (signal == SIGKILL && v2_.HasKillFile()) return v2_.KillAll(signal);
  return v1_.KillAll(signal);
}

Status HybridManager::Destroy() {
  Status v1 = v1_.Destroy();
  Status v2 = v2_.Destroy();
  return v1.ok() ? v2 : v1;
}

std::string HybridManager::Serialize() const { return v1_.Serialize() + v2_.Serialize(); }

}  // namespace berth::cgroups
