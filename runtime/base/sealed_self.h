// CVE-2019-5736: a container must never get a writable handle on the host's
// berth binary. berth's init and exec child execve the container's program
// from a process whose /proc/self/exe is berth itself, so an image program
// starting with `#!/proc/self/exe` runs berth inside the container, where a
// container process can open /proc/PID/exe and, later, reopen it for writing.
//
// The defence: the commands that start container processes (create, run,
// exec) re-execute berth once, early, from a read-only view of its own binary,
// so /proc/self/exe of every process they fork points into a read-only mount
// (the reopen gets EROFS) or at a sealed memfd (EPERM):
//   1. open_tree(/proc/self/exe, OPEN_TREE_CLONE): a detached bind mount of
//      the file alone; mount_setattr(MOUNT_ATTR_RDONLY); execveat(fd, "").
//      No copy, nothing in any mount table; the mount is freed with the last
//      process that references it.
//   2. where that is refused (kernels before 5.12, no CAP_SYS_ADMIN over the
//      mount namespace: rootless) a memfd copy sealed against any write.
// argv, environ and every inherited fd are passed on exactly; the only fds the
// re-exec opens are O_CLOEXEC and gone after execve.
#pragma once

#include <string_view>

#include "runtime/base/error.h"

namespace berth::base {

enum class ExeProtection {
  kNone,           // a writable mount, not a sealed memfd
  kReadOnlyMount,  // on a read-only mount (ST_RDONLY): the ro bind, or an ro filesystem
  kSealedMemfd,    // a memfd sealed against write, grow, shrink and new seals
};

std::string_view ExeProtectionName(ExeProtection protection);

// How the running binary is protected: one open, one fstatfs (and one fcntl
// when the mount is writable).
Result<ExeProtection> CurrentExeProtection();

// Which view of the binary to re-execute from. kAuto tries the read-only bind
// and falls back to the sealed memfd; the others are for tests and benchmarks.
enum class ReexecMethod { kAuto, kReadOnlyBind, kSealedMemfd };

// Returns Ok without doing anything when the running binary is already
// protected; otherwise re-executes it (does not return on success). Fails
// closed: an error when no protected view could be made.
Status ReexecFromProtectedSelf(char* const argv[], char* const envp[],
                               ReexecMethod method = ReexecMethod::kAuto);

}  // namespace berth::base
