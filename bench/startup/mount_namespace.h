// Gives the benchmark its own mount namespace, so that every runtime sees the
// same cgroup layout and nothing the benchmark does leaks to the host.
#pragma once

#include <string>

#include "spec/error.h"

namespace berth::bench {

// Unshares the mount namespace of the calling process (call it before any
// thread starts), makes every mount a slave of the host's so nothing
// propagates back, and with `hide_cgroup2` on a hybrid host (cgroup v1 at
// /sys/fs/cgroup, cgroup2 at /sys/fs/cgroup/unified) detaches the cgroup2
// mount: crun refuses hybrid hosts, and all runtimes are then measured on
// the same pure-v1 view. Returns a one-line description of what was done.
Result<std::string> EnterBenchMountNamespace(bool hide_cgroup2);

}  // namespace berth::bench
