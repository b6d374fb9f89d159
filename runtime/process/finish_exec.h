// CHILD side: the last steps of every container process, the init of
// create/run and the process of exec alike, in the one order the seccomp
// rules allow. Both callers prepare everything first (namespaces, rootfs,
// user, capabilities, LSM labels, cwd, LookPath; create also waits on the
// exec fifo and runs the startContainer hooks), then call FinishAndExec:
//
//   1. fds: the preserved ones (3 .. 3+n-1) lose FD_CLOEXEC; every other fd
//      >= 3+n is closed except `keep_fds` (O_CLOEXEC, still needed: the fd
//      an error is reported on, the seccomp listener socket). Closed, not
//      marked: a marked fd is still open while execve resolves its path, so
//      "/proc/self/fd/N/..." as args[0] could reach a leaked host directory
//      (CVE-2024-21626).
//   2. execCPUAffinity.final.
//   3. no_new_privs when asked.
//   4. the seccomp filter -- from here on, the only system calls are:
//      - sendmsg of the notify fd to linux.seccomp.listenerPath (the message
//        was built before), when the profile uses SCMP_ACT_NOTIFY (as runc);
//      - one capset(2) when noNewPrivileges is false: the filter then needs
//        CAP_SYS_ADMIN, which the caller kept in effective/permitted across
//        the user change (ApplyCapabilitiesRetaining) and which this capset
//        drops (runc makes setgroups/setuid/capset/prctl calls after it);
//      - execve.
//   Profiles that list none of close_range, sched_setaffinity, chdir, stat,
//   openat... (old errno-default profiles, minimal allow-lists) therefore work.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runtime/base/error.h"
#include "runtime/process/capabilities.h"
#include "runtime/process/seccomp.h"

namespace berth::process {

struct FinalSteps {
  std::string path;  // the resolved executable (LookPath)
  const std::vector<std::string>* args = nullptr;
  const std::vector<std::string>* env = nullptr;
  int preserved_fds = 0;      // fds 3 .. 3+n-1 handed to the process
  std::vector<int> keep_fds;  // O_CLOEXEC fds used until execve
  std::string final_cpus;     // execCPUAffinity.final, "" for none
  bool no_new_privileges = false;
  const SeccompFilter* seccomp = nullptr;
  // SCMP_ACT_NOTIFY: a socket connected to listenerPath (in keep_fds) and
  // the container process state to send with the notify fd.
  int listener_fd = -1;
  std::string listener_message;
  // noNewPrivileges false: the configured sets, set after the filter to drop
  // what was retained for it. nullopt: nothing was retained.
  std::optional<CapabilitySets> final_capabilities;
};

// The kernel calls FinishAndExec makes, one method per step, so that unit
// tests can record their order with a fake (testing/recording_final_calls.h)
// instead of running them. The real ones: KernelFinalCalls().
class FinalCalls {
 public:
  virtual ~FinalCalls() = default;
  virtual Status CloseFds(int preserved_fds, const std::vector<int>& keep_fds) = 0;
  virtual Status SetCpuAffinity(const std::string& cpus) = 0;
  virtual Status SetNoNewPrivileges(bool enabled) = 0;
  // The notify fd when the filter uses SCMP_ACT_NOTIFY, else -1.
  virtual Result<int> LoadSeccomp(const SeccompFilter& filter) = 0;
  virtual Status SendNotifyFd(int listener_fd, const std::string& message, int notify_fd) = 0;
  virtual Status SetCapabilities(const CapabilitySets& sets) = 0;
  // Returns only on failure, with errno set.
  virtual void Execve(const char* path, char* const argv[], char* const envp[]) = 0;
};

FinalCalls& KernelFinalCalls();

// Returns only on failure (before or after the filter; after it, reporting
// the error may itself be refused by the filter).
Status FinishAndExec(const FinalSteps& steps, FinalCalls& calls = KernelFinalCalls());

// The capabilities a caller keeps across its user change for the filter:
// CAP_SYS_ADMIN when a filter is loaded without no_new_privs (seccomp(2)
// requires one or the other), dropped by the capset after the filter.
uint64_t CapabilitiesRetainedForSeccomp(bool has_filter, bool no_new_privileges);

// Step 1 alone. `close_range` is the system call (replaceable in tests); when
// it is refused (ENOSYS before Linux 5.9, EPERM under a seccomp filter the
// runtime itself runs under, EINVAL), the open fds listed in /proc/self/fd
// (every number up to RLIMIT_NOFILE when /proc is not there) are closed one
// by one instead.
using CloseRangeCall = int (*)(unsigned first, unsigned last, unsigned flags);
Status CloseFdsForExec(int preserved_fds, std::vector<int> keep_fds, CloseRangeCall close_range = nullptr);

}  // namespace berth::process
