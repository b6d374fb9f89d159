#include "runtime/container/init_child.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/keyctl.h>
#include <linux/magic.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <climits>
#include <cstdio>
#include <cstring>

#include "runtime/base/syscalls.h"
#include "runtime/container/clone3.h"
#include "runtime/container/init_steps.h"
#include "runtime/hooks/hooks.h"
#include "runtime/namespaces/namespaces.h"
#include "runtime/process/attributes.h"
#include "runtime/process/capabilities.h"
#include "runtime/process/finish_exec.h"
#include "runtime/process/look_path.h"
#include "runtime/process/lsm.h"
#include "runtime/process/rlimits.h"
#include "runtime/process/signal_dispositions.h"
#include "runtime/process/user.h"
#include "runtime/rootfs/sysctl.h"
#include "runtime/terminal/terminal.h"
#include "spec/state.h"

namespace berth::container {
namespace {

Status BecomeRootInNewUserNamespace() {
  // The parent has written the id maps; uid/gid 0 must be mapped to use them.
  if (setresgid(0, 0, 0) != 0) return Error::Sys("setresgid(0) in the new user namespace");
  if (setresuid(0, 0, 0) != 0) return Error::Sys("setresuid(0) in the new user namespace");
  return Ok();
}

Status JoinSessionKeyring(const std::string& id) {
  std::string name = "_ses." + id;
  if (sys::KeyctlJoinSessionKeyring(name.c_str()) < 0 && errno != ENOSYS)
    return Error::Sys("join session keyring");
  return Ok();
}

std::string StateWithStatus(const std::string& state_json, spec::ContainerStatus status) {
  auto state = spec::ParseState(state_json);
  if (!state) return state_json;
  state->status = status;
  return spec::SerializeState(*state);
}

Status SetUpConsole(InitContext& ctx, const spec::Process& process) {
  auto pair = BERTH_TRY_CTX(terminal::OpenConsole(), "open console");
  Status sent = terminal::SendConsoleMaster(ctx.console_socket_fd, pair.master_fd);
  close(pair.master_fd);
  close(ctx.console_socket_fd);
  ctx.console_socket_fd = -1;
  if (!sent) return std::move(sent).error().Context("send console master");
  Status ctty = terminal::BecomeControllingTerminal(pair.peer_fd, process.consoleSize);
  if (pair.peer_fd > 2) close(pair.peer_fd);
  if (!ctty) return std::move(ctty).error().Context("console");
  return Ok();
}

// Whether /proc/self/fd of the (new) root is a procfs.
bool HaveProcfs() {
  struct statfs st;
  return statfs("/proc/self/fd", &st) == 0 && static_cast<int64_t>(st.f_type) == PROC_SUPER_MAGIC;
}

// The init's steps as the kernel runs them; PrepareInit (init_steps.cc)
// decides their order.
class KernelInitSteps final : public InitSteps {
 public:
  KernelInitSteps(InitContext& ctx, std::optional<process::CapabilitySets>* final_capabilities)
      : ctx_(ctx),
        config_(*ctx.config),
        linux_(*ctx.config->linux_),
        process_(*ctx.config->process),
        final_capabilities_(final_capabilities) {}

  Status JoinNamespaces() override { return ns::JoinNamespaces(linux_); }
  Status UnshareStaged() override {
    if (unshare(static_cast<int>(ctx_.unshare_flags)) != 0)
      return Error::Sys("unshare the container's new namespaces");
    return Ok();
  }
  Status ReportUnshared() override { return ctx_.sync->Send(SyncType::kUnshared); }
  Status AwaitMappings() override { return Await(SyncType::kMappingsDone); }
  // Forks the init (CLONE_PARENT: the runtime's child) inside the pid
  // namespace; this first process reports the init's pid and exits.
  Status ForkInit() override {
    pid_t init = Clone3(CLONE_PARENT);
    if (init < 0) return Error::Sys("clone3 container init");
    if (init == 0) return Ok();
    if (!ctx_.sync->Send(SyncType::kInitPid, std::to_string(init))) kill(init, SIGKILL);
    _exit(0);
  }
  Status AwaitSetupDone() override { return Await(SyncType::kSetupDone); }
  Status BecomeRoot() override { return BecomeRootInNewUserNamespace(); }
  Status SetNonDumpable() override {
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0) return Error::Sys("prctl(PR_SET_DUMPABLE)");
    return Ok();
  }
  Status JoinSessionKeyring() override { return container::JoinSessionKeyring(ctx_.container_id); }
  Status AwaitCgroup() override { return Await(SyncType::kInCgroup); }
  Status UnshareLateNamespaces() override { return ns::UnshareLateNamespaces(linux_); }
  Status PrepareRootfs(const std::function<Status()>& await_cgroup) override {
    ctx_.rootfs.await_cgroup = await_cgroup;
    Status prepared = rootfs::PrepareRootfs(config_, ctx_.rootfs);
    ctx_.rootfs.await_cgroup = nullptr;
    if (!prepared) return std::move(prepared).error().Context("prepare rootfs");
    return Ok();
  }
  Status ReportRootfsReady() override { return ctx_.sync->Send(SyncType::kRootfsReady); }
  Result<std::string> AwaitHooksDone() override {
    SyncMessage hooks_done = BERTH_TRY(ctx_.sync->WaitFor(SyncType::kHooksDone));
    return std::move(hooks_done.payload);
  }
  Status RunCreateContainerHooks(const std::string& state_json) override {
    if (!config_.hooks || config_.hooks->createContainer.empty()) return Ok();
    return hooks::RunHooks(config_.hooks->createContainer, state_json, "createContainer");
  }
  Status EnterRootfs() override {
    ctx_.own_fds_dir = open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (ctx_.own_fds_dir < 0) return Error::Sys("open /proc/self/fd");
    BERTH_TRY_CTX(rootfs::EnterRootfs(config_, ctx_.rootfs), "enter rootfs");
    // Kept only when the new root has no procfs to reopen the fifo through.
    // A host directory fd in the waiting init is CVE-2016-9962's way out, but
    // without a procfs no process in the container can name the init's fds.
    if (ctx_.own_fds_dir >= 0 && HaveProcfs()) {
      close(ctx_.own_fds_dir);
      ctx_.own_fds_dir = -1;
    }
    return Ok();
  }
  Status ApplySysctls() override { return rootfs::ApplySysctls(config_); }
  Status SetHostAndDomainName() override { return ns::SetHostAndDomainName(config_); }
  Status SetUpConsole() override { return container::SetUpConsole(ctx_, process_); }
  Status ApplyProcessAttributes() override {
    BERTH_TRY(process::ApplyRlimits(process_.rlimits));
    BERTH_TRY(process::ApplyOomScoreAdj(process_));
    BERTH_TRY(process::ApplyScheduler(process_));
    BERTH_TRY(process::ApplyIoPriority(process_));
    BERTH_TRY(process::ApplyPersonality(linux_));
    BERTH_TRY(process::ApplyMemoryPolicy(linux_));
    if (process_.execCPUAffinity) BERTH_TRY(process::ApplyCpuAffinity(process_.execCPUAffinity->initial));
    return Ok();
  }
  Status SetUser() override { return process::SetUser(process_.user); }
  Status SetCapabilities() override {
    *final_capabilities_ = BERTH_TRY(process::ApplyCapabilitiesRetaining(
        process_.capabilities,
        process::CapabilitiesRetainedForSeccomp(ctx_.seccomp.has_value(), process_.noNewPrivileges)));
    return Ok();
  }
  Status ApplyLsmLabels() override { return process::ApplyLsmLabels(process_); }
  Status ChangeDirectory() override {
    return process::ChangeDirectoryVerified(process_.cwd.empty() ? "/" : process_.cwd);
  }
  Result<std::string> LookPath() override {
    if (process_.args.empty()) return Error(EINVAL, "process.args must not be empty");
    return process::LookPath(process_.args[0], process_.env);
  }

 private:
  Status Await(SyncType type) {
    BERTH_TRY(ctx_.sync->WaitFor(type));
    return Ok();
  }

  InitContext& ctx_;
  const spec::Config& config_;
  const spec::Linux& linux_;
  const spec::Process& process_;
  std::optional<process::CapabilitySets>* final_capabilities_;
};

InitPlan PlanOf(const InitContext& ctx) {
  InitPlan plan;
  plan.staged = ctx.staged;
  plan.unshare_when_staged = ctx.unshare_flags != 0;
  plan.new_user_ns = ctx.new_user_ns;
  plan.new_session_keyring = !ctx.no_new_keyring;
  const spec::Namespace* cgroup_ns = ctx.config->linux_->FindNamespace(spec::NamespaceType::cgroup);
  plan.new_cgroup_ns = cgroup_ns != nullptr && cgroup_ns->path.empty();
  plan.terminal = ctx.config->process->terminal;
  return plan;
}

// Steps after `start` opened the fifo. Returns only on error.
Status StartProcess(InitContext& ctx, process::FinalSteps& steps, const std::string& state_json) {
  const spec::Config& config = *ctx.config;
  if (config.hooks && !config.hooks->startContainer.empty()) {
    BERTH_TRY(hooks::RunHooks(config.hooks->startContainer,
                              StateWithStatus(state_json, spec::ContainerStatus::created), "startContainer"));
  }
  return process::FinishAndExec(steps);
}

void WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += n;
  }
}

}  // namespace

void RunInit(InitContext& ctx) {
  // The parent may run with signals blocked (run's signal forwarding) or
  // ignored (inherited from its caller): the container starts clean.
  process::ResetSignalDispositions(ctx.changed_signals);
  const spec::Process& process = *ctx.config->process;
  process::FinalSteps steps;
  KernelInitSteps init_steps(ctx, &steps.final_capabilities);
  auto prepared = PrepareInitLogged(PlanOf(ctx), init_steps);
  if (!prepared) {
    (void)ctx.sync->SendError(std::move(prepared).error());
    _exit(1);
  }
  const std::string& state_json = prepared->state_json;
  steps.path = prepared->executable;
  steps.args = &process.args;
  steps.env = &process.env;
  steps.preserved_fds = ctx.extra_fds;
  if (process.execCPUAffinity) steps.final_cpus = process.execCPUAffinity->final;
  steps.no_new_privileges = process.noNewPrivileges;
  if (ctx.seccomp) {
    steps.seccomp = &*ctx.seccomp;
    if (ctx.seccomp->uses_notify && ctx.seccomp_listener_fd < 0) {
      (void)ctx.sync->SendError(
          Error(EINVAL, "seccomp profile uses SCMP_ACT_NOTIFY but linux.seccomp.listenerPath is not set"));
      _exit(1);
    }
    if (ctx.seccomp->uses_notify) {
      auto state = spec::ParseState(state_json);
      if (!state) {
        (void)ctx.sync->SendError(std::move(state).error().Context("seccomp listener: state"));
        _exit(1);
      }
      steps.listener_fd = ctx.seccomp_listener_fd;
      steps.keep_fds.push_back(ctx.seccomp_listener_fd);
      steps.listener_message =
          process::ContainerProcessStateMessage(*ctx.config->linux_->seccomp, state->pid, state_json);
    }
  }
  // The fifo is reopened through our O_PATH fd, since its path is outside
  // the new root (through own_fds_dir, the host's, when the root has no /proc).
  // Opening for writing blocks until `start` opens it to read.
  char fifo_name[32];
  snprintf(fifo_name, sizeof fifo_name, ctx.own_fds_dir >= 0 ? "%d" : "/proc/self/fd/%d", ctx.exec_fifo_fd);
  if (!ctx.sync->Send(SyncType::kCreated)) _exit(1);
  ctx.sync->Close();
  int fifo_write_fd =
      openat(ctx.own_fds_dir >= 0 ? ctx.own_fds_dir : AT_FDCWD, fifo_name, O_WRONLY | O_CLOEXEC);
  if (fifo_write_fd < 0) _exit(1);
  if (ctx.own_fds_dir >= 0) close(ctx.own_fds_dir);
  close(ctx.exec_fifo_fd);
  steps.keep_fds.push_back(fifo_write_fd);
  Status started = StartProcess(ctx, steps, state_json);
  // Only reached on failure: `start` reads this text and reports it.
  WriteAll(fifo_write_fd, started.error().ToString());
  _exit(1);
}

}  // namespace berth::container
