// `berth exec`: runs an additional process in a running container. It joins
// every namespace of the container init (user first; a fork after setns puts
// it in the pid namespace), the container's cgroup, and gets the config's
// process attributes unless overridden, as runc exec does.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/base/error.h"
#include "runtime/container/container.h"
#include "runtime/container/sync.h"
#include "spec/config.h"

namespace berth::exec {

using container::RuntimeOptions;

struct ExecOptions {
  std::string id;
  // --process: replaces config.process wholesale (the overrides below still apply).
  std::optional<spec::Process> process;
  std::vector<std::string> args;  // empty: keep the process's args
  std::optional<bool> tty;
  std::string cwd;
  std::vector<std::string> env;  // K=V, replacing an existing K
  std::optional<uint32_t> uid;
  std::optional<uint32_t> gid;
  std::vector<uint32_t> additional_gids;
  // Added to bounding/effective/permitted only, never inheritable/ambient
  // (CVE-2022-29162).
  std::vector<std::string> caps;
  bool no_new_privs = false;
  std::string apparmor;
  std::string process_label;
  bool detach = false;
  std::string pid_file;
  std::string console_socket;
  // In the foreground with a tty and no --console-socket: the connected
  // socket the pty master is sent on (Exec makes it and relays the pty).
  int console_socket_fd = -1;
  int preserve_fds = 0;
  // runc refuses to exec into a paused container unless told to: the new
  // process would join a frozen cgroup and hang.
  bool ignore_paused = false;
};

// The process to run: pure, from the container's config and the options.
Result<spec::Process> ExecProcess(const spec::Config& config, const ExecOptions& options);

// Parses a process.json (the "process" object of config.json).
Result<spec::Process> ParseProcessJson(const std::string& json);

// Starts the process; it is a child of the caller (waitable). Error for an
// unknown id or a stopped (or, unless ignore_paused, paused) container, with
// nothing left behind. A created container can be exec'd into, as with runc.
Result<pid_t> StartExec(const RuntimeOptions& runtime, const ExecOptions& options);

// StartExec, then with detach 0; else stays in the foreground (signals
// forwarded, pty relayed when --tty has no --console-socket) and returns the
// exit status (128 + signal when killed).
Result<int> Exec(const RuntimeOptions& runtime, const ExecOptions& options);

// Internal to the package: the CHILD side (exec_child.cc, its steps in
// exec_child.h). It speaks the typed protocol of runtime/container/sync.h:
//
//   parent (berth exec)                  intermediate child, then the process
//   -------------------                  ------------------------------------
//   clone3 (into the unified cgroup) --> non-dumpable
//   ---- in parallel: the cgroup attach is off the critical path ----
//   JoinContainerCgroup(intermediate)    setns(pidfd), chroot
//   (v1 hierarchies, resctrl; a cold
//   v1 cgroup.procs write waits for an
//   RCU grace period, ~8 ms)
//   kInCgroup ------------------------->  (waited for before the fork: the
//   ---- end of the parallel part ----    process is born in the cgroups)
//                                         clone3(CLONE_PARENT)
//        <------------------------------ kInitPid(pid of the process); exits
//                                         the process: terminal, attributes,
//                                         user, caps, LSM, cwd, LookPath
//   (only with a seccomp listener:)
//   kSetupDone(listener message) ------> (waited for before kError or execve:
//                                         the message names the process's pid)
//                                         FinishAndExec
//        <------------------------------ kError(errno, text), or end of file:
//                                        execve closed the close-on-exec socket
//
// Without a listener nothing orders the process's kError and the
// intermediate's kInitPid: ReceiveProcessPid reads both, so the failed
// process is still reaped.
// A child that fails during the parallel part has its kError queued before
// the parent's kInCgroup is read: the parent reports it rather than its own
// failed join (ESRCH) or send (EPIPE).
namespace internal {
struct ChildContext {
  const spec::Process* process = nullptr;
  int pidfd = -1;    // the container init
  int ns_flags = 0;  // CLONE_NEW* that differ from ours
  // The init's root (/proc/PID/root) when it shares our mount namespace but
  // not our root (a container without a mount namespace: chroot), or -1.
  int root_fd = -1;
  container::SyncSocket* sync = nullptr;  // the child's end, close-on-exec
  int console_fd = -1;                    // connected console socket, or -1
  int preserve_fds = 0;
  const void* seccomp = nullptr;            // const process::SeccompFilter*, or null
  int listener_fd = -1;                     // SCMP_ACT_NOTIFY: connected to linux.seccomp.listenerPath
  uint64_t changed_signals = ~uint64_t{0};  // process::ChangedSignalDispositions()
};
// PARENT side: the intermediate's kInitPid (the process's pid). Without a
// go to wait for, the process may fail (kError) before that report is read:
// the report still follows, and *failed_process is set to the pid to reap
// while the kError is returned. ECHILD when the intermediate died silently.
Result<pid_t> ReceiveProcessPid(container::SyncSocket& sync, pid_t* failed_process);
// Intermediate child: non-dumpable, setns, wait for kInCgroup,
// clone3(CLONE_PARENT) the process, report its pid (kInitPid), exit.
[[noreturn]] void RunIntermediate(const ChildContext& ctx);
}  // namespace internal

}  // namespace berth::exec
