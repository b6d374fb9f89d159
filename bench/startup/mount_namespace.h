// Gives the benchmark its own mount namespace, so that every runtime sees the
// same cgroup layout and nothing the benchmark does leaks to the host.
#pragma once

#include <string>

#include "runtime/base/error.h"

namespace berth::bench {

// Unshares the mount namespace of the calling process (call it before any
// thread starts), makes every mount a slave of the host's so nothing
// propagates back, and with `hide_cgroup2` on a hybrid host (cgroup v1 at
// /sys/fs/cgroup, cgroup2 at /sys/fs/cgroup/unified) detaches the cgroup2
// mount: crun refuses hybrid hosts, and all runtimes are then measured on
// the same pure-v1 view.
struct BenchMountNamespace {
  std::string description;      // one line: what was done
  bool cgroup2_hidden = false;  // a hybrid host's cgroup2 mount was detached
  int host_mount_ns_fd = -1;    // O_CLOEXEC fd of the namespace left behind
};
Result<BenchMountNamespace> EnterBenchMountNamespace(bool hide_cgroup2);

}  // namespace berth::bench
