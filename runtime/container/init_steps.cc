#include "runtime/container/init_steps.h"

namespace berth::container {
namespace {

// Staged entry (sync.h): join by path, unshare the new namespaces, let the
// parent write the id maps, then fork the init so that it is inside the
// pid namespace.
Status EnterNamespacesStaged(const InitPlan& plan, InitSteps& steps) {
  BERTH_TRY(steps.JoinNamespaces());
  if (plan.unshare_when_staged) BERTH_TRY(steps.UnshareStaged());
  BERTH_TRY(steps.ReportUnshared());
  BERTH_TRY(steps.AwaitMappings());
  if (plan.new_user_ns) BERTH_TRY(steps.BecomeRoot());
  return steps.ForkInit();
}

}  // namespace

Result<PreparedInit> PrepareInit(const InitPlan& plan, InitSteps& steps) {
  PreparedInit prepared;
  if (plan.staged)
    BERTH_TRY(EnterNamespacesStaged(plan, steps));
  else
    BERTH_TRY(steps.JoinNamespaces());
  BERTH_TRY(steps.AwaitSetupDone());
  if (plan.new_user_ns) BERTH_TRY(steps.BecomeRoot());
  // Non-dumpable until execve: nothing in the container may ptrace us or
  // open our /proc files (CVE-2016-9962). Set after the parent wrote the id
  // maps, which needs a dumpable child in a new user namespace.
  BERTH_TRY(steps.SetNonDumpable());
  if (plan.new_session_keyring) BERTH_TRY(steps.JoinSessionKeyring());
  // The parent is attaching us to the cgroup meanwhile (sync.h). A new
  // cgroup namespace is rooted at the cgroup we are in when unsharing it.
  bool in_cgroup = false;
  auto await_cgroup = [&]() -> Status {
    if (in_cgroup) return Ok();
    BERTH_TRY(steps.AwaitCgroup());
    in_cgroup = true;
    return Ok();
  };
  if (plan.new_cgroup_ns) BERTH_TRY(await_cgroup());
  BERTH_TRY(steps.UnshareLateNamespaces());
  BERTH_TRY(steps.PrepareRootfs(await_cgroup));
  BERTH_TRY(await_cgroup());  // in any case before the process runs

  BERTH_TRY(steps.ReportRootfsReady());
  prepared.state_json = BERTH_TRY(steps.AwaitHooksDone());
  BERTH_TRY(steps.RunCreateContainerHooks(prepared.state_json));
  BERTH_TRY(steps.EnterRootfs());
  BERTH_TRY(steps.ApplySysctls());
  BERTH_TRY(steps.SetHostAndDomainName());
  if (plan.terminal) BERTH_TRY(steps.SetUpConsole());
  BERTH_TRY(steps.ApplyProcessAttributes());

  // The seccomp filter comes last (process::FinishAndExec, after `start`).
  // Without no_new_privs it needs CAP_SYS_ADMIN, kept across the user change
  // and dropped by the one capset after the filter.
  BERTH_TRY(steps.SetUser());
  BERTH_TRY(steps.SetCapabilities());
  BERTH_TRY(steps.ApplyLsmLabels());
  BERTH_TRY(steps.ChangeDirectory());
  prepared.executable = BERTH_TRY(steps.LookPath());
  return prepared;
}

}  // namespace berth::container
