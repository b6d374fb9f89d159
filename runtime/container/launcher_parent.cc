// `create`, PARENT side: prepares the state dir, cgroup and fds, clone3()s
// the init (no re-exec of the runtime) and drives it through the sync
// protocol (sync.h). Any failure undoes everything (CreateTransaction).
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <memory>

#include "runtime/cgroups/manager.h"
#include "runtime/container/clone3.h"
#include "runtime/container/container.h"
#include "runtime/container/fds.h"
#include "runtime/container/init_child.h"
#include "runtime/container/intelrdt_state.h"
#include "runtime/container/proc_stat.h"
#include "runtime/container/state_dir.h"
#include "runtime/container/sync.h"
#include "runtime/hooks/hooks.h"
#include "runtime/intelrdt/resctrl.h"
#include "runtime/intelrdt/schemata.h"
#include "runtime/namespaces/namespaces.h"
#include "runtime/namespaces/net_devices.h"
#include "runtime/process/capabilities.h"
#include "runtime/process/signal_dispositions.h"
#include "runtime/terminal/foreground.h"
#include "spec/config_json.h"
#include "spec/validate.h"

namespace berth::container {
namespace {

Result<std::string> AbsolutePath(const std::string& path) {
  char buf[PATH_MAX];
  if (!realpath(path.c_str(), buf)) return Error::Sys("resolve " + path);
  return std::string(buf);
}

// Everything create has made so far; undone unless Commit() is called.
class CreateTransaction {
 public:
  ~CreateTransaction() {
    if (committed_) {
      CloseFds();
      return;
    }
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (cgroup_) {
      (void)cgroup_->KillAll(SIGKILL);
      // The cgroup empties asynchronously after its last process is reaped.
      for (int i = 0; i < 200; ++i) {
        if (cgroup_->Destroy()) break;
        usleep(1000);
      }
    }
    if (resctrl_) (void)resctrl_->Destroy();
    if (run_poststop_ && config_ && config_->hooks && !config_->hooks->poststop.empty()) {
      for (const spec::Hook& hook : config_->hooks->poststop) {
        Status s = hooks::RunHook(hook, state_json_, "poststop");
        if (!s) Warn(s.error().ToString());  // a warning; the rest still run
      }
    }
    CloseFds();
    if (dir_) (void)dir_->Remove();
  }

  void CloseFds() {
    for (int& fd : fds_)
      if (fd >= 0) close(fd);
    fds_.clear();
  }

  std::optional<StateDir> dir_;
  std::unique_ptr<cgroups::Manager> cgroup_;
  std::optional<intelrdt::ResctrlGroup> resctrl_;
  pid_t pid_ = 0;
  std::vector<int> fds_;
  const spec::Config* config_ = nullptr;
  bool run_poststop_ = false;  // hooks ran: the spec continues at poststop
  std::string state_json_;
  bool committed_ = false;
};

// The parent's half of the staged entry (sync.h): id maps for the first
// child's new user namespace, then the init's pid, which replaces the first
// child (reaped here) as the process the transaction owns.
Result<pid_t> FinishStagedEntry(CreateTransaction& tx, SyncSocket& sync, const spec::Linux& linux_config) {
  BERTH_TRY(sync.WaitFor(SyncType::kUnshared));
  BERTH_TRY_CTX(ns::WriteIdMappings(tx.pid_, linux_config), "write id mappings");
  BERTH_TRY(sync.Send(SyncType::kMappingsDone));
  SyncMessage reported = BERTH_TRY(sync.WaitFor(SyncType::kInitPid));
  pid_t init = BERTH_TRY(ParseReportedPid(reported));
  waitpid(tx.pid_, nullptr, 0);
  tx.pid_ = init;
  return tx.pid_;
}

Status RunRuntimeHooks(const std::vector<spec::Hook>& hooks, const std::string& state_json,
                       std::string_view phase) {
  if (hooks.empty()) return Ok();
  return hooks::RunHooks(hooks, state_json, phase);
}

}  // namespace

Result<pid_t> Create(const RuntimeOptions& runtime, const CreateOptions& options) {
  BERTH_TRY(ValidateContainerId(options.id));
  std::string bundle = BERTH_TRY(AbsolutePath(options.bundle.empty() ? "." : options.bundle));
  spec::Config config = BERTH_TRY(spec::ReadConfigFile(bundle + "/config.json"));
  BERTH_TRY_CTX(spec::ValidateForCreate(config), "invalid config.json");
  if (!config.process) return Error(EINVAL, "config.json: process is required");
  if (!config.root) return Error(EINVAL, "config.json: root is required");
  if (!config.linux_) config.linux_.emplace();
  // Refused before anything is made: without a mount namespace every mount
  // would be the host's.
  BERTH_TRY(rootfs::CheckWithoutMountNamespace(config));
  const bool terminal = config.process->terminal;
  const bool have_console = !options.console_socket.empty() || options.console_socket_fd >= 0;
  if (terminal && !have_console)
    return Error(EINVAL, "cannot allocate tty if berth will detach without setting console socket");
  if (!terminal && !options.console_socket.empty())
    return Error(EINVAL, "cannot use console socket if berth will not detach or allocate tty");

  std::string root_path = config.root->path;
  if (root_path.empty() || root_path[0] != '/') root_path = bundle + "/" + root_path;
  std::string rootfs = BERTH_TRY_CTX(AbsolutePath(root_path), "rootfs");

  ExtraFds extra = CountExtraFds(options.preserve_fds);
  if (extra.listen_fds > 0) {
    config.process->env.push_back("LISTEN_FDS=" + std::to_string(extra.listen_fds));
    config.process->env.push_back("LISTEN_PID=1");
  }

  // config.md: capability names this runtime cannot map are a warning.
  if (const auto& caps = config.process->capabilities) {
    for (const auto* set :
         {&caps->bounding, &caps->effective, &caps->inheritable, &caps->permitted, &caps->ambient})
      for (const std::string& name : *set)
        if (!process::CapabilityFromName(name))
          Warn("capability " + name + " is not known to this kernel; ignored");
  }

  // config-linux.md: intelRdt needs a mounted resctrl; only then is it looked for.
  std::string resctrl_root;
  if (config.linux_->intelRdt) {
    BERTH_TRY(intelrdt::Validate(*config.linux_->intelRdt));
    auto found = intelrdt::FindResctrl();
    if (!found) return Error(found.error().code(), "linux.intelRdt is set but " + found.error().message());
    resctrl_root = *found;
  }

  BERTH_TRY(ns::CheckJoinedUserNamespaceMaps(*config.linux_));

  std::optional<process::SeccompFilter> seccomp;
  if (config.linux_->seccomp) {
    seccomp = BERTH_TRY_CTX(process::CompileSeccomp(*config.linux_->seccomp), "seccomp");
    BERTH_TRY_CTX(process::CheckFilterLetsRuntimeFinish(*seccomp, *config.process), "linux.seccomp");
  }

  CreateTransaction tx;
  tx.config_ = &config;
  tx.dir_ = BERTH_TRY(StateDir::Create(runtime.root, options.id));
  const StateDir& dir = *tx.dir_;

  std::string fifo = dir.File(kExecFifo);
  if (mkfifo(fifo.c_str(), 0622) != 0) return Error::Sys("create exec fifo");
  // mkfifo honours the umask; the init may run as any uid, so set it.
  if (chmod(fifo.c_str(), 0622) != 0) return Error::Sys("chmod exec fifo");
  int fifo_fd = open(fifo.c_str(), O_PATH | O_CLOEXEC);
  if (fifo_fd < 0) return Error::Sys("open exec fifo");
  tx.fds_.push_back(fifo_fd);

  // Idmapped bind mounts need the host's privilege: made here, attached by the init.
  auto idmapped = BERTH_TRY(rootfs::PrepareIdmappedMounts(config, bundle));
  for (const auto& [index, fd] : idmapped) tx.fds_.push_back(fd);

  int console_fd = options.console_socket_fd;
  if (!options.console_socket.empty()) {
    console_fd = BERTH_TRY(terminal::ConnectConsoleSocket(options.console_socket));
    tx.fds_.push_back(console_fd);
  }

  cgroups::CgroupSpec cgroup_spec{
      options.id, config.linux_->cgroupsPath, runtime.systemd_cgroup, runtime.rootless, {}};
  if (runtime.systemd_cgroup && config.linux_->resources) cgroup_spec.resources = *config.linux_->resources;
  tx.cgroup_ = BERTH_TRY_CTX(cgroups::NewManager(cgroup_spec), "cgroup");
  // Intent first: the cgroup is recorded before its first mkdir, so a create
  // killed at any point leaves a state dir that `delete --force` cleans up
  // completely. Checked unoccupied first, so the record never names a
  // cgroup that holds someone else's processes.
  BERTH_TRY_CTX(tx.cgroup_->CheckUnoccupied(), "create cgroup");
  const std::string cgroup_state = tx.cgroup_->Serialize();
  BERTH_TRY(dir.Write(kCgroupFile, cgroup_state));
  BERTH_TRY(tx.cgroup_->Create());  // its errors say "create cgroup: ..." themselves
  BERTH_TRY(dir.Write(kConfigFile, spec::SerializeConfig(config)));

  // Named references rather than a structured binding: the lambda below uses
  // parent_sync, and clang before 16 cannot capture a binding (clang-tidy).
  auto sync_pair = BERTH_TRY(SyncSocket::Pair());
  SyncSocket& parent_sync = sync_pair.first;
  SyncSocket& child_sync = sync_pair.second;

  const uint64_t clone_flags = ns::CloneFlags(*config.linux_);
  InitContext context;
  context.config = &config;
  context.rootfs = rootfs::RootfsOptions{rootfs, bundle, options.no_pivot, idmapped, {}};
  context.container_id = options.id;
  context.sync = &child_sync;
  context.exec_fifo_fd = fifo_fd;
  context.console_socket_fd = terminal ? console_fd : -1;
  context.extra_fds = extra.total();
  context.new_user_ns = (clone_flags & CLONE_NEWUSER) != 0;
  context.staged = ns::NeedsStagedEntry(*config.linux_);
  context.unshare_flags = context.staged ? clone_flags : 0;
  context.no_new_keyring = options.no_new_keyring;
  context.changed_signals = process::ChangedSignalDispositions();
  context.seccomp = std::move(seccomp);
  if (context.seccomp && context.seccomp->uses_notify && !config.linux_->seccomp->listenerPath.empty()) {
    context.seccomp_listener_fd =
        BERTH_TRY_CTX(process::ConnectSeccompListener(*config.linux_->seccomp), "seccomp listener");
    tx.fds_.push_back(context.seccomp_listener_fd);
  }

  // Born in its unified cgroup where the kernel allows it (not staged: the
  // init is then forked by the first child).
  bool born_in_cgroup = false;
  pid_t pid = context.staged ? Clone3(0)
                             : Clone3MaybeIntoCgroup(clone_flags, tx.cgroup_->UnifiedDir(), &born_in_cgroup);
  if (pid < 0) return Error::Sys("clone3 container init");
  if (pid == 0) {
    parent_sync.Close();
    RunInit(context);
  }
  tx.pid_ = pid;
  child_sync.Close();
  // The init's own error comes first: a parent step failing after the init
  // failed (EPIPE on send, ESRCH joining the cgroup) is only a consequence.
  spec::State state;
  Status driven = [&]() -> Status {
    if (context.staged)
      pid = BERTH_TRY_CTX(FinishStagedEntry(tx, parent_sync, *config.linux_), "container init");
    if (!context.staged) BERTH_TRY_CTX(ns::WriteIdMappings(pid, *config.linux_), "write id mappings");
    BERTH_TRY(parent_sync.Send(SyncType::kSetupDone));

    // In parallel with the init's rootfs preparation (sync.h): the cgroup
    // attach, which on v1 waits for an RCU grace period, is off the critical path.
    auto stat = BERTH_TRY_CTX(ReadProcStat(pid), "container init");
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    InitRecord record{pid, stat.start_time, now.tv_sec * 1000000000LL + now.tv_nsec};
    BERTH_TRY(dir.Write(kInitFile, FormatInitRecord(record)));

    BERTH_TRY_CTX(born_in_cgroup ? tx.cgroup_->AddProcessBornInUnified(pid) : tx.cgroup_->AddProcess(pid),
                  "join cgroup");
    // A rootless create or join refused after the intent was recorded leaves
    // the container without a cgroup: exec, kill and delete must read that.
    if (std::string now = tx.cgroup_->Serialize(); now != cgroup_state)
      BERTH_TRY(dir.Write(kCgroupFile, now));
    if (config.linux_->intelRdt) {
      BERTH_TRY_CTX(RecordResctrlIntent(dir, resctrl_root, *config.linux_->intelRdt, options.id),
                    "linux.intelRdt");
      tx.resctrl_ =
          BERTH_TRY_CTX(intelrdt::ResctrlGroup::Join(resctrl_root, *config.linux_->intelRdt, options.id, pid),
                        "linux.intelRdt");
      BERTH_TRY(dir.Write(kIntelRdtFile, tx.resctrl_->Serialize()));
    }
    BERTH_TRY_CTX(tx.cgroup_->ApplyResources(cgroups::ResourcesWithConfiguredDevices(*config.linux_)),
                  "apply cgroup resources");
    BERTH_TRY_CTX(ns::MoveNetDevices(pid, *config.linux_), "linux.netDevices");
    BERTH_TRY(parent_sync.Send(SyncType::kInCgroup));
    // While the init prepares its rootfs: keep the compiled program where
    // exec looks for it, so exec runs no libseccomp (time and peak RSS).
    if (context.seccomp) process::StoreCompiledSeccomp(*config.linux_->seccomp, *context.seccomp, dir.path());
    BERTH_TRY_CTX(parent_sync.WaitFor(SyncType::kRootfsReady), "container init");

    state = spec::State{std::string(spec::kOciVersion),
                        options.id,
                        spec::ContainerStatus::creating,
                        pid,
                        bundle,
                        config.annotations};
    tx.state_json_ = spec::SerializeState(state);
    if (config.hooks) {
      tx.run_poststop_ = true;
      BERTH_TRY(RunRuntimeHooks(config.hooks->prestart, tx.state_json_, "prestart"));
      BERTH_TRY(RunRuntimeHooks(config.hooks->createRuntime, tx.state_json_, "createRuntime"));
    }
    BERTH_TRY(parent_sync.Send(SyncType::kHooksDone, tx.state_json_));
    BERTH_TRY_CTX(parent_sync.WaitFor(SyncType::kCreated), "container init");
    return Ok();
  }();
  // The init's error, queued before it exited, comes first: a parent step
  // that failed on a dead init (ESRCH joining, EPIPE sending) is a consequence.
  if (!driven) {
    if (auto reported = parent_sync.PendingPeerError()) return std::move(*reported).Context("container init");
    return std::move(driven).error();
  }

  state.status = spec::ContainerStatus::created;
  BERTH_TRY(dir.Write(kStateFile, spec::SerializeState(state)));
  if (!options.pid_file.empty()) {
    std::string pid_file = options.pid_file;
    if (pid_file[0] != '/') {
      char cwd[PATH_MAX];
      if (getcwd(cwd, sizeof cwd)) pid_file = std::string(cwd) + "/" + pid_file;
    }
    BERTH_TRY_CTX(WriteFileAtomic(pid_file, std::to_string(pid), 0644), "write pid file");
  }
  tx.committed_ = true;
  return pid;
}

}  // namespace berth::container
