// The host's cgroup layout and building managers for it. NewManager and
// LoadManager (manager.h) use these with the real /sys/fs/cgroup; tests pass
// temporary trees.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "runtime/cgroups/cgroup_fs.h"
#include "runtime/cgroups/manager.h"

namespace berth::cgroups {

enum class Layout { kV1, kV2, kHybrid };

std::string_view LayoutName(Layout layout);

// statfs(root): CGROUP2_SUPER_MAGIC is a pure v2 host; TMPFS_MAGIC is v1,
// or hybrid when root/unified is a cgroup2 mount. Two syscalls, no
// mountinfo parsing.
Result<Layout> DetectLayout(const std::string& root);

struct Host {
  Layout layout = Layout::kV1;
  std::shared_ptr<const CgroupFs> v1;  // the v1 root (kV1, kHybrid)
  std::shared_ptr<const CgroupFs> v2;  // the unified root (kV2, kHybrid)
};

// Builds the manager for spec on host. proc_self_cgroup is the content of
// /proc/self/cgroup (needed only for a relative cgroupsPath).
Result<std::unique_ptr<Manager>> NewManagerOn(const Host& host, const CgroupSpec& spec,
                                              std::string_view proc_self_cgroup);

// How the systemd driver (systemd_manager.h) reaches systemd.
struct SystemdOptions {
  // A unix socket path ("@name": abstract); empty: the system bus
  // ($DBUS_SYSTEM_BUS_ADDRESS, else /run/dbus/system_bus_socket).
  std::string bus_socket;
  // Bounds connecting, each call, and each wait for a job; runc waits 30 s.
  std::chrono::milliseconds timeout{30000};
};

// Makes the CgroupFs of one hierarchy root.
using CgroupFsFactory = std::function<std::shared_ptr<const CgroupFs>(const std::string& root)>;

// LoadManager with the hierarchies' CgroupFs made by `make_fs` (tests: a
// fake over temporary trees), and the bus a "systemd-unit" state talks to.
Result<std::unique_ptr<Manager>> LoadManagerOn(std::string_view serialized, const CgroupFsFactory& make_fs,
                                               const SystemdOptions& systemd = SystemdOptions());

}  // namespace berth::cgroups
