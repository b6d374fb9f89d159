// clone3(2) used like fork(): the child continues with a copy of the
// caller's memory and returns 0. Shared by create's init, the staged init
// and exec's process; the system call itself is in runtime/base/syscalls.h.
#pragma once

#include <sched.h>
#include <signal.h>
#include <sys/types.h>

#include <cstdint>

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

}  // namespace berth::container
