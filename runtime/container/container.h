// The container lifecycle (runtime.md): create, start, state, kill, delete,
// list, pause/resume. Each function is one CLI command's library call; errors
// name the container and the problem and are logged by the caller.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/error.h"
#include "spec/state.h"

namespace berth::container {

// Global flags that every command sees.
struct RuntimeOptions {
  std::string root = "/run/berth";
  bool systemd_cgroup = false;
  bool rootless = false;
};

struct CreateOptions {
  std::string id;
  std::string bundle;          // directory; made absolute by Create
  std::string console_socket;  // AF_UNIX path that receives the pty master
  std::string pid_file;
  bool no_pivot = false;
  bool no_new_keyring = false;
  int preserve_fds = 0;
  // `run` with process.terminal and no --console-socket: the master arrives on
  // this already-connected socket fd instead.
  int console_socket_fd = -1;
};

// Creates the container up to "created": namespaces, rootfs, cgroup, hooks
// (prestart, createRuntime, createContainer), the process prepared and
// blocked on exec.fifo. On error nothing is left behind: no state dir,
// cgroup, process, mount or fd. Returns the init's host pid.
Result<pid_t> Create(const RuntimeOptions& runtime, const CreateOptions& options);

// Lets a created container's init execve the user process (startContainer
// hooks run in the container first), then runs poststart hooks: a failing
// poststart hook is an error and stops the container (runtime.md lifecycle
// step 9). Errors for any status but created.
Status Start(const RuntimeOptions& runtime, std::string_view id);

// The current OCI state; status derived from the state dir and the init
// (pid + start time, so a reused pid reads as stopped).
Result<spec::State> State(const RuntimeOptions& runtime, std::string_view id);

// Sends `signal` to the init, or with `all` to every process of the container
// (cgroup). Error when the container is stopped.
Status Kill(const RuntimeOptions& runtime, std::string_view id, int signal, bool all);

// Removes a stopped container: cgroup, poststop hooks (failure is a warning),
// state dir. Any other status (created included: runtime.md "delete", unlike
// runc) is an error unless `force`, which kills the container first. A
// missing container is an error unless forced.
Status Delete(const RuntimeOptions& runtime, std::string_view id, bool force);

// What `state` and `list` show beyond the OCI state, as runc shows it.
struct ListEntry {
  spec::State state;
  std::string rootfs;  // absolute
  int64_t created_ns = 0;
  std::string owner;  // uid of the state dir's owner
  // Non-empty when the state dir is damaged (state.json unreadable): the
  // error. `list` shows the container with the status "damaged" (runc omits
  // it and prints "load container ID: ERROR" on stderr) so it is not hidden.
  std::string damaged;
};
Result<ListEntry> Describe(const RuntimeOptions& runtime, std::string_view id);
// With `rootfs` false, ListEntry::rootfs is left empty and config.json is
// not read: parsing every container's config was a sixth of `list`'s time
// with 1,000 containers, and only `list --format json` shows it.
Result<std::vector<ListEntry>> List(const RuntimeOptions& runtime, bool rootfs = true);

Status Pause(const RuntimeOptions& runtime, std::string_view id);
Status Resume(const RuntimeOptions& runtime, std::string_view id);
Result<std::vector<pid_t>> Processes(const RuntimeOptions& runtime, std::string_view id);

// Moves a process exec'd into the container into its resctrl group (and
// monitoring group), as create did for the init; ok without linux.intelRdt.
Status JoinResctrlGroup(const RuntimeOptions& runtime, std::string_view id, pid_t pid);

// Warnings (e.g. failed poststop hooks) are reported through this
// callback so the library does not log; the CLI logs them.
void SetWarningHandler(void (*handler)(std::string_view message));
void Warn(std::string_view message);

}  // namespace berth::container
