// Seccomp: compiled in the parent (libseccomp -> classic BPF), installed in
// the child with seccomp(2) alone, so the container init does no libseccomp
// work and the compile can be cached.
#pragma once

#include <linux/filter.h>
#include <linux/seccomp.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/error.h"
#include "spec/config.h"

namespace berth::process {

struct SeccompFilter {
  std::vector<sock_filter> program;  // classic BPF, ready for SECCOMP_SET_MODE_FILTER
  unsigned int flags = 0;            // SECCOMP_FILTER_FLAG_* to pass to seccomp(2)
  bool uses_notify = false;          // SCMP_ACT_NOTIFY present: install with NEW_LISTENER
};

// PARENT side, before clone. Unknown syscall names are ignored (as runc);
// unknown actions, operators, architectures and flags are errors.
Result<SeccompFilter> CompileSeccomp(const spec::Seccomp& profile);

// PARENT side: CompileSeccomp through a cache directory (created 0700 if
// missing; used only when owned by this user and not group/world-writable).
// Entries are keyed by the whole profile plus the libseccomp version and the
// kernel, verified byte for byte on load, and written atomically. Any cache
// problem falls back to compiling; only compile errors are returned.
Result<SeccompFilter> CompileSeccompCached(const spec::Seccomp& profile, const std::string& cache_dir);

// PARENT side: store a program already compiled from `profile` where
// CompileSeccompCached(profile, cache_dir) will find it (best effort). create
// keeps its program in the state dir so that exec needs no libseccomp.
void StoreCompiledSeccomp(const spec::Seccomp& profile, const SeccompFilter& filter,
                          const std::string& cache_dir);

// PARENT side, after compiling: the filter must let through what the child
// calls after loading it (sendmsg of the notify fd; capset when
// noNewPrivileges is false and CAP_SYS_ADMIN is not the process's anyway;
// execve), else the child would fail where it can no longer report. EPERM
// naming the call and the action otherwise.
Status CheckFilterLetsRuntimeFinish(const SeccompFilter& filter, const spec::Process& process);

// What the filter answers (SECCOMP_RET_*) for one call, by running the
// classic BPF program as the kernel would.
Result<uint32_t> RunSeccompProgram(const std::vector<sock_filter>& program, const seccomp_data& data);

// CHILD side. Returns the notify listener fd (close-on-exec) when the filter
// uses SCMP_ACT_NOTIFY, else -1. Needs no_new_privs or CAP_SYS_ADMIN: without
// noNewPrivileges, keep CAP_SYS_ADMIN across the user change
// (ApplyCapabilitiesRetaining), else seccomp(2) fails with EACCES. Called by
// FinishAndExec (finish_exec.h), which fixes what may follow it.
Result<int> InstallSeccomp(const SeccompFilter& filter);

// Sends notify_fd and the container process state (state JSON plus pid and
// listenerMetadata) to the agent listening on seccomp.listenerPath, as runc:
// one connection, the JSON as payload, the fd as SCM_RIGHTS.
// Call it in the PARENT (runtime) process, after the init passed notify_fd
// over the sync socket: listenerPath is a host path, which the init cannot
// reach after pivot_root, and the init's own socket calls may be filtered.
Status SendSeccompListenerFd(const spec::Seccomp& seccomp, int notify_fd, std::string_view state_json);

// The same in two steps, for a runtime that lets the init send: connect to
// listenerPath in the PARENT before clone (close-on-exec socket; the path is
// resolved on the host), hand the fd to the init, which calls
// SendSeccompState after InstallSeccomp and then closes the socket (one
// state per connection). The init then needs sendmsg(2) not to be notified.
Result<int> ConnectSeccompListener(const spec::Seccomp& seccomp);
Status SendSeccompState(int connected_fd, const spec::Seccomp& seccomp, int notify_fd,
                        std::string_view state_json);

// The same split once more, so that after the filter only sendmsg(2) runs:
// the message (the container process state of config-linux.md: pid is the
// process the fd belongs to, state the container's) built before the filter,
// and the CHILD-side send of notify_fd with it on the connected socket.
std::string ContainerProcessStateMessage(const spec::Seccomp& seccomp, int pid, std::string_view state_json);
Status SendSeccompNotifyFd(int connected_fd, std::string_view message, int notify_fd);

}  // namespace berth::process
