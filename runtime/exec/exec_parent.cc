// `exec`, PARENT side: checks the container is running, builds the process,
// forks the intermediate child (exec_child.cc), puts it into the container's
// cgroup while it joins the namespaces (so the process it forks is born
// there), lets the process go and reads its setup result: end of file on
// the close-on-exec sync socket means execve succeeded, kError is an error.
// The messages are sync.h's typed ones (exec.h draws the exchange).
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstring>
#include <memory>
#include <optional>

#include "runtime/base/syscalls.h"
#include "runtime/cgroups/manager.h"
#include "runtime/container/clone3.h"
#include "runtime/container/proc_stat.h"
#include "runtime/container/state_dir.h"
#include "runtime/container/sync.h"
#include "runtime/exec/exec.h"
#include "runtime/log/log.h"
#include "runtime/process/seccomp.h"
#include "runtime/process/signal_dispositions.h"
#include "runtime/terminal/foreground.h"
#include "spec/config_json.h"
#include "spec/state.h"

namespace berth::exec {
namespace {

using container::InitRecord;
using container::StateDir;
using container::SyncMessage;
using container::SyncSocket;
using container::SyncType;

void SetEnv(std::vector<std::string>& env, const std::string& kv) {
  std::string key = kv.substr(0, kv.find('='));
  for (auto& e : env) {
    if (e.substr(0, e.find('=')) == key) {
      e = kv;
      return;
    }
  }
  env.push_back(kv);
}

void AddUnique(std::vector<std::string>& list, const std::string& value) {
  for (const auto& v : list)
    if (v == value) return;
  list.push_back(value);
}

// CLONE_NEW* of every namespace the init is in that we are not in: setns to
// one's own user namespace fails, and the rest need not be joined.
Result<int> DifferingNamespaces(pid_t pid) {
  static const std::pair<const char*, int> kNamespaces[] = {
      {"user", CLONE_NEWUSER}, {"ipc", CLONE_NEWIPC},       {"uts", CLONE_NEWUTS},   {"net", CLONE_NEWNET},
      {"pid", CLONE_NEWPID},   {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME}, {"mnt", CLONE_NEWNS}};
  int flags = 0;
  for (const auto& [name, flag] : kNamespaces) {
    struct stat theirs, ours;
    std::string path = "/proc/" + std::to_string(pid) + "/ns/" + name;
    if (stat(path.c_str(), &theirs) != 0) {
      if (errno == ENOENT) continue;  // kernel without this namespace type
      return Error::Sys("container init namespace " + std::string(name));
    }
    if (stat((std::string("/proc/self/ns/") + name).c_str(), &ours) != 0) continue;
    if (theirs.st_ino != ours.st_ino || theirs.st_dev != ours.st_dev) flags |= flag;
  }
  return flags;
}

// Without a mount namespace of its own the init is chrooted into the rootfs
// in ours: setns would not move the process there, so it gets the init's
// root to chroot into. -1 when the init's root is ours.
Result<int> ChrootedRoot(pid_t pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/root";
  int fd = open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Error::Sys("container init root " + path);
  struct stat theirs, ours;
  if (fstat(fd, &theirs) != 0 || stat("/", &ours) != 0) {
    Error e = Error::Sys("stat container init root");
    close(fd);
    return e;
  }
  if (theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino) {
    close(fd);
    return -1;
  }
  return fd;
}

// Everything StartExec made; undone unless committed.
struct ExecTransaction {
  ~ExecTransaction() {
    for (int fd : fds)
      if (fd >= 0) close(fd);
    if (!committed && pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
  std::vector<int> fds;
  pid_t pid = 0;
  bool committed = false;
};

// The one point where exec joins the container's cgroup (and resctrl group):
// the intermediate child is attached before it forks the process, so the
// process is born in them (and inherits the resctrl closid/rmid).
Status JoinContainerCgroup(cgroups::Manager& cgroup, const RuntimeOptions& runtime, const std::string& id,
                           pid_t pid, bool born_in_unified) {
  if (log::DebugEnabled()) log::Debug("exec: join the container's cgroup, pid " + std::to_string(pid));
  // Born in the unified cgroup (the intermediate was, by CLONE_INTO_CGROUP):
  // only the v1 hierarchies are left to join.
  BERTH_TRY_CTX(born_in_unified ? cgroup.AddProcessBornInUnified(pid) : cgroup.AddProcess(pid),
                "exec: join the container's cgroup");
  BERTH_TRY_CTX(container::JoinResctrlGroup(runtime, id, pid), "exec: join the container's resctrl group");
  return Ok();
}

// The process's setup result: end of file (execve closed the socket) is
// success, kError its failure, anything else a protocol error.
Status WaitForExecve(SyncSocket& sync) {
  auto received = sync.Receive();
  if (!received) {
    if (received.error().code() == ECONNRESET) return Ok();
    return std::move(received).error();
  }
  if (received->type == SyncType::kError) return Error(received->error_code, received->payload);
  return Error(EPROTO,
               "exec: unexpected sync message " + std::string(container::SyncTypeName(received->type)));
}

}  // namespace

namespace internal {

Result<pid_t> ReceiveProcessPid(SyncSocket& sync, pid_t* failed_process) {
  *failed_process = 0;
  auto received = sync.Receive();
  if (!received) {
    if (received.error().code() == ECONNRESET) return Error(ECHILD, "exec: the intermediate child died");
    return std::move(received).error();
  }
  if (received->type == SyncType::kInitPid) return container::ParseReportedPid(*received);
  if (received->type != SyncType::kError)
    return Error(EPROTO,
                 "exec: expected init-pid, got " + std::string(container::SyncTypeName(received->type)));
  Error failed(received->error_code, received->payload);
  // From the intermediate (nothing follows: end of file) or the process.
  if (auto report = sync.WaitFor(SyncType::kInitPid)) {
    if (auto pid = container::ParseReportedPid(*report)) *failed_process = *pid;
  }
  return failed;
}

}  // namespace internal

Result<spec::Process> ParseProcessJson(const std::string& json) {
  // Parsed as a document of its own: pasted into a config text, anything
  // after the object would be read as more config members.
  return BERTH_TRY_CTX(spec::ParseProcess(json), "process.json");
}

Result<spec::Process> ExecProcess(const spec::Config& config, const ExecOptions& options) {
  spec::Process p;
  if (options.process)
    p = *options.process;
  else if (config.process)
    p = *config.process;
  if (!options.args.empty()) p.args = options.args;
  if (p.args.empty()) return Error(EINVAL, "exec: args must not be empty");
  if (options.tty) p.terminal = *options.tty;
  if (!options.cwd.empty()) p.cwd = options.cwd;
  for (const auto& kv : options.env) {
    if (kv.find('=') == std::string::npos || kv[0] == '=')
      return Error(EINVAL, "exec: --env \"" + kv + "\" is not KEY=VALUE");
    SetEnv(p.env, kv);
  }
  if (options.uid) p.user.uid = *options.uid;
  if (options.gid) p.user.gid = *options.gid;
  for (uint32_t g : options.additional_gids) p.user.additionalGids.push_back(g);
  if (!options.caps.empty()) {
    if (!p.capabilities) p.capabilities.emplace();
    for (const auto& c : options.caps) {
      AddUnique(p.capabilities->bounding, c);
      AddUnique(p.capabilities->effective, c);
      AddUnique(p.capabilities->permitted, c);
    }
  }
  if (options.no_new_privs) p.noNewPrivileges = true;
  if (!options.apparmor.empty()) p.apparmorProfile = options.apparmor;
  if (!options.process_label.empty()) p.selinuxLabel = options.process_label;
  return p;
}

Result<pid_t> StartExec(const RuntimeOptions& runtime, const ExecOptions& options) {
  BERTH_TRY(container::ValidateContainerId(options.id));
  spec::State state = BERTH_TRY(container::State(runtime, options.id));
  if (state.status == spec::ContainerStatus::stopped)
    return Error(0, "cannot exec in container " + options.id + ": it is stopped");
  if (state.status == spec::ContainerStatus::paused && !options.ignore_paused)
    return Error(
        0, "cannot exec in container " + options.id + ": it is paused (use --ignore-paused to override)");
  StateDir dir = BERTH_TRY(StateDir::Open(runtime.root, options.id));
  InitRecord init = BERTH_TRY(container::ParseInitRecord(BERTH_TRY(dir.Read(container::kInitFile))));
  spec::Config config = BERTH_TRY(spec::ParseConfig(BERTH_TRY(dir.Read(container::kConfigFile))));
  spec::Process process = BERTH_TRY(ExecProcess(config, options));
  const bool have_console = !options.console_socket.empty() || options.console_socket_fd >= 0;
  if (process.terminal && !have_console)
    return Error(EINVAL, "cannot allocate tty if berth will detach without setting console socket");
  if (!process.terminal && !options.console_socket.empty())
    return Error(EINVAL, "cannot use console socket if berth will not allocate tty");
  std::optional<process::SeccompFilter> seccomp;
  if (config.linux_ && config.linux_->seccomp) {
    // Compiled once per container: the program is kept in its state dir
    // (removed with it), so later execs skip libseccomp, its ~9 ms of CPU
    // and its memory for a Docker-sized profile.
    seccomp = BERTH_TRY_CTX(process::CompileSeccompCached(*config.linux_->seccomp, dir.path()), "seccomp");
    if (seccomp->uses_notify && config.linux_->seccomp->listenerPath.empty())
      return Error(EINVAL, "seccomp profile uses SCMP_ACT_NOTIFY but linux.seccomp.listenerPath is not set");
    BERTH_TRY_CTX(process::CheckFilterLetsRuntimeFinish(*seccomp, process), "linux.seccomp");
  }
  auto cgroup = BERTH_TRY_CTX(cgroups::LoadManager(BERTH_TRY(dir.Read(container::kCgroupFile))), "cgroup");

  ExecTransaction tx;
  int pidfd = sys::PidfdOpen(init.pid, 0);
  if (pidfd < 0) return Error::Sys("container init " + std::to_string(init.pid));
  tx.fds.push_back(pidfd);
  // The pidfd now pins the process; check it is still the init we recorded.
  if (!container::InitIsAlive(init.pid, init.start_time))
    return Error(ESRCH, "cannot exec in container " + options.id + ": its init has exited");
  int ns_flags = BERTH_TRY(DifferingNamespaces(init.pid));
  int root_fd = -1;
  if ((ns_flags & CLONE_NEWNS) == 0) {
    root_fd = BERTH_TRY(ChrootedRoot(init.pid));
    if (root_fd >= 0) tx.fds.push_back(root_fd);
  }

  int console_fd = process.terminal ? options.console_socket_fd : -1;
  if (!options.console_socket.empty()) {
    console_fd = BERTH_TRY(terminal::ConnectConsoleSocket(options.console_socket));
    tx.fds.push_back(console_fd);
  }
  // As at create: listenerPath is a host path, connected to here; the
  // process sends its notify fd on it right after loading the filter.
  int listener_fd = -1;
  if (seccomp && seccomp->uses_notify) {
    listener_fd = BERTH_TRY_CTX(process::ConnectSeccompListener(*config.linux_->seccomp), "seccomp listener");
    tx.fds.push_back(listener_fd);
  }
  auto [sync, child_sync] = BERTH_TRY(SyncSocket::Pair());
  // The child's end sits above the preserved fds, so handing those over
  // never touches it.
  int child_end = fcntl(child_sync.fd(), F_DUPFD_CLOEXEC, 3 + options.preserve_fds);
  if (child_end < 0) return Error::Sys("exec sync dup");
  child_sync = SyncSocket(child_end);

  internal::ChildContext ctx;
  ctx.process = &process;
  ctx.pidfd = pidfd;
  ctx.ns_flags = ns_flags;
  ctx.root_fd = root_fd;
  ctx.sync = &child_sync;
  ctx.console_fd = console_fd;
  ctx.preserve_fds = options.preserve_fds;
  ctx.seccomp = seccomp ? &*seccomp : nullptr;
  ctx.listener_fd = listener_fd;
  ctx.changed_signals = process::ChangedSignalDispositions();

  // Born in the container's unified cgroup where the kernel allows it.
  bool born_in_cgroup = false;
  pid_t intermediate = container::Clone3MaybeIntoCgroup(0, cgroup->UnifiedDir(), &born_in_cgroup);
  if (intermediate < 0) return Error::Sys("clone3 exec child");
  if (intermediate == 0) {
    sync.Close();
    internal::RunIntermediate(ctx);
  }
  tx.pid = intermediate;  // killed and reaped on any failure until replaced
  // Only the children hold the child end now: its EOF means execve or death.
  child_sync.Close();
  // In parallel with the intermediate's setns (exec.h): the cgroup attach,
  // which on v1 waits for an RCU grace period, is off the critical path. The
  // intermediate waits for kInCgroup before it forks the process, which is
  // then born in every hierarchy.
  Status joined = JoinContainerCgroup(*cgroup, runtime, options.id, intermediate, born_in_cgroup);
  if (joined) joined = sync.Send(SyncType::kInCgroup);
  if (!joined) {
    // The child's own error comes first: ESRCH joining (or EPIPE sending)
    // after it failed is only a consequence.
    if (auto reported = sync.PendingPeerError())
      return std::move(*reported).Context("exec in container " + options.id);
    return std::move(joined).error();
  }
  pid_t failed_process = 0;
  auto received_pid = internal::ReceiveProcessPid(sync, &failed_process);
  if (failed_process > 0) {
    waitpid(intermediate, nullptr, 0);
    tx.pid = failed_process;  // killed (it is exiting) and reaped
  }
  pid_t process_pid = BERTH_TRY_CTX(std::move(received_pid), "exec in container " + options.id);
  Status go = Ok();
  if (listener_fd >= 0) {
    // The go the process waits for, with the container process state for
    // the seccomp agent (runc's: pid is the new process, the state is the
    // container's).
    go = sync.Send(SyncType::kSetupDone,
                   process::ContainerProcessStateMessage(*config.linux_->seccomp, process_pid,
                                                         spec::SerializeState(state)));
  }
  // The intermediate exits right after its report.
  waitpid(intermediate, nullptr, 0);
  tx.pid = process_pid;
  BERTH_TRY_CTX(std::move(go), "exec: send the go");
  BERTH_TRY_CTX(WaitForExecve(sync), "exec in container " + options.id);
  if (!options.pid_file.empty()) {
    std::string pid_file = options.pid_file;
    if (pid_file[0] != '/') {
      char cwd[PATH_MAX];
      if (getcwd(cwd, sizeof cwd)) pid_file = std::string(cwd) + "/" + pid_file;
    }
    BERTH_TRY_CTX(container::WriteFileAtomic(pid_file, std::to_string(tx.pid), 0644), "write pid file");
  }
  tx.committed = true;
  return tx.pid;
}

Result<int> Exec(const RuntimeOptions& runtime, const ExecOptions& options) {
  if (options.detach) {
    BERTH_TRY(StartExec(runtime, options));
    return 0;
  }
  // Blocked before the fork, so no signal meant for the process is lost.
  auto signals = BERTH_TRY(terminal::ForegroundSignals::Block());
  ExecOptions foreground = options;
  std::optional<terminal::ConsoleRelay> relay;
  if (options.console_socket.empty() && options.console_socket_fd < 0) {
    relay.emplace(BERTH_TRY(terminal::ConsoleRelay::Open()));
    foreground.console_socket_fd = relay->child_fd();
  }
  pid_t pid = BERTH_TRY(StartExec(runtime, foreground));
  int master_fd = relay ? relay->TakeMaster() : -1;  // a master only when a tty was made
  int status = terminal::Supervise({pid, signals.fd(), master_fd, /*reap_all=*/false});
  if (master_fd >= 0) close(master_fd);
  return status;
}

}  // namespace berth::exec
