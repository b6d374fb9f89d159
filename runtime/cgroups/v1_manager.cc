#include "runtime/cgroups/v1_manager.h"

#include <signal.h>
#include <time.h>

#include <cerrno>

namespace berth::cgroups {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) ++i;
  return s.substr(i);
}

std::string Parent(const std::string& cgroup) {
  size_t slash = cgroup.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : cgroup.substr(0, slash);
}

void SleepMillis(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000 * 1000};
  nanosleep(&ts, nullptr);
}

// A new v1 cpuset cgroup starts with empty cpus/mems and refuses tasks until
// they are set: copy them down from the parent.
Status InitCpuset(const CgroupFs& fs, const std::string& cgroup) {
  for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
    auto own = fs.Read(cgroup, file);
    if (own.ok() && !Trim(*own).empty()) continue;
    std::string parent_value = Trim(BERTH_TRY(fs.Read(Parent(cgroup), file)));
    BERTH_TRY(fs.Write(cgroup, file, parent_value));
  }
  return Ok();
}

}  // namespace

const std::vector<std::string>& KnownV1Controllers() {
  static const std::vector<std::string> controllers = {
      "blkio",   "cpu",      "cpuacct",    "cpuset", "devices", "freezer", "hugetlb", "memory",
      "net_cls", "net_prio", "perf_event", "pids",   "rdma",    "misc",    "systemd",
  };
  return controllers;
}

V1Manager::V1Manager(std::shared_ptr<const CgroupFs> fs, std::map<std::string, std::string> paths)
    : fs_(std::move(fs)), paths_(std::move(paths)) {}

Status V1Manager::CheckUnoccupied() {
  for (const auto& [controller, path] : paths_) {
    std::string cgroup = controller + path;
    if (!fs_->DirExists(cgroup)) continue;
    std::string procs = Trim(BERTH_TRY_CTX(fs_->Read(cgroup, "cgroup.procs"), "check existing cgroup"));
    if (!procs.empty()) {
      disowned_ = true;
      return Error(EBUSY, "cgroup " + fs_->DirPath(cgroup) + " already contains processes");
    }
  }
  return Ok();
}

Status V1Manager::Create() {
  if (paths_.empty()) return Error(ENOENT, "no cgroup v1 hierarchy under " + fs_->root());
  // Checked in every hierarchy before anything is made, so a refusal leaves nothing behind.
  BERTH_TRY(CheckUnoccupied());
  return MakeMissingDirs();
}

Status V1Manager::MakeMissingDirs() {
  for (const auto& [controller, path] : paths_) {
    std::vector<std::string> created = BERTH_TRY_CTX(fs_->MakeDirs(controller + path), "create cgroup");
    if (controller != "cpuset") continue;
    for (const auto& dir : created)
      BERTH_TRY_CTX(InitCpuset(*fs_, dir), "initialise cpuset of " + fs_->DirPath(dir));
  }
  return Ok();
}

Status V1Manager::AddProcess(pid_t pid) {
  for (const auto& [controller, path] : paths_)
    BERTH_TRY_CTX(fs_->Write(controller + path, "cgroup.procs", std::to_string(pid)),
                  "add process " + std::to_string(pid) + " to cgroup");
  return Ok();
}

Status V1Manager::ApplyResources(const spec::Resources& resources) {
  if (!resources.unified.empty())
    return Error(EINVAL, "linux.resources.unified needs cgroup v2, but this host has only cgroup v1");
  return ApplyV1Resources(*fs_, paths_, resources, false);
}

Status V1Manager::SetFreezerState(const char* state) {
  auto it = paths_.find("freezer");
  if (it == paths_.end()) return Error(ENOENT, "cgroup v1 freezer controller not available");
  std::string cgroup = "freezer" + it->second;
  // FREEZING can last while tasks are in uninterruptible sleep; asking
  // again nudges the kernel to retry them.
  for (int attempt = 0; attempt < 200; ++attempt) {
    if (attempt % 10 == 0) BERTH_TRY(fs_->Write(cgroup, "freezer.state", state));
    std::string now = Trim(BERTH_TRY(fs_->Read(cgroup, "freezer.state")));
    if (now == state) return Ok();
    SleepMillis(attempt < 10 ? 1 : 10);
  }
  return Error(ETIMEDOUT, std::string("cgroup ") + fs_->DirPath(cgroup) + " did not reach " + state);
}

Status V1Manager::Freeze() {
  Status frozen = SetFreezerState("FROZEN");
  if (!frozen.ok()) {
    (void)SetFreezerState("THAWED");  // do not leave it half frozen
    return std::move(frozen).error().Context("freeze");
  }
  return Ok();
}

Status V1Manager::Thaw() {
  BERTH_TRY_CTX(SetFreezerState("THAWED"), "thaw");
  return Ok();
}

Result<bool> V1Manager::IsFrozen() {
  auto it = paths_.find("freezer");
  if (it == paths_.end()) return Error(ENOENT, "cgroup v1 freezer controller not available");
  std::string state = Trim(BERTH_TRY(fs_->Read("freezer" + it->second, "freezer.state")));
  return state == "FROZEN";
}

Result<std::vector<pid_t>> V1Manager::Pids() {
  for (const char* preferred : {"pids", "freezer", "memory", "cpu", "devices"}) {
    auto it = paths_.find(preferred);
    if (it != paths_.end()) return ParsePidList(BERTH_TRY(fs_->ReadProcsInTree(preferred + it->second)));
  }
  if (paths_.empty()) return Error(ENOENT, "no cgroup v1 hierarchy");
  const auto& [controller, path] = *paths_.begin();
  return ParsePidList(BERTH_TRY(fs_->ReadProcsInTree(controller + path)));
}

Status V1Manager::KillAll(int signal) {
  if (disowned_) return Ok();
  // Frozen, the processes cannot fork new ones between listing and killing.
  bool use_freezer = Has("freezer");
  // A paused container stays paused after a signal it cannot act on yet;
  // SIGKILL thaws it so the processes actually die.
  auto frozen_before = use_freezer ? IsFrozen() : Result<bool>(false);
  const bool restore_frozen = frozen_before.ok() && *frozen_before && signal != SIGKILL;
  if (use_freezer) BERTH_TRY_CTX(Freeze(), "kill all");
  auto pids = Pids();
  Status sent = pids.ok() ? SignalPids(*pids, signal) : Status(std::move(pids).error());
  if (use_freezer && !restore_frozen) {
    Status thawed = Thaw();
    if (sent.ok() && !thawed.ok()) return std::move(thawed).error().Context("kill all");
  }
  if (!sent.ok()) return std::move(sent).error().Context("kill all");
  return Ok();
}

Status V1Manager::Destroy() {
  if (disowned_) return Ok();
  Status first;
  for (const auto& [controller, path] : paths_) {
    Status removed = fs_->RemoveDir(controller + path);
    if (!removed.ok() && first.ok()) first = std::move(removed).error().Context("destroy cgroup");
  }
  return first;
}

std::string V1Manager::Serialize() const {
  std::string out = "v1-root " + fs_->root() + "\n";
  for (const auto& [controller, path] : paths_) out += "v1 " + controller + " " + path + "\n";
  return out;
}

std::string V1Manager::Path() const {
  for (const char* preferred : {"memory", "pids", "cpu", "freezer"}) {
    auto it = paths_.find(preferred);
    if (it != paths_.end()) return it->second;
  }
  return paths_.empty() ? "" : paths_.begin()->second;
}

Result<std::vector<pid_t>> ParsePidList(const std::string& content) {
  std::vector<pid_t> pids;
  size_t i = 0;
  while (i < content.size()) {
    size_t j = content.find('\n', i);
    if (j == std::string::npos) j = content.size();
    std::string line = Trim(content.substr(i, j - i));
    i = j + 1;
    if (line.empty()) continue;
    char* end = nullptr;
    errno = 0;
    long pid = strtol(line.c_str(), &end, 10);
    if (errno != 0 || *end != '\0' || pid <= 0)
      return Error(EINVAL, "bad pid \"" + line + "\" in cgroup.procs");
    pids.push_back(static_cast<pid_t>(pid));
  }
  return pids;
}

Status SignalPids(const std::vector<pid_t>& pids, int signal) {
  for (pid_t pid : pids)
    if (kill(pid, signal) != 0 && errno != ESRCH)
      return Error::Sys("kill(" + std::to_string(pid) + ", " + std::to_string(signal) + ")");
  return Ok();
}

}  // namespace berth::cgroups
