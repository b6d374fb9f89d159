// OOM notifications of a memory cgroup, for `events`:
//   v1  an eventfd registered for memory.oom_control through
//       cgroup.event_control (the kernel signals it on OOM, and when the
//       cgroup is removed);
//   v2  inotify on memory.events, whose oom_kill counter is compared with
//       the last value seen.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "runtime/base/error.h"

namespace berth::cgroups {

class CgroupFs;

class OomWatcher {
 public:
  virtual ~OomWatcher();
  // Readable (poll POLLIN) when something happened.
  virtual int fd() const = 0;
  // After fd() turned readable: the OOM kills since the last call (0 for a
  // change that was no OOM). ENOENT once the cgroup is gone.
  virtual Result<uint64_t> Consume() = 0;
};

// memory_cgroup: the cgroup path in the v1 memory hierarchy of fs.
// The watcher keeps a reference to fs: the manager owning it must outlive it.
Result<std::unique_ptr<OomWatcher>> WatchV1Oom(const CgroupFs& fs, const std::string& memory_cgroup);
Result<std::unique_ptr<OomWatcher>> WatchV2Oom(const CgroupFs& fs, const std::string& cgroup);

}  // namespace berth::cgroups
