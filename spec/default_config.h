// The config.json template `berth spec` writes: the same hardened defaults
// as `runc spec` (runc 1.1.5, checked on this host), hostname "berth".
#pragma once

#include "spec/config.h"

namespace berth::spec {

// rootless: adds a user namespace mapping the caller's euid/egid to 0, drops
// the network namespace, binds /sys instead of mounting sysfs, leaves out
// the devpts gid=5 and the device cgroup rule (as `runc spec --rootless`).
Config DefaultConfig(bool rootless);

}  // namespace berth::spec
