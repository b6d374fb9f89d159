// `exec`, CHILD side, internal to the package: the steps of the intermediate
// child and of the process it forks, behind ChildCalls so that a unit test
// (exec_child_order_test.cc) records their order with a fake instead of
// running them. RunIntermediate (exec.h) runs them with KernelChildCalls().
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "runtime/base/error.h"
#include "runtime/container/sync.h"
#include "runtime/exec/exec.h"
#include "runtime/process/capabilities.h"
#include "runtime/process/finish_exec.h"

namespace berth::exec::internal {

// One method per step the exec children take; the real ones make the
// system calls, a test's fake records the names.
class ChildCalls {
 public:
  virtual ~ChildCalls() = default;
  // Intermediate child.
  virtual Status MakeNonDumpable() = 0;
  virtual Status JoinNamespaces(int pidfd, int ns_flags) = 0;
  virtual Status EnterRoot(int root_fd) = 0;
  // kInCgroup: the parent has attached this (intermediate) child to the
  // container's cgroups, so what it forks is born in them.
  virtual Status AwaitInCgroup(container::SyncSocket& sync) = 0;
  // clone3(CLONE_PARENT): 0 in the process, its pid in the intermediate.
  virtual Result<pid_t> CloneProcess() = 0;
  virtual Status ReportPid(container::SyncSocket& sync, pid_t pid) = 0;
  // The process: terminal, attributes, user, capabilities, LSM labels, cwd;
  // returns the resolved executable.
  virtual Result<std::string> Prepare(const ChildContext& ctx,
                                      std::optional<process::CapabilitySets>* final_caps) = 0;
  // kSetupDone, awaited only with a seccomp listener: its payload is the
  // listener message, which names the process's pid.
  virtual Result<container::SyncMessage> AwaitGo(container::SyncSocket& sync) = 0;
  // FinishAndExec's own kernel calls.
  virtual process::FinalCalls& Final() = 0;
};

ChildCalls& KernelChildCalls();

// The intermediate's steps up to and including the fork: the pid of the
// process (in the intermediate) or 0 (in the process).
Result<pid_t> IntermediateSteps(const ChildContext& ctx, ChildCalls& calls);

// The process's steps, ending in execve: returns only on failure.
// `parent_gone` is set when an awaited go never came (the parent failed or
// died): there is no one to report to.
Status ProcessSteps(const ChildContext& ctx, ChildCalls& calls, bool* parent_gone);

}  // namespace berth::exec::internal
