// clone3(2) used like fork(): the child continues with a copy of the
// caller's memory and returns 0; optionally born in its cgroup v2. Shared by create's init, the staged init
// and exec's process, so the kernel ABI struct is declared once.
#pragma once

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace berth::container {

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

// The kernel's struct clone_args (v2 layout, 88 bytes: v0 and the cgroup).
struct CloneArgs {
  uint64_t flags = 0;
  uint64_t pidfd = 0;
  uint64_t child_tid = 0;
  uint64_t parent_tid = 0;
  uint64_t exit_signal = 0;
  uint64_t stack = 0;
  uint64_t stack_size = 0;
  uint64_t tls = 0;
  uint64_t set_tid = 0;
  uint64_t set_tid_size = 0;
  uint64_t cgroup = 0;
};
constexpr size_t kCloneArgsSizeVer0 = 64;

// With CLONE_PARENT the child is the caller's sibling (the runtime's child)
// and the kernel takes the exit signal from the caller: none may be given.
inline pid_t Clone3(uint64_t flags) {
  CloneArgs args;
  args.flags = flags;
  args.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
  return static_cast<pid_t>(syscall(SYS_clone3, &args, kCloneArgsSizeVer0));
}

// The child is born in the cgroup v2 directory `cgroup_fd` (no migration).
// -1 with errno where the kernel refuses (before 5.7, a domain cgroup
// rule, permissions...): the caller falls back to Clone3 and an attach.
inline pid_t Clone3IntoCgroup(uint64_t flags, int cgroup_fd) {
  CloneArgs args;
  args.flags = flags | CLONE_INTO_CGROUP;
  args.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
  args.cgroup = static_cast<uint64_t>(cgroup_fd);
  return static_cast<pid_t>(syscall(SYS_clone3, &args, sizeof args));
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
