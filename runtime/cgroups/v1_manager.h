// cgroup v1: one directory per mounted hierarchy (controller).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "runtime/cgroups/cgroup_fs.h"
#include "runtime/cgroups/manager.h"

namespace berth::cgroups {

// The v1 controllers berth knows, by directory name under the v1 root
// ("systemd" is the name=systemd hierarchy).
const std::vector<std::string>& KnownV1Controllers();

class V1Manager : public Manager {
 public:
  // paths: controller directory name -> the container's cgroup in it. Only
  // hierarchies present on the host are listed.
  V1Manager(std::shared_ptr<const CgroupFs> fs, std::map<std::string, std::string> paths);

  Status Create() override;
  Status AddProcess(pid_t pid) override;
  Status MakeMissingDirs() override;
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
  std::string Path() const override;

  const CgroupFs& fs() const { return *fs_; }
  const std::map<std::string, std::string>& paths() const { return paths_; }
  bool Has(const std::string& controller) const { return paths_.count(controller) != 0; }

  // EBUSY when the container's cgroup already exists and holds processes
  // (someone else's); the manager then disowns it (see Disown).
  Status CheckUnoccupied() override;
  // KillAll and Destroy become no-ops: the cgroup is not this container's.
  void Disown() { disowned_ = true; }

 private:
  Status SetFreezerState(const char* state);

  std::shared_ptr<const CgroupFs> fs_;
  bool disowned_ = false;
  std::map<std::string, std::string> paths_;
};

// Resources -> v1 files (v1_resources.cc). unified must be empty: the caller
// (hybrid) routes it to the v2 side. hugetlb is skipped when skip_hugetlb
// (hybrid host whose hugetlb controller lives on the unified hierarchy).
Status ApplyV1Resources(const CgroupFs& fs, const std::map<std::string, std::string>& paths,
                        const spec::Resources& resources, bool skip_hugetlb, bool devices = true);

// Reads a list of pids, one per line (cgroup.procs).
Result<std::vector<pid_t>> ParsePidList(const std::string& content);

// Sends signal to each pid; ESRCH (already exited) is not an error.
Status SignalPids(const std::vector<pid_t>& pids, int signal);

}  // namespace berth::cgroups
