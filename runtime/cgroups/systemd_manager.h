// --systemd-cgroup: the container's cgroup is a transient systemd unit.
//
// As runc's systemd driver does, berth asks systemd (over D-Bus, with its
// own client: dbus_connection.h) to StartTransientUnit a scope holding the
// container's init once its pid is known, waits for the job, and later
// StopUnit()s it; `update` SetUnitProperties the new limits. Everything
// else (freezer, pids, kill, and every limit once more) goes through the
// cgroupfs managers on the unit's cgroup, which systemd delegates to us
// (Delegate=yes); see systemd_manager.cc for why.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "runtime/cgroups/dbus_connection.h"
#include "runtime/cgroups/layout.h"
#include "runtime/cgroups/manager.h"

namespace berth::cgroups {

inline constexpr char kSystemdRunDir[] = "/run/systemd/system";

// runc's test for a systemd host: run_dir is a directory. Otherwise ENOTSUP
// "systemd not running on this host, cannot use systemd cgroups manager".
Status CheckSystemdRunning(const std::string& run_dir = kSystemdRunDir);

struct SystemdUnitConfig {
  std::string unit;         // "berth-c1.scope", or a name ending in ".slice"
  std::string slice;        // its parent slice: "system.slice"
  std::string description;  // "berth container c1"
  bool unified = true;      // v2: IOAccounting; v1 and hybrid: BlockIOAccounting
  // linux.resources as properties (systemd_properties.h), sent with the unit.
  std::vector<dbus::Value> resources;
};

// StartTransientUnit's properties (a(sv)), in runc's order: Description;
// a scope gets Slice, Delegate and PIDs, a slice gets Wants=<parent>
// instead; then the accounting switches, DefaultDependencies=no, and the
// resource properties.
std::vector<dbus::Value> TransientUnitProperties(const SystemdUnitConfig& config, pid_t pid);

class SystemdManager : public Manager {
 public:
  // A unit still to be started; inner manages its cgroupfs paths.
  SystemdManager(std::unique_ptr<Manager> inner, SystemdUnitConfig config, SystemdOptions options);
  // A unit started by an earlier command, rebuilt from Serialize();
  // unified as at create (a pure cgroup v2 host), for update's properties.
  static std::unique_ptr<SystemdManager> Started(std::unique_ptr<Manager> inner, std::string unit,
                                                 SystemdOptions options, bool unified);
  ~SystemdManager() override;

  // The cgroupfs directories (the EBUSY check included), then a bus
  // connection, so an unreachable systemd fails before the init exists.
  Status Create() override;
  Status CheckUnoccupied() override;
  // The first call starts the unit with pid in it; every call then also
  // joins pid through cgroupfs (the v1 hierarchies systemd does not manage).
  Status AddProcess(pid_t pid) override;
  Status ApplyResources(const spec::Resources& resources) override {
    return inner_->ApplyResources(resources);
  }
  // As runc's Set: SetUnitProperties(unit, runtime, the properties of
  // before+update), so that systemd re-applying the unit's settings (on
  // daemon-reload) keeps the new limits; then the cgroupfs update, all or
  // nothing (update.h). A refused property change writes no file; a failed
  // cgroupfs update sets the properties of `before` back (best effort; a
  // property `before` lacks goes back to systemd's "unset", or infinity
  // for the limits, which systemd cannot reset to its default). No bus
  // call when neither holds a limit systemd has a property for. No freeze
  // around the change (runc freezes on v1 for device properties, which
  // berth never sends and update never changes).
  Status UpdateFrom(const spec::Resources& before, const spec::Resources& update) override;
  // Without the stored resources: the update's own properties.
  Status Update(const spec::Resources& resources) override {
    return UpdateFrom(spec::Resources(), resources);
  }
  Result<Stats> GetStats() override { return inner_->GetStats(); }
  Result<std::unique_ptr<OomWatcher>> WatchOom() override { return inner_->WatchOom(); }
  Status Freeze() override { return inner_->Freeze(); }
  Status Thaw() override { return inner_->Thaw(); }
  Result<bool> IsFrozen() override { return inner_->IsFrozen(); }
  Result<std::vector<pid_t>> Pids() override { return inner_->Pids(); }
  Status KillAll(int signal) override { return inner_->KillAll(signal); }
  // StopUnit (once; "not loaded" is success), then cgroupfs removal of
  // whatever remains. Like runc, a failed stop alone does not fail it.
  Status Destroy() override;
  std::string Serialize() const override;
  std::string Path() const override { return inner_->Path(); }

  const std::string& unit() const { return config_.unit; }

 private:
  // subscribe: also receive JobRemoved (start and stop wait for jobs).
  Status Connect(bool subscribe = true);
  Status SetUnitProperties(std::vector<dbus::Value> properties);
  Status StartUnit(pid_t pid);
  Status StopUnit();
  // Waits for the JobRemoved signal of job; returns its result ("done", "failed", ...).
  Result<std::string> WaitForJob(const std::string& job, const std::string& what);
  void ResetFailed();

  std::unique_ptr<Manager> inner_;
  SystemdUnitConfig config_;
  SystemdOptions options_;
  std::unique_ptr<dbus::Connection> bus_;
  bool started_ = false;         // the unit holds our init
  bool owns_unit_ = false;       // systemd accepted our StartTransientUnit (or a loaded state says so)
  bool disowned_ = false;        // the cgroup or the unit turned out to be someone else's
  bool stop_attempted_ = false;  // Destroy is retried; ask systemd once
};

// The manager for a --systemd-cgroup container on host (no bus traffic yet).
Result<std::unique_ptr<Manager>> NewSystemdManagerOn(const Host& host, const CgroupSpec& spec,
                                                     SystemdOptions options);

}  // namespace berth::cgroups
