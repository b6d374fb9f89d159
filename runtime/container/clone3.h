// clone3(2) used like fork(): the child continues with a copy of the
// caller's memory and returns 0; optionally born in its cgroup v2. Shared by
// create's init, the staged init and exec's process; the system call itself
// is in runtime/base/syscalls.h.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>
#include <string>

#include "runtime/base/syscalls.h"

namespace berth::container {

// With CLONE_PARENT the child is the caller's sibling (the runtime's child)
// and the kernel takes the exit signal from the caller: none may be given.
inline pid_t Clone3(uint64_t flags) {
  sys::CloneArgs args;
  args.flags = flags;
  args.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
  return sys::Clone3(args);
}

// The child is born in the cgroup v2 directory `cgroup_fd` (no migration).
// -1 with errno where the kernel refuses (before 5.7, a domain cgroup
// rule, permissions...): the caller falls back to Clone3 and an attach.
inline pid_t Clone3IntoCgroup(uint64_t flags, int cgroup_fd) {
  sys::CloneArgs args;
  args.flags = flags | CLONE_INTO_CGROUP;
  args.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
  args.cgroup = static_cast<uint64_t>(cgroup_fd);
  return sys::Clone3(args, sizeof args);
}

// Clone3IntoCgroup where `unified_dir` (Manager::UnifiedDir) is usable,
// else Clone3. *born_in_cgroup says which happened.
inline pid_t Clone3MaybeIntoCgroup(uint64_t flags, const std::string& unified_dir, bool* born_in_cgroup) {
  *born_in_cgroup = false;
  if (!unified_dir.empty()) {
    int fd = open(unified_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
      pid_t pid = Clone3IntoCgroup(flags, fd);
      close(fd);  // in both processes
      if (pid >= 0) {
        *born_in_cgroup = true;
        return pid;
      }
    }
  }
  return Clone3(flags);
}

}  // namespace berth::container
