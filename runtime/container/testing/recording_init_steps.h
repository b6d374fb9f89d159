// An InitSteps (init_steps.h) that runs nothing and records the steps
// PrepareInit takes, in order, so tests assert the order without a kernel.
// PrepareRootfs calls the cgroup wait when `rootfs_needs_cgroup` is set, as
// a "cgroup" mount or device nodes do.
#pragma once

#include <cerrno>
#include <functional>
#include <string>
#include <vector>

#include "runtime/container/init_steps.h"

namespace berth::testing {

class RecordingInitSteps final : public container::InitSteps {
 public:
  // Step names: "join-namespaces", "unshare-staged", "report-unshared",
  // "await-mappings", "fork-init", "await-setup-done", "become-root",
  // "non-dumpable", "session-keyring", "await-cgroup", "unshare-late",
  // "prepare-rootfs", "report-rootfs-ready", "await-hooks-done",
  // "create-container-hooks", "enter-rootfs", "sysctl", "hostname",
  // "console", "process-attributes", "set-user", "capabilities", "lsm",
  // "chdir", "look-path".
  std::vector<std::string> steps;
  bool rootfs_needs_cgroup = false;
  std::string fail_at;  // a step name that returns an error instead

  Status JoinNamespaces() override { return Record("join-namespaces"); }
  Status UnshareStaged() override { return Record("unshare-staged"); }
  Status ReportUnshared() override { return Record("report-unshared"); }
  Status AwaitMappings() override { return Record("await-mappings"); }
  Status ForkInit() override { return Record("fork-init"); }
  Status AwaitSetupDone() override { return Record("await-setup-done"); }
  Status BecomeRoot() override { return Record("become-root"); }
  Status SetNonDumpable() override { return Record("non-dumpable"); }
  Status JoinSessionKeyring() override { return Record("session-keyring"); }
  Status AwaitCgroup() override { return Record("await-cgroup"); }
  Status UnshareLateNamespaces() override { return Record("unshare-late"); }
  Status PrepareRootfs(const std::function<Status()>& await_cgroup) override {
    BERTH_TRY(Record("prepare-rootfs"));
    if (rootfs_needs_cgroup) BERTH_TRY(await_cgroup());
    return Ok();
  }
  Status ReportRootfsReady() override { return Record("report-rootfs-ready"); }
  Result<std::string> AwaitHooksDone() override {
    BERTH_TRY(Record("await-hooks-done"));
    return std::string("{\"ociVersion\":\"1.3.0\"}");
  }
  Status RunCreateContainerHooks(const std::string&) override { return Record("create-container-hooks"); }
  Status EnterRootfs() override { return Record("enter-rootfs"); }
  Status ApplySysctls() override { return Record("sysctl"); }
  Status SetHostAndDomainName() override { return Record("hostname"); }
  Status SetUpConsole() override { return Record("console"); }
  Status ApplyProcessAttributes() override { return Record("process-attributes"); }
  Status SetUser() override { return Record("set-user"); }
  Status SetCapabilities() override { return Record("capabilities"); }
  Status ApplyLsmLabels() override { return Record("lsm"); }
  Status ChangeDirectory() override { return Record("chdir"); }
  Result<std::string> LookPath() override {
    BERTH_TRY(Record("look-path"));
    return std::string("/bin/true");
  }

 private:
  Status Record(const char* step) {
    steps.push_back(step);
    if (fail_at == step) return Error(EIO, std::string("injected failure at ") + step);
    return Ok();
  }
};

}  // namespace berth::testing
