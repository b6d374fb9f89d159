#include "runtime/cgroups/hybrid_manager.h"

#include <signal.h>

#include <set>

namespace berth::cgroups {

Status HybridManager::CheckUnoccupied() {
  // Both sides are checked before either makes a directory; a refusal
  // disowns both, so the caller's cleanup touches neither.
  Status v1_free = v1_.CheckUnoccupied();
  Status v2_free = v1_free.ok() ? v2_.CheckUnoccupied() : Status();
  if (!v1_free.ok() || !v2_free.ok()) {
    v1_.Disown();
    v2_.Disown();
    return v1_free.ok() ? v2_free : v1_free;
  }
  return Ok();
}

Status HybridManager::Create() {
  BERTH_TRY(CheckUnoccupied());
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
  return ApplySplit(v1_, v2_, resources, true);
}

Status HybridManager::ApplySplit(V1Manager& v1_, V2Manager& v2_, const spec::Resources& resources,
                                 bool devices) {
  // A resource whose v1 controller is not mounted goes to the unified
  // hierarchy when that offers the v2 equivalent (config-linux.md allows the
  // conversion); otherwise v1 reports the missing controller.
  auto offered = v2_.HostControllers();
  std::set<std::string> v2_host = offered.ok() ? *offered : std::set<std::string>();
  auto to_v2 = [&](const char* v1_name, const char* v2_name) {
    return !v1_.Has(v1_name) && v2_host.count(v2_name) != 0;
  };
  spec::Resources for_v1 = resources;
  spec::Resources for_v2;
  for_v1.unified.clear();
  for_v2.unified = resources.unified;
  if (resources.memory && to_v2("memory", "memory")) std::swap(for_v1.memory, for_v2.memory);
  if (resources.cpu && to_v2("cpu", "cpu") &&
      ((resources.cpu->cpus.empty() && resources.cpu->mems.empty()) || to_v2("cpuset", "cpuset")))
    std::swap(for_v1.cpu, for_v2.cpu);
  if (resources.blockIO && to_v2("blkio", "io")) std::swap(for_v1.blockIO, for_v2.blockIO);
  if (!resources.hugepageLimits.empty() && to_v2("hugetlb", "hugetlb"))
    std::swap(for_v1.hugepageLimits, for_v2.hugepageLimits);
  if (resources.pids && to_v2("pids", "pids")) std::swap(for_v1.pids, for_v2.pids);
  if (!resources.rdma.empty() && to_v2("rdma", "rdma")) std::swap(for_v1.rdma, for_v2.rdma);
  BERTH_TRY(ApplyV1Resources(v1_.fs(), v1_.paths(), for_v1, false, devices));
  if (for_v2 == spec::Resources()) return Ok();
  // Devices are controlled by the v1 devices hierarchy.
  return v2_.Apply(for_v2, false);
}

// The v1 freezer when mounted; otherwise the v2 core cgroup.freeze.
Status HybridManager::Freeze() { return v1_.Has("freezer") ? v1_.Freeze() : v2_.Freeze(); }
Status HybridManager::Thaw() { return v1_.Has("freezer") ? v1_.Thaw() : v2_.Thaw(); }
Result<bool> HybridManager::IsFrozen() { return v1_.Has("freezer") ? v1_.IsFrozen() : v2_.IsFrozen(); }

Result<std::vector<pid_t>> HybridManager::Pids() { return v1_.Pids(); }

Status HybridManager::KillAll(int signal) {
  // The container's processes are in the unified cgroup too, whose
  // cgroup.kill is atomic; one placed only in a v1 hierarchy's nested cgroup
  // (by a manager of its own) is not, so what v1 still lists is signalled.
  if (signal == SIGKILL && v2_.HasKillFile()) {
    auto in_unified = v2_.Pids();  // before the kill: they die by cgroup.kill
    BERTH_TRY(v2_.KillAll(signal));
    auto listed = v1_.Pids();
    if (!listed || !in_unified) return Ok();
    std::set<pid_t> killed(in_unified->begin(), in_unified->end());
    std::vector<pid_t> strays;
    for (pid_t pid : *listed)
      if (!killed.count(pid)) strays.push_back(pid);
    // No freeze/thaw round for the usual case of none.
    return strays.empty() ? Ok() : SignalPids(strays, signal);
  }
  return v1_.KillAll(signal);
}

Status HybridManager::Destroy() {
  Status v1 = v1_.Destroy();
  Status v2 = v2_.Destroy();
  return v1.ok() ? v2 : v1;
}

std::string HybridManager::Serialize() const { return v1_.Serialize() + v2_.Serialize(); }

}  // namespace berth::cgroups
