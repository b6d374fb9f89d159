// The container's cgroup: one interface over cgroup v1, v2 and hybrid hosts.
//
// A Manager owns one container cgroup (a directory in each v1 hierarchy, or
// in the v2 unified hierarchy, or both on a hybrid host). It is created by
// NewManager at `create`, persisted with Serialize() in the state dir, and
// rebuilt by LoadManager for later commands (pause, kill, delete, update).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/error.h"
#include "runtime/cgroups/oom_watch.h"
#include "runtime/cgroups/stats.h"
#include "spec/config.h"

namespace berth::cgroups {

struct CgroupSpec {
  std::string container_id;
  // linux.cgroupsPath: absolute (from the hierarchy root), relative (to the
  // runtime's own cgroup), empty (/berth/<id>), or "slice:prefix:name" with
  // systemd = true.
  std::string cgroups_path;
  bool systemd = false;
  // Rootless: permission errors creating/joining the cgroup are tolerated
  // when no resources are requested.
  bool rootless = false;
  // linux.resources, for the drivers that hand limits to someone else at
  // creation (systemd: unit properties); the cgroupfs ones ignore it.
  spec::Resources resources;
};

class Manager {
 public:
  virtual ~Manager();
  // mkdir the container cgroup (v1: in each hierarchy; v2: unified). Fails
  // (EBUSY, "cgroup <dir> already contains processes") before making
  // anything when the cgroup exists and holds processes in any hierarchy;
  // the manager then disowns that cgroup: KillAll and Destroy leave it alone.
  virtual Status Create() = 0;
  // The occupancy check of Create alone, making nothing: create runs it
  // before recording the cgroup as its intent (state dir), so a record never
  // names someone else's cgroup. EBUSY disowns as Create does.
  virtual Status CheckUnoccupied() { return Ok(); }
  virtual Status AddProcess(pid_t pid) = 0;
  // clone3(CLONE_INTO_CGROUP): the container's cgroup directory in the
  // unified hierarchy (v2, or a hybrid host's unified side), where a process
  // can be born without any migration; empty where there is none to use.
  virtual std::string UnifiedDir() const { return ""; }
  // AddProcess for a process born in UnifiedDir(): only what remains (a
  // hybrid host's v1 hierarchies; nothing on v2).
  virtual Status AddProcessBornInUnified(pid_t pid) { return AddProcess(pid); }
  virtual Status ApplyResources(const spec::Resources& resources) = 0;
  // `update`: writes the fields of `resources` that are set, never the
  // device allow-list (runc's SkipDevices). All or nothing: each file is
  // read before its first write, and a failure part way writes the old
  // values back (update.h). Works on a frozen cgroup (v1 freezer included).
  virtual Status Update(const spec::Resources& resources) = 0;
  // Update, told the resources in force before it (the stored config's):
  // the systemd driver sends before+update as unit properties and needs the
  // old ones to put back; the cgroupfs managers journal the files instead.
  virtual Status UpdateFrom(const spec::Resources& before, const spec::Resources& update) {
    (void)before;
    return Update(update);
  }
  // `events`: the cgroup's statistics (stats.h).
  virtual Result<Stats> GetStats() = 0;
  // `events`: OOM kills in the memory cgroup (oom_watch.h).
  virtual Result<std::unique_ptr<OomWatcher>> WatchOom() = 0;
  virtual Status Freeze() = 0;
  virtual Status Thaw() = 0;
  virtual Result<bool> IsFrozen() = 0;
  virtual Result<std::vector<pid_t>> Pids() = 0;
  virtual Status KillAll(int signal) = 0;
  // mkdir of the container's directories that are missing, with no
  // occupancy check: systemd, starting a unit in a cgroup made by Create,
  // removes the v1 directories of controllers it does not manage for that
  // unit (runc's v1 join makes them again too). Only v1 has any.
  virtual Status MakeMissingDirs() { return Ok(); }
  // Removes the cgroup directories; success if already gone.
  virtual Status Destroy() = 0;
  // One-line-per-fact text to persist in the state dir; see LoadManager.
  virtual std::string Serialize() const = 0;
  // The cgroup path inside the hierarchy (e.g. "/berth/abc"), for
  // diagnostics and for the container's /proc/self/cgroup expectations.
  virtual std::string Path() const = 0;
};

// Detects the host's layout (statfs of /sys/fs/cgroup and
// /sys/fs/cgroup/unified) and resolves the cgroup path. Creates nothing.
Result<std::unique_ptr<Manager>> NewManager(const CgroupSpec& spec);

// Rebuilds a manager from Serialize() output.
Result<std::unique_ptr<Manager>> LoadManager(std::string_view serialized);

// linux.resources plus an "allow rwm" rule for every linux.devices entry, so
// the devices the container is given are usable (the implicit default
// allow-list is always added by ApplyResources itself). Those rules go after
// the config's last deny-everything rule and before its later rules, which
// therefore still restrict the configured devices.
spec::Resources ResourcesWithConfiguredDevices(const spec::Linux& linux_config);

}  // namespace berth::cgroups
