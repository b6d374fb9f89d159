#include "runtime/cgroups/v2_manager.h"

#include <signal.h>
#include <time.h>

#include "runtime/cgroups/v1_manager.h"

namespace berth::cgroups {
namespace {

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

std::set<std::string> Words(const std::string& text) {
  std::set<std::string> out;
  size_t i = 0;
  while (i < text.size()) {
    size_t j = text.find_first_of(" \n\t", i);
    if (j == std::string::npos) j = text.size();
    if (j > i) out.insert(text.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

// "frozen 1" from cgroup.events; nullopt when the file has no such key.
std::optional<bool> FrozenEvent(const std::string& events) {
  size_t at = events.find("frozen ");
  if (at == std::string::npos || at + 7 >= events.size()) return std::nullopt;
  return events[at + 7] == '1';
}

}  // namespace

V2Manager::V2Manager(std::shared_ptr<const CgroupFs> fs, std::string path)
    : fs_(std::move(fs)), path_(std::move(path)) {}

Status V2Manager::CheckUnoccupied() {
  if (!fs_->DirExists(path_)) return Ok();
  std::string procs = Trim(BERTH_TRY_CTX(fs_->Read(path_, "cgroup.procs"), "check existing cgroup"));
  if (!procs.empty()) {
    disowned_ = true;
    return Error(EBUSY, "cgroup " + fs_->DirPath(path_) + " already contains processes");
  }
  return Ok();
}

Status V2Manager::Create() {
  BERTH_TRY(CheckUnoccupied());
  BERTH_TRY_CTX(fs_->MakeDirs(path_), "create cgroup");
  return Ok();
}

Status V2Manager::AddProcess(pid_t pid) {
  BERTH_TRY_CTX(fs_->Write(path_, "cgroup.procs", std::to_string(pid)),
                "add process " + std::to_string(pid) + " to cgroup");
  return Ok();
}

std::string V2Manager::UnifiedDir() const { return fs_->DirPath(path_); }

Status V2Manager::ApplyResources(const spec::Resources& resources) { return Apply(resources, true); }

Result<std::set<std::string>> V2Manager::HostControllers() const {
  std::string text = BERTH_TRY(fs_->Read("/", "cgroup.controllers"));
  return Words(text);
}

Status V2Manager::EnableControllers(const std::set<std::string>& controllers) const {
  if (controllers.empty()) return Ok();
  std::set<std::string> host = BERTH_TRY(HostControllers());
  for (const auto& c : controllers)
    if (!host.count(c)) return Error(ENOENT, "cgroup v2 " + c + " controller not available");
  // The root, then each ancestor down to the container's parent: a cgroup
  // can use a controller only when every ancestor delegates it.
  std::vector<std::string> levels = {"/"};
  for (size_t at = path_.find('/', 1); at != std::string::npos; at = path_.find('/', at + 1))
    levels.push_back(path_.substr(0, at));
  for (const auto& level : levels) {
    auto enabled = fs_->Read(level, "cgroup.subtree_control");
    std::set<std::string> have = enabled.ok() ? Words(*enabled) : std::set<std::string>();
    std::string request;
    for (const auto& c : controllers)
      if (!have.count(c)) request += (request.empty() ? "+" : " +") + c;
    if (request.empty()) continue;
    Status written = fs_->Write(level, "cgroup.subtree_control", request);
    if (!written.ok()) return std::move(written).error().Context("enable cgroup v2 controllers");
  }
  return Ok();
}

Status V2Manager::SetFrozen(bool frozen) {
  if (!fs_->FileExists(path_, "cgroup.freeze"))
    return Error(ENOENT, "cgroup v2 freezer (cgroup.freeze) not available in " + fs_->DirPath(path_));
  BERTH_TRY(fs_->Write(path_, "cgroup.freeze", frozen ? "1" : "0"));
  // cgroup.freeze is the request; cgroup.events "frozen" says when it is done.
  for (int attempt = 0; attempt < 300; ++attempt) {
    auto events = fs_->Read(path_, "cgroup.events");
    if (!events.ok()) return Ok();
    std::optional<bool> now = FrozenEvent(*events);
    if (!now || *now == frozen) return Ok();
    struct timespec ts = {0, (attempt < 10 ? 1L : 10L) * 1000 * 1000};
    nanosleep(&ts, nullptr);
  }
  return Error(ETIMEDOUT, "cgroup " + fs_->DirPath(path_) + (frozen ? " did not freeze" : " did not thaw"));
}

Status V2Manager::Freeze() {
  Status s = SetFrozen(true);
  if (!s.ok()) {
    (void)SetFrozen(false);
    return std::move(s).error().Context("freeze");
  }
  return Ok();
}

Status V2Manager::Thaw() {
  BERTH_TRY_CTX(SetFrozen(false), "thaw");
  return Ok();
}

Result<bool> V2Manager::IsFrozen() {
  auto events = fs_->Read(path_, "cgroup.events");
  if (events.ok())
    if (std::optional<bool> frozen = FrozenEvent(*events)) return *frozen;
  std::string requested = Trim(BERTH_TRY(fs_->Read(path_, "cgroup.freeze")));
  return requested == "1";
}

Result<std::vector<pid_t>> V2Manager::Pids() { return ParsePidList(BERTH_TRY(fs_->ReadProcsInTree(path_))); }

Status V2Manager::KillAll(int signal) {
  if (disowned_) return Ok();
  // cgroup.kill (5.14+) kills every process, including ones forking right now.
  if (signal == SIGKILL && HasKillFile()) {
    BERTH_TRY_CTX(fs_->Write(path_, "cgroup.kill", "1"), "kill all");
    return Ok();
  }
  bool use_freezer = fs_->FileExists(path_, "cgroup.freeze");
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

Status V2Manager::Destroy() {
  if (disowned_) return Ok();
  BERTH_TRY_CTX(fs_->RemoveDir(path_), "destroy cgroup");
  return Ok();
}

std::string V2Manager::Serialize() const { return "v2-root " + fs_->root() + "\nv2 " + path_ + "\n"; }

}  // namespace berth::cgroups
