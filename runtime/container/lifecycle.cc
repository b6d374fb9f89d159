// Commands on an existing container: start, state, kill, delete, list,
// pause/resume, ps. The status always comes from the state dir and the init's
// pid + start time (state_dir.h), never from a cached field.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

#include "runtime/base/syscalls.h"
#include "runtime/cgroups/manager.h"
#include "runtime/container/container.h"
#include "runtime/container/intelrdt_state.h"
#include "runtime/container/proc_stat.h"
#include "runtime/container/state_dir.h"
#include "runtime/hooks/hooks.h"
#include "spec/config_json.h"

namespace berth::container {
namespace {

void (*g_warning_handler)(std::string_view) = nullptr;

struct Loaded {
  StateDir dir;
  std::optional<InitRecord> init;
  std::optional<spec::State> state;  // state.json: create completed
  DerivedStatus status = DerivedStatus::stopped;
  // state.json present but unreadable (Load with kTolerateDamage only).
  std::optional<Error> damaged;
};

// What Load does with a state.json it cannot parse: `state`, `start` and the
// like refuse it; `delete --force` and `list` go on with the intact files.
enum class Damage { kRefuse, kTolerate };

spec::ContainerStatus ToSpec(DerivedStatus s) {
  switch (s) {
    case DerivedStatus::creating: return spec::ContainerStatus::creating;
    case DerivedStatus::created: return spec::ContainerStatus::created;
    case DerivedStatus::running: return spec::ContainerStatus::running;
    case DerivedStatus::stopped: return spec::ContainerStatus::stopped;
    case DerivedStatus::paused: return spec::ContainerStatus::paused;
  }
  return spec::ContainerStatus::stopped;
}

std::string StatusName(DerivedStatus s) { return std::string(spec::ContainerStatusName(ToSpec(s))); }

Result<std::unique_ptr<cgroups::Manager>> LoadCgroup(const StateDir& dir) {
  std::string serialized = BERTH_TRY(dir.Read(kCgroupFile));
  return cgroups::LoadManager(serialized);
}

Result<Loaded> Load(const RuntimeOptions& runtime, std::string_view id, Damage damage = Damage::kRefuse) {
  StateDir dir = BERTH_TRY(StateDir::Open(runtime.root, id));
  Loaded c{dir, std::nullopt, std::nullopt, DerivedStatus::stopped, std::nullopt};
  if (auto text = dir.Read(kInitFile)) {
    if (auto record = ParseInitRecord(*text)) c.init = *record;
  }
  if (auto text = dir.Read(kStateFile)) {
    auto parsed = spec::ParseState(*text);
    if (parsed) {
      c.state = std::move(parsed).value();
    } else {
      Error e = std::move(parsed).error().Context("state of container " + std::string(id) + " is damaged");
      if (damage == Damage::kRefuse) return e;
      c.damaged = std::move(e);
    }
  }
  StatusFacts facts;
  facts.complete = c.state.has_value();
  facts.init_alive = c.init && InitIsAlive(c.init->pid, c.init->start_time);
  facts.fifo_present = dir.Exists(kExecFifo);
  if (facts.complete && facts.init_alive && !facts.fifo_present) {
    // Only a live, started container can be paused; ask its freezer.
    if (auto cgroup = LoadCgroup(dir)) {
      auto frozen = (*cgroup)->IsFrozen();
      facts.frozen = frozen.ok() && *frozen;
    }
  }
  c.status = DeriveStatus(facts);
  return c;
}

spec::State CurrentState(const Loaded& c) {
  spec::State state;
  if (c.state) state = *c.state;
  state.ociVersion = std::string(spec::kOciVersion);
  state.id = c.dir.id();
  state.status = ToSpec(c.status);
  state.pid = (c.status == DerivedStatus::stopped || !c.init) ? 0 : c.init->pid;
  return state;
}

Result<spec::Config> LoadConfig(const StateDir& dir) {
  std::string text = BERTH_TRY(dir.Read(kConfigFile));
  return spec::ParseConfig(text);
}

// Sends a signal to the init without racing pid reuse: the pidfd is opened,
// then the start time is checked again, then the signal goes to the pidfd.
Status SignalInit(const InitRecord& init, int signal) {
  int pidfd = sys::PidfdOpen(init.pid, 0);
  if (pidfd < 0) return Error::Sys("container init " + std::to_string(init.pid));
  Status result = Ok();
  if (!InitIsAlive(init.pid, init.start_time)) {
    result = Error(ESRCH, "container init has exited");
  } else if (sys::PidfdSendSignal(pidfd, signal, nullptr, 0) != 0) {
    result = Error::Sys("signal container init");
  }
  close(pidfd);
  return result;
}

bool WaitUntilDead(const InitRecord& init, int timeout_ms) {
  for (int waited = 0; waited < timeout_ms; waited += 2) {
    if (!InitIsAlive(init.pid, init.start_time)) return true;
    usleep(2000);
  }
  return !InitIsAlive(init.pid, init.start_time);
}

// Waits for the init to execve (the fifo's writer closes) or to report an
// error (text on the fifo), checking that it is still alive meanwhile.
Status WaitForExec(int fd, const InitRecord& init) {
  std::string error;
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    int n = poll(&p, 1, 100);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::Sys("poll exec fifo");
    }
    if (n == 0) {
      if (!InitIsAlive(init.pid, init.start_time))
        return Error(ESRCH, error.empty() ? "container init exited before start" : error);
      continue;
    }
    char buf[4096];
    ssize_t got = read(fd, buf, sizeof buf);
    if (got < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      return Error::Sys("read exec fifo");
    }
    if (got == 0) break;  // the init's execve closed the writer
    error.append(buf, got);
  }
  if (!error.empty()) return Error(0, error);
  return Ok();
}

// Removes what the state dir records. Forced, a record that cannot be read
// is a warning: the rest (the state dir above all) is still removed.
// SIGKILL to every process of the cgroup and the cgroups beneath it, then
// one bounded wait for them to be gone (a killed process exits at once
// unless it sleeps uninterruptibly in the kernel): delete never hangs for
// minutes on a busy cgroup, and says what holds it.
Status EmptyCgroup(cgroups::Manager& cgroup) {
  constexpr int kWaitSteps = 500;  // x 10 ms
  for (int step = 0;; ++step) {
    if (step % 50 == 0) (void)cgroup.KillAll(SIGKILL);  // again, for processes forked meanwhile
    auto pids = cgroup.Pids();
    if (!pids) {
      if (pids.error().code() == ENOENT) return Ok();  // already removed
      return std::move(pids).error();
    }
    if (pids->empty()) return Ok();
    if (step == kWaitSteps) {
      std::string list;
      for (size_t i = 0; i < pids->size() && i < 8; ++i) list += (i ? " " : "") + std::to_string((*pids)[i]);
      return Error(EBUSY, std::to_string(pids->size()) +
                              " process(es) still in the cgroup 5 s after SIGKILL (pids " + list +
                              (pids->size() > 8 ? " ..." : "") + ")");
    }
    usleep(10000);
  }
}

Status Destroy(const Loaded& c, bool force) {
  auto cgroup =
      c.dir.Exists(kCgroupFile) ? LoadCgroup(c.dir) : Result<std::unique_ptr<cgroups::Manager>>(nullptr);
  if (!cgroup) {
    if (!force) return std::move(cgroup).error().Context("load cgroup record");
    Warn(cgroup.error().ToString() + ": cgroup record unreadable, its cgroup is left");
  } else if (*cgroup) {
    BERTH_TRY_CTX(EmptyCgroup(**cgroup), "remove cgroup");
    // One removal: its own short EBUSY retry covers the kernel's lag after
    // the last task exits (cgroup_fs.cc).
    BERTH_TRY_CTX((*cgroup)->Destroy(), "remove cgroup");
  }
  Status resctrl = RemoveResctrlGroup(c.dir);
  if (!resctrl) {
    if (!force) return std::move(resctrl).error().Context("remove resctrl group");
    Warn(resctrl.error().ToString() + ": resctrl group left");
  }
  if (auto config = LoadConfig(c.dir); config && config->hooks && !config->hooks->poststop.empty()) {
    spec::State state = CurrentState(c);
    // runtime.md: a failing poststop hook is a warning; the rest still run.
    std::string state_json = spec::SerializeState(state);
    for (const spec::Hook& hook : config->hooks->poststop) {
      Status s = hooks::RunHook(hook, state_json, "poststop");
      if (!s) Warn(s.error().ToString());
    }
  }
  return c.dir.Remove();
}

}  // namespace

void SetWarningHandler(void (*handler)(std::string_view)) { g_warning_handler = handler; }
void Warn(std::string_view message) {
  if (g_warning_handler) g_warning_handler(message);
}

Status Start(const RuntimeOptions& runtime, std::string_view id) {
  Loaded c = BERTH_TRY(Load(runtime, id));
  if (c.status == DerivedStatus::stopped)
    return Error::Kind(EBUSY, "cannot start a container that has stopped");
  if (c.status != DerivedStatus::created) {
    return Error::Kind(EBUSY, "cannot start a container in the " + StatusName(c.status) + " state");
  }
  std::string fifo = c.dir.File(kExecFifo);
  int fd = open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return Error::Sys("open exec fifo");
  // Only one `start` may win: the fifo goes away once we hold it open.
  if (unlink(fifo.c_str()) != 0) {
    Error e = Error::Kind(EBUSY, "cannot start an already running container");
    close(fd);
    return e;
  }
  Status execed = WaitForExec(fd, *c.init);
  close(fd);
  if (!execed) {
    (void)SignalInit(*c.init, SIGKILL);
    return std::move(execed).error().Context("start container");
  }
  auto config = LoadConfig(c.dir);
  if (config && config->hooks && !config->hooks->poststart.empty()) {
    spec::State state = CurrentState(c);
    state.status = spec::ContainerStatus::running;
    state.pid = c.init->pid;
    Status s = hooks::RunHooks(config->hooks->poststart, spec::SerializeState(state), "poststart");
    if (!s) {
      // runtime.md: a failing poststart hook stops the container.
      (void)SignalInit(*c.init, SIGKILL);
      return std::move(s).error();
    }
  }
  return Ok();
}

Result<spec::State> State(const RuntimeOptions& runtime, std::string_view id) {
  Loaded c = BERTH_TRY(Load(runtime, id));
  return CurrentState(c);
}

Status Kill(const RuntimeOptions& runtime, std::string_view id, int signal, bool all) {
  Loaded c = BERTH_TRY(Load(runtime, id));
  if (all) {
    auto cgroup = BERTH_TRY(LoadCgroup(c.dir));
    if (c.status == DerivedStatus::stopped) {
      // runc: with --all a stopped container is not an error when processes remain.
      auto pids = cgroup->Pids();
      if (!pids || pids->empty()) return Error::Kind(EBUSY, "container not running");
    }
    return cgroup->KillAll(signal);
  }
  if (c.status == DerivedStatus::stopped || !c.init) return Error::Kind(EBUSY, "container not running");
  return SignalInit(*c.init, signal);
}

Status Delete(const RuntimeOptions& runtime, std::string_view id, bool force) {
  BERTH_TRY(ValidateContainerId(id));
  // As runc: forcing the delete of a container that does not exist succeeds;
  // any other failure to load is not absence, and is reported.
  if (force) {
    auto dir = StateDir::Open(runtime.root, id);
    if (!dir && dir.error().code() == ENOENT) return Ok();
    if (!dir) return std::move(dir).error();
  }
  // Forced, a damaged state.json does not stop the removal of what the
  // intact files (cgroup record, init pid + start time) describe.
  Loaded c = BERTH_TRY(Load(runtime, id, force ? Damage::kTolerate : Damage::kRefuse));
  switch (c.status) {
    case DerivedStatus::stopped: break;
    // runtime.md "delete": only a stopped container may be deleted (runc
    // also deletes a created one; the spec does not allow it).
    case DerivedStatus::created:
    case DerivedStatus::creating:
    case DerivedStatus::running:
    case DerivedStatus::paused:
      if (!force) {
        return Error::Kind(EBUSY, "cannot delete container " + std::string(id) +
                                      " that is not stopped: " + StatusName(c.status));
      }
      if (auto cgroup = LoadCgroup(c.dir)) {
        (void)(*cgroup)->KillAll(SIGKILL);
        if (c.status == DerivedStatus::paused) (void)(*cgroup)->Thaw();
      }
      if (c.init) (void)SignalInit(*c.init, SIGKILL);
      if (c.init && !WaitUntilDead(*c.init, 5000)) return Error(EBUSY, "container init did not exit");
      break;
  }
  c.status = DerivedStatus::stopped;
  return Destroy(c, force);
}

namespace {

Result<ListEntry> DescribeLoaded(const RuntimeOptions& runtime, std::string_view id, Damage damage,
                                 bool rootfs = true) {
  Loaded c = BERTH_TRY(Load(runtime, id, damage));
  ListEntry entry;
  entry.state = CurrentState(c);
  if (c.damaged) entry.damaged = c.damaged->ToString();
  entry.created_ns = c.init ? c.init->created_ns : 0;
  struct stat st;
  if (stat(c.dir.path().c_str(), &st) == 0) entry.owner = std::to_string(st.st_uid);
  if (!rootfs) return entry;
  if (auto config = LoadConfig(c.dir); config && config->root) {
    entry.rootfs = config->root->path;
    if (!entry.rootfs.empty() && entry.rootfs[0] != '/')
      entry.rootfs = entry.state.bundle + "/" + entry.rootfs;
  }
  return entry;
}

}  // namespace

// `state`: a damaged state.json is an error.
Result<ListEntry> Describe(const RuntimeOptions& runtime, std::string_view id) {
  return DescribeLoaded(runtime, id, Damage::kRefuse);
}

Result<std::vector<ListEntry>> List(const RuntimeOptions& runtime, bool rootfs) {
  std::vector<ListEntry> out;
  for (const auto& id : BERTH_TRY(StateDir::ListIds(runtime.root))) {
    auto entry = DescribeLoaded(runtime, id, Damage::kTolerate, rootfs);
    if (!entry && entry.error().code() == ENOENT) continue;  // removed meanwhile
    if (!entry) {
      // Listed, not hidden: a container whose state cannot be read still
      // holds processes and cgroups until `delete --force` removes them.
      ListEntry unreadable;
      unreadable.state.id = id;
      unreadable.damaged = entry.error().ToString();
      out.push_back(std::move(unreadable));
      continue;
    }
    out.push_back(std::move(*entry));
  }
  return out;
}

Status Pause(const RuntimeOptions& runtime, std::string_view id) {
  Loaded c = BERTH_TRY(Load(runtime, id));
  if (c.status != DerivedStatus::running && c.status != DerivedStatus::created)
    return Error::Kind(EBUSY, "container not running or created: " + StatusName(c.status));
  auto cgroup = BERTH_TRY(LoadCgroup(c.dir));
  return cgroup->Freeze();
}

Status Resume(const RuntimeOptions& runtime, std::string_view id) {
  Loaded c = BERTH_TRY(Load(runtime, id));
  if (c.status != DerivedStatus::paused) return Error::Kind(EBUSY, "container not paused");
  auto cgroup = BERTH_TRY(LoadCgroup(c.dir));
  return cgroup->Thaw();
}

Result<std::vector<pid_t>> Processes(const RuntimeOptions& runtime, std::string_view id) {
  Loaded c = BERTH_TRY(Load(runtime, id));
  auto cgroup = BERTH_TRY(LoadCgroup(c.dir));
  return cgroup->Pids();
}

}  // namespace berth::container
