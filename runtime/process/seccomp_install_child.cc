// Child side: loads a filter compiled by the parent. Only seccomp(2) is
// called here: no allocation beyond what the caller did, no libseccomp.
#include <linux/seccomp.h>
#include <unistd.h>

#include <string>

#include "runtime/base/syscalls.h"
#include "runtime/process/seccomp.h"

namespace berth::process {

Result<int> InstallSeccomp(const SeccompFilter& filter) {
  if (filter.program.empty() || filter.program.size() > BPF_MAXINSNS)
    return Error(EINVAL, "seccomp: program of " + std::to_string(filter.program.size()) + " instructions");
  sock_fprog prog;
  prog.len = static_cast<unsigned short>(filter.program.size());
  prog.filter = const_cast<sock_filter*>(filter.program.data());
  unsigned long flags = filter.flags;
  if (filter.uses_notify) {
    flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
    // TSYNC and NEW_LISTENER are exclusive unless TSYNC_ESRCH is also set.
    if (flags & SECCOMP_FILTER_FLAG_TSYNC) flags |= SECCOMP_FILTER_FLAG_TSYNC_ESRCH;
  }
  long rc = sys::Seccomp(SECCOMP_SET_MODE_FILTER, flags, &prog);
  if (rc < 0) {
    Error err = Error::Sys("seccomp(SECCOMP_SET_MODE_FILTER)");
    if (err.code() == EACCES)
      return Error(EACCES, "seccomp(SECCOMP_SET_MODE_FILTER): needs no_new_privs or CAP_SYS_ADMIN");
    return err;
  }
  // With NEW_LISTENER the return value is the listener fd (close-on-exec).
  return filter.uses_notify ? static_cast<int>(rc) : -1;
}

}  // namespace berth::process
