// clone3(2) used like fork(): the child continues with a copy of the
// caller's memory and returns 0. Shared by create's init, the staged init
// and exec's process, so the kernel ABI struct is declared once.
#pragma once

#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <cstdint>

namespace berth::container {

// The kernel's struct clone_args (v0 layout, 64 bytes).
struct CloneArgs {
  uint64_t flags = 0;
  uint64_t pidfd = 0;
  uint64_t child_tid = 0;
  uint64_t parent_tid = 0;
  uint64_t exit_signal = 0;
  uint64_t stack = 0;
  uint64_t stack_size = 0;
  uint64_t tls = 0;
};

// With CLONE_PARENT the child is the caller's sibling (the runtime's child)
// and the kernel takes the exit signal from the caller: none may be given.
inline pid_t Clone3(uint64_t flags) {
  CloneArgs args;
  args.flags = flags;
  args.exit_signal = (flags & CLONE_PARENT) ? 0 : SIGCHLD;
  return static_cast<pid_t>(syscall(SYS_clone3, &args, sizeof args));
}

}  // namespace berth::container
