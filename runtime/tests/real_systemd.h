// A GoogleTest environment around tools/systemd/fixture: a real systemd 252,
// PID 1 of its own pid, mount and UTS namespaces, isolated from the host
// (its own /run, /tmp, /var/tmp, a fresh /sys/fs/cgroup tmpfs over the
// host's hierarchies, kernel-touching units masked).
//
// berth reaches it the way a process on a systemd host does: it runs in the
// fixture's namespaces (nsenter), where /run/dbus/system_bus_socket is that
// systemd's bus and /run/systemd/system exists. Anything a test shares with
// it must live outside /tmp, /run and /var/tmp (see dir()).
//
// SetUp boots it and waits for `systemctl is-system-running`; TearDown
// kills the namespace and removes the cgroups systemd made in the host's
// hierarchies (a failure to do so fails the run). A watchdog started with
// the fixture does the same if the test binary dies first.
#pragma once

#include <string>
#include <vector>

#include "runtime/tests/harness.h"

namespace berth::testing {

class RealSystemd {
 public:
  // Empty when it runs; otherwise why not (a test then GTEST_SKIPs when
  // the host cannot run it, and fails when the fixture itself failed).
  static const std::string& unavailable();
  static bool host_cannot();
  // A directory shared with the fixture's namespaces (not under /tmp).
  static const std::string& dir();
  // argv run inside the fixture's namespaces.
  static CommandResult Run(const std::vector<std::string>& argv);
  // berth --root root --systemd-cgroup args..., inside the namespaces.
  static CommandResult Berth(const std::string& root, const std::vector<std::string>& args);
  // `systemctl show unit -p property --value`.
  static std::string Show(const std::string& unit, const std::string& property);
};

// Registers the environment; call from main before RUN_ALL_TESTS.
void AddRealSystemdEnvironment();

}  // namespace berth::testing
