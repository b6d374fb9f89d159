// CHILD side: the container init's steps up to "created", behind a narrow
// interface so that their order is decided in one place (PrepareInit) and
// unit tests can record it with a fake (testing/recording_init_steps.h)
// instead of running a kernel. The real steps are init_child.cc's.
//
// The order rules PrepareInit keeps (sync.h draws the messages):
//   - the id maps before any user change: the child becomes root of a new
//     user namespace only after the parent said the maps are written
//     (kMappingsDone staged, kSetupDone otherwise), and process.user comes
//     after both;
//   - the cgroup joined (kInCgroup) before a new cgroup namespace is
//     unshared (it is rooted where the process is then), and in any case
//     before kRootfsReady;
//   - non-dumpable right after the id maps (it would refuse them before);
//   - createContainer hooks before pivot_root; pivot_root before sysctl,
//     hostname, the console and the process attributes, which all act on
//     the container's view;
//   - the process attributes (rlimits, scheduler...) before the user change
//     (raising a limit needs the privileges the user change drops); then
//     user, capabilities, LSM labels; then cwd and LookPath as that user.
#pragma once

#include <functional>
#include <string>

#include "runtime/base/error.h"

namespace berth::container {

// What decides which steps the init takes (from InitContext and the config).
struct InitPlan {
  bool staged = false;               // ns::NeedsStagedEntry: join, unshare, fork
  bool unshare_when_staged = false;  // staged with namespaces to create
  bool new_user_ns = false;          // the init gets a new user namespace
  bool new_session_keyring = true;   // not --no-new-keyring
  bool new_cgroup_ns = false;        // a cgroup namespace without a path
  bool terminal = false;             // process.terminal
};

// One method per step; each returns its error with the context it needs.
class InitSteps {
 public:
  virtual ~InitSteps() = default;

  virtual Status JoinNamespaces() = 0;  // setns to the configured paths
  // Staged entry only.
  virtual Status UnshareStaged() = 0;   // unshare the new namespaces
  virtual Status ReportUnshared() = 0;  // kUnshared
  virtual Status AwaitMappings() = 0;   // kMappingsDone: id maps written
  virtual Status ForkInit() = 0;        // returns in the init; the first process exits
  // Every entry.
  virtual Status AwaitSetupDone() = 0;  // kSetupDone: id maps written (unstaged)
  virtual Status BecomeRoot() = 0;      // uid/gid 0 of the new user namespace
  virtual Status SetNonDumpable() = 0;
  virtual Status JoinSessionKeyring() = 0;
  virtual Status AwaitCgroup() = 0;            // kInCgroup: the parent attached us
  virtual Status UnshareLateNamespaces() = 0;  // the cgroup namespace among them
  // await_cgroup: called by the rootfs steps that need the cgroup (a
  // "cgroup" mount, device nodes); it waits once.
  virtual Status PrepareRootfs(const std::function<Status()>& await_cgroup) = 0;
  virtual Status ReportRootfsReady() = 0;            // kRootfsReady
  virtual Result<std::string> AwaitHooksDone() = 0;  // kHooksDone: the state JSON
  virtual Status RunCreateContainerHooks(const std::string& state_json) = 0;
  virtual Status EnterRootfs() = 0;  // pivot_root (or chroot/move)
  virtual Status ApplySysctls() = 0;
  virtual Status SetHostAndDomainName() = 0;
  virtual Status SetUpConsole() = 0;
  virtual Status
  ApplyProcessAttributes() = 0;  // rlimits, oom score, scheduler, ioprio, personality, mempolicy, affinity
  virtual Status SetUser() = 0;  // process.user
  virtual Status SetCapabilities() = 0;  // keeps what the seccomp filter needs
  virtual Status ApplyLsmLabels() = 0;
  virtual Status ChangeDirectory() = 0;        // process.cwd, verified
  virtual Result<std::string> LookPath() = 0;  // process.args[0]
};

struct PreparedInit {
  std::string executable;  // LookPath's result
  std::string state_json;  // from kHooksDone
};

// The steps up to "created" in the order above. Stops at the first error.
Result<PreparedInit> PrepareInit(const InitPlan& plan, InitSteps& steps);

// The same, each step logged ("init: <step>", the recording fake's names)
// before it runs when --debug is on (init_steps_debug.cc).
Result<PreparedInit> PrepareInitLogged(const InitPlan& plan, InitSteps& steps);

}  // namespace berth::container
