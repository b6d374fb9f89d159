// --debug for the create side: each init step is logged before it runs, as
// exec's steps and every sync message are (log::Debug). Without --debug
// RunInit does not wrap its steps at all.
#include "runtime/container/init_steps.h"
#include "runtime/log/log.h"

namespace berth::container {
namespace {

class DebugLoggedInitSteps final : public InitSteps {
 public:
  explicit DebugLoggedInitSteps(InitSteps& inner) : inner_(inner) {}

  Status JoinNamespaces() override {
    return Run("join-namespaces", [&] { return inner_.JoinNamespaces(); });
  }
  Status UnshareStaged() override {
    return Run("unshare-staged", [&] { return inner_.UnshareStaged(); });
  }
  Status ReportUnshared() override {
    return Run("report-unshared", [&] { return inner_.ReportUnshared(); });
  }
  Status AwaitMappings() override {
    return Run("await-mappings", [&] { return inner_.AwaitMappings(); });
  }
  Status ForkInit() override {
    return Run("fork-init", [&] { return inner_.ForkInit(); });
  }
  Status AwaitSetupDone() override {
    return Run("await-setup-done", [&] { return inner_.AwaitSetupDone(); });
  }
  Status BecomeRoot() override {
    return Run("become-root", [&] { return inner_.BecomeRoot(); });
  }
  Status SetNonDumpable() override {
    return Run("non-dumpable", [&] { return inner_.SetNonDumpable(); });
  }
  Status JoinSessionKeyring() override {
    return Run("session-keyring", [&] { return inner_.JoinSessionKeyring(); });
  }
  Status AwaitCgroup() override {
    return Run("await-cgroup", [&] { return inner_.AwaitCgroup(); });
  }
  Status UnshareLateNamespaces() override {
    return Run("unshare-late", [&] { return inner_.UnshareLateNamespaces(); });
  }
  Status PrepareRootfs(const std::function<Status()>& await_cgroup) override {
    return Run("prepare-rootfs", [&] { return inner_.PrepareRootfs(await_cgroup); });
  }
  Status ReportRootfsReady() override {
    return Run("report-rootfs-ready", [&] { return inner_.ReportRootfsReady(); });
  }
  Result<std::string> AwaitHooksDone() override {
    Announce("await-hooks-done");
    return inner_.AwaitHooksDone();
  }
  Status RunCreateContainerHooks(const std::string& state_json) override {
    return Run("create-container-hooks", [&] { return inner_.RunCreateContainerHooks(state_json); });
  }
  Status EnterRootfs() override {
    return Run("enter-rootfs", [&] { return inner_.EnterRootfs(); });
  }
  Status ApplySysctls() override {
    return Run("sysctl", [&] { return inner_.ApplySysctls(); });
  }
  Status SetHostAndDomainName() override {
    return Run("hostname", [&] { return inner_.SetHostAndDomainName(); });
  }
  Status SetUpConsole() override {
    return Run("console", [&] { return inner_.SetUpConsole(); });
  }
  Status ApplyProcessAttributes() override {
    return Run("process-attributes", [&] { return inner_.ApplyProcessAttributes(); });
  }
  Status SetUser() override {
    return Run("set-user", [&] { return inner_.SetUser(); });
  }
  Status SetCapabilities() override {
    return Run("capabilities", [&] { return inner_.SetCapabilities(); });
  }
  Status ApplyLsmLabels() override {
    return Run("lsm", [&] { return inner_.ApplyLsmLabels(); });
  }
  Status ChangeDirectory() override {
    return Run("chdir", [&] { return inner_.ChangeDirectory(); });
  }
  Result<std::string> LookPath() override {
    Announce("look-path");
    return inner_.LookPath();
  }

 private:
  static void Announce(const char* step) { log::Debug(std::string("init: ") + step); }
  template <class F>
  static Status Run(const char* step, F&& call) {
    Announce(step);
    return call();
  }
  InitSteps& inner_;
};

}  // namespace

Result<PreparedInit> PrepareInitLogged(const InitPlan& plan, InitSteps& steps) {
  if (!log::DebugEnabled()) return PrepareInit(plan, steps);
  DebugLoggedInitSteps logged(steps);
  return PrepareInit(plan, logged);
}

}  // namespace berth::container
