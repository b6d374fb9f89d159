// config-linux.md namespaces: each new namespace isolates, joining by path,
// inheriting unlisted types, error cases; user namespace mappings and time
// namespace offsets.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/mount.h>
#include <sys/msg.h>
#include <sys/shm.h>
#include <time.h>
#include <unistd.h>

#include <cstring>
#include <optional>
#include <set>

#include "conformance/cases/common.h"

namespace berth::conformance {

namespace json = spec::json;
namespace {

int64_t HostNsInode(const char* kind) {
  struct stat st;
  if (stat((std::string("/proc/self/ns/") + kind).c_str(), &st) != 0) return 0;
  return static_cast<int64_t>(st.st_ino);
}

// A host process sitting in namespaces of its own, to be joined by path.
class NamespaceHolder {
 public:
  explicit NamespaceHolder(int flags, const char* hostname = "joined-ns") {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      close(fds[0]);
      char ok = unshare(flags) == 0 ? 1 : 0;
      if (ok && (flags & CLONE_NEWUTS)) ok = sethostname(hostname, strlen(hostname)) == 0 ? 1 : 0;
      if (write(fds[1], &ok, 1) != 1) _exit(1);
      for (;;) pause();
    }
    close(fds[1]);
    char ok = 0;
    if (pid_ > 0 && read(fds[0], &ok, 1) == 1 && ok) ready_ = true;
    close(fds[0]);
  }
  ~NamespaceHolder() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      Reaper::Get().Wait(pid_, 5000);
    }
  }
  bool ready() const { return ready_; }
  // For a holder with a new user namespace: write its uid/gid maps.
  bool MapRoot(int host_id) {
    std::string map = "0 " + std::to_string(host_id) + " 65536\n";
    for (const char* file : {"uid_map", "gid_map"}) {
      int fd = open(("/proc/" + std::to_string(pid_) + "/" + file).c_str(), O_WRONLY | O_CLOEXEC);
      if (fd < 0) return false;
      bool ok = write(fd, map.data(), map.size()) == static_cast<ssize_t>(map.size());
      close(fd);
      if (!ok) return false;
    }
    return true;
  }
  std::string Path(const char* kind) const { return "/proc/" + std::to_string(pid_) + "/ns/" + kind; }
  int64_t Inode(const char* kind) const {
    struct stat st;
    return stat(Path(kind).c_str(), &st) == 0 ? static_cast<int64_t>(st.st_ino) : 0;
  }

 private:
  pid_t pid_ = -1;
  bool ready_ = false;
};

}  // namespace

CONFORMANCE_CASE(new_namespaces_isolate, "config-linux.md#namespaces-5", "config-linux.md#namespaces-1",
                 "runtime.md#create-4") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->AddNamespace("cgroup");
  // A host SysV IPC object the container must not see.
  key_t shm_key = static_cast<key_t>(0x0c0f0000 | (getpid() & 0xffff));
  int shm = shmget(shm_key, 4096, IPC_CREAT | 0600);
  int msq = msgget(shm_key, IPC_CREAT | 0600);
  auto run = RunOrAbort(c, *b);
  if (shm >= 0) shmctl(shm, IPC_RMID, nullptr);
  if (msq >= 0) msgctl(msq, IPC_RMID, nullptr);
  if (!run) return;
  const json::Value& r = run->report;
  std::string problems;
  for (const char* kind : {"pid", "net", "ipc", "uts", "mnt", "cgroup"})
    if (NamespaceInode(r, kind) == HostNsInode(kind))
      problems += std::string(kind) + " namespace is the host's; ";
  if (r["pid"].as_int() != 1) problems += "pid inside is " + Field(r, "pid") + ", not 1; ";
  auto procs = r.Find("procs") ? r.Find("procs")->items : std::vector<json::Value>{};
  for (const auto& p : procs)
    if (p.as_int() == getpid()) problems += "the harness's pid " + std::to_string(getpid()) + " is visible; ";
  if (procs.size() > 3) problems += std::to_string(procs.size()) + " processes visible in /proc; ";
  auto net = StringList(r.Find("net"));
  if (net != std::vector<std::string>{"lo"})
    problems += "network interfaces " + Field(r, "net") + " (expected only lo); ";
  char host_name[256] = "";
  gethostname(host_name, sizeof host_name - 1);
  if (r["hostname"].as_string() != "conformance") problems += "hostname " + Field(r, "hostname") + "; ";
  if (std::string(host_name) == "conformance") problems += "the hostname leaked to the host; ";
  for (const char* list : {"shm", "msg"})
    for (const auto& k : r.Find(list) ? r.Find(list)->items : std::vector<json::Value>{})
      if (k.as_int() == shm_key) problems += std::string("the host SysV ") + list + " object is visible; ";
  for (const auto& line : StringList(r.Find("cgroup"))) {
    if (line.size() < 2 || line.substr(line.size() - 2) != ":/") {
      problems += "with a cgroup namespace /proc/self/cgroup shows " + line + "; ";
      break;
    }
  }
  c.Expect("config-linux.md#namespaces-5", problems.empty(), problems);
  c.Expect("config-linux.md#namespaces-1", problems.empty(), problems);
  c.Expect("runtime.md#create-4", problems.empty(), problems);
}

CONFORMANCE_CASE(mount_namespace_hides_container_mounts_from_host, "config-linux.md#namespaces-5") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->SetArgs({"/probe", "quiet", "sleep:10"});
  Container ct(c, *b);
  if (!ct.Create().ok() || !ct.Start().ok()) return c.Abort("create/start failed");
  auto host = ReadFileText("/proc/self/mountinfo");
  if (!host) return c.Abort("cannot read host mountinfo");
  bool leaked = host->find(b->rootfs + "/proc") != std::string::npos ||
                host->find(b->rootfs + "/dev") != std::string::npos;
  c.Expect("config-linux.md#namespaces-5", !leaked,
           "container mounts under " + b->rootfs + " are visible in the host mount namespace");
}

CONFORMANCE_CASE(join_namespaces_by_path, "config-linux.md#namespaces-3") {
  NamespaceHolder holder(CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWIPC);
  if (!holder.ready()) return c.Abort("harness: cannot create namespaces to join");
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->config.Erase("hostname");  // do not rename the joined uts namespace
  b->AddNamespace("network", holder.Path("net"));
  b->AddNamespace("uts", holder.Path("uts"));
  b->AddNamespace("ipc", holder.Path("ipc"));
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  std::string problems;
  for (const char* kind : {"net", "uts", "ipc"})
    if (NamespaceInode(run->report, kind) != holder.Inode(kind))
      problems += std::string(kind) + " inode " + std::to_string(NamespaceInode(run->report, kind)) +
                  " != joined " + std::to_string(holder.Inode(kind)) + "; ";
  if (run->report["hostname"].as_string() != "joined-ns")
    problems += "hostname " + Field(run->report, "hostname") + "; ";
  c.Expect("config-linux.md#namespaces-3", problems.empty(), problems);
}

// setns() into a pid namespace moves only later children: the runtime must
// fork the container process inside it (runc's nsexec does the same).
CONFORMANCE_CASE(join_pid_namespace_by_path, "config-linux.md#namespaces-3") {
  auto first = NewBundleOrAbort(c);
  if (!first) return;
  first->SetArgs({"/probe", "quiet", "sleep:30"});
  Container holder(c, *first);
  if (!holder.Create().ok() || !holder.Start().ok() || holder.Pid() <= 0)
    return c.Abort("create/start of the container to join failed");
  std::string pid_ns = "/proc/" + std::to_string(holder.Pid()) + "/ns/pid";
  struct stat joined;
  if (stat(pid_ns.c_str(), &joined) != 0) return c.Abort("cannot stat " + pid_ns);
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->AddNamespace("pid", pid_ns);
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  const json::Value& r = run->report;
  std::string problems;
  if (NamespaceInode(r, "pid") != static_cast<int64_t>(joined.st_ino))
    problems += "pid namespace inode " + std::to_string(NamespaceInode(r, "pid")) + " != joined " +
                std::to_string(joined.st_ino) + "; ";
  if (r["pid"].as_int() <= 1)
    problems += "pid inside is " + Field(r, "pid") + " (the joined namespace has its own 1); ";
  bool sees_init = false;
  for (const auto& p : r.Find("procs") ? r.Find("procs")->items : std::vector<json::Value>{})
    sees_init |= p.as_int() == 1;
  if (!sees_init) problems += "/proc does not show the joined namespace's pid 1; ";
  c.Expect("config-linux.md#namespaces-3", problems.empty(), problems);
}

// A user namespace joined by path while the others are new: they must be
// owned by the joined user namespace (or hostname and mounts fail in it).
CONFORMANCE_CASE(join_user_namespace_and_create_the_others, "config-linux.md#namespaces-3",
                 "config-linux.md#namespaces-5") {
  NamespaceHolder holder(CLONE_NEWUSER);
  if (!holder.ready() || !holder.MapRoot(400000))
    return c.Abort("harness: cannot create a user namespace to join");
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->AddNamespace("user", holder.Path("user"));
  // The joined namespace's own maps, repeated: runc 1.1 requires them.
  json::Value map = json::Value::Object();
  map["containerID"] = 0;
  map["hostID"] = 400000;
  map["size"] = 65536;
  b->Linux()["uidMappings"] = json::Value::Array({map});
  b->Linux()["gidMappings"] = json::Value::Array({map});
  auto& mounts = b->config["mounts"].items;  // host cgroups cannot be mounted there
  for (auto it = mounts.begin(); it != mounts.end();)
    it = (*it)["destination"].as_string() == "/sys/fs/cgroup" ? mounts.erase(it) : it + 1;
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  const json::Value& r = run->report;
  std::string problems;
  if (NamespaceInode(r, "user") != holder.Inode("user")) problems += "user namespace is not the joined one; ";
  if (r["uid_map"].as_string().find("400000") == std::string::npos)
    problems += "uid_map " + Field(r, "uid_map") + "; ";
  for (const char* kind : {"pid", "net", "ipc", "uts", "mnt"})
    if (NamespaceInode(r, kind) == HostNsInode(kind))
      problems += std::string(kind) + " namespace is the host's; ";
  if (r["hostname"].as_string() != "conformance") problems += "hostname " + Field(r, "hostname") + "; ";
  c.Expect("config-linux.md#namespaces-3", problems.empty(), problems);
  c.Expect("config-linux.md#namespaces-5", problems.empty(), problems);
}

CONFORMANCE_CASE(namespace_path_must_be_absolute, "config-linux.md#namespaces-2") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->AddNamespace("network", "proc/self/ns/net");
  Container ct(c, *b);
  CommandResult r = ct.Create();
  c.Expect("config-linux.md#namespaces-2", !r.ok(), "a relative namespace path was accepted");
}

CONFORMANCE_CASE(unlisted_namespaces_are_inherited, "config-linux.md#namespaces-6") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->RemoveNamespace("network");
  b->RemoveNamespace("ipc");
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  std::string problems;
  for (const char* kind : {"net", "ipc", "user"})
    if (NamespaceInode(run->report, kind) != HostNsInode(kind))
      problems += std::string(kind) + " namespace is not the runtime's; ";
  c.Expect("config-linux.md#namespaces-6", problems.empty(), problems);
}

namespace {

// The /proc/PID/ns name of each config namespace type.
constexpr std::pair<const char*, const char*> kNamespaceKinds[] = {
    {"mount", "mnt"}, {"uts", "uts"},   {"ipc", "ipc"},       {"network", "net"},
    {"pid", "pid"},   {"user", "user"}, {"cgroup", "cgroup"}, {"time", "time"}};

int64_t NsInodeOf(pid_t pid, const char* kind) {
  struct stat st;
  std::string path = "/proc/" + std::to_string(pid) + "/ns/" + kind;
  return stat(path.c_str(), &st) == 0 ? static_cast<int64_t>(st.st_ino) : 0;
}

// Mount points at or under dir in the harness's (the runtime's) mount table.
std::vector<std::string> MountsUnder(const std::string& dir) {
  std::vector<std::string> found;
  auto text = ReadFileText("/proc/self/mountinfo");
  if (!text) return found;
  size_t start = 0;
  while (start < text->size()) {
    size_t end = text->find('\n', start);
    if (end == std::string::npos) end = text->size();
    std::string line = text->substr(start, end - start);
    start = end + 1;
    // Fields: id parent major:minor root mount-point ...
    size_t pos = 0;
    for (int field = 0; field < 4 && pos != std::string::npos; ++field) pos = line.find(' ', pos + 1);
    if (pos == std::string::npos) continue;
    size_t stop = line.find(' ', pos + 1);
    std::string point = line.substr(pos + 1, stop == std::string::npos ? std::string::npos : stop - pos - 1);
    if (point == dir || point.starts_with(dir + "/")) found.push_back(point);
  }
  return found;
}

// A runtime that mounts in the runtime's namespace (runc 1.1.5 binds the
// rootfs onto itself there and leaves it) must not leave the host changed
// by the suite: whatever is left under the bundle is detached at the end.
class DetachLeftoverMounts {
 public:
  explicit DetachLeftoverMounts(std::string dir) : dir_(std::move(dir)) {}
  ~DetachLeftoverMounts() {
    auto points = MountsUnder(dir_);
    for (auto it = points.rbegin(); it != points.rend(); ++it) umount2(it->c_str(), MNT_DETACH);
  }

 private:
  std::string dir_;
};

// config-linux.md#namespaces-6 for one type: the default namespaces (pid,
// network, ipc, uts, mount) plus cgroup, without `omitted`; user and time are
// not listed in any case, so their case checks the runtime's are kept. The
// omitted type must be the runtime's, every listed one the container's own.
//
// Without a mount namespace nothing can be mounted (mounts, masked and
// readonly paths and a read-only root all need one), so the container has
// no /proc: its namespaces are read from the host through the init's pid,
// and the probe's /dev listing must show the default devices (judged as
// config-linux.md#default-devices-1).
void CheckOmittedNamespaceInherited(CaseContext& c, const std::string& omitted) {
  const char* omitted_kind = nullptr;
  for (auto [type, kind] : kNamespaceKinds)
    if (type == omitted) omitted_kind = kind;
  if (NsInodeOf(getpid(), omitted_kind) == 0) {
    c.Skip("config-linux.md#namespaces-6", std::string("this kernel has no ") + omitted_kind + " namespace");
    return;
  }
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->AddNamespace("cgroup");
  b->RemoveNamespace(omitted);
  const bool no_mount_ns = omitted == "mount";
  if (no_mount_ns) {
    b->config["mounts"] = json::Value::Array();
    b->Linux()["maskedPaths"] = json::Value::Array();
    b->Linux()["readonlyPaths"] = json::Value::Array();
    b->config["root"]["readonly"] = false;
  }
  std::optional<DetachLeftoverMounts> detach;
  if (no_mount_ns) detach.emplace(b->dir);
  if (omitted == "uts") b->config.Erase("hostname");
  std::set<std::string> listed;
  for (const auto& ns : b->Linux()["namespaces"].items) listed.insert(ns["type"].as_string());
  b->SetArgs({"/probe", "sleep:1"});
  Container ct(c, *b);
  CommandResult create = ct.Create();
  if (!create.ok()) {
    std::string left;
    for (const auto& point : MountsUnder(b->dir))
      left += "; it left " + point + " mounted in the runtime's namespace";
    return c.Fail("config-linux.md#namespaces-6",
                  "without " + omitted + ": create failed: " + create.Describe() + left);
  }
  std::string problems;
  pid_t pid = ct.Pid();
  // Before start the init may not be in its time namespace yet (it is
  // entered at execve), so the host-side check reads the types that it is.
  for (auto [type, kind] : kNamespaceKinds) {
    if (std::string(type) == "time") continue;
    int64_t theirs = NsInodeOf(pid, kind), ours = NsInodeOf(getpid(), kind);
    if (theirs == 0 || ours == 0) continue;
    if (type == omitted && theirs != ours) problems += std::string(kind) + " is not the runtime's; ";
    if (listed.count(type) && theirs == ours)
      problems += std::string(kind) + " is the runtime's although listed; ";
  }
  if (no_mount_ns) {
    for (const auto& point : MountsUnder(b->dir))
      problems += point + " was mounted in the runtime's mount namespace; ";
  }
  if (!ct.Start().ok())
    return c.Fail("config-linux.md#namespaces-6", "without " + omitted + ": start failed");
  auto status = ct.WaitExit(10000);
  if (!status) return c.Abort("the probe did not exit");
  auto report = ct.Report();
  if (!report) return c.Fail("config-linux.md#namespaces-6", "no probe report: " + report.error().ToString());
  if (!no_mount_ns) {
    for (auto [type, kind] : kNamespaceKinds) {
      int64_t seen = NamespaceInode(*report, kind), host = HostNsInode(kind);
      if (seen == 0 || host == 0) continue;
      if (type == omitted && seen != host)
        problems += "the probe's " + std::string(kind) + " is not the runtime's; ";
      if (listed.count(type) && seen == host)
        problems += "the probe's " + std::string(kind) + " is the runtime's; ";
    }
  } else {
    std::string devices = DefaultDevicesProblems(*report);
    c.Expect("config-linux.md#default-devices-1", devices.empty(), "without a mount namespace: " + devices);
  }
  ct.Delete(true);
  if (no_mount_ns) {
    for (const auto& point : MountsUnder(b->dir))
      problems += point + " is left in the runtime's mount namespace after delete; ";
  }
  c.Expect("config-linux.md#namespaces-6", problems.empty(), "without " + omitted + ": " + problems);
}

}  // namespace

CONFORMANCE_CASE(inherited_mount_namespace_when_not_listed, "config-linux.md#namespaces-6",
                 "config-linux.md#default-devices-1") {
  CheckOmittedNamespaceInherited(c, "mount");
}
CONFORMANCE_CASE(inherited_uts_namespace_when_not_listed, "config-linux.md#namespaces-6") {
  CheckOmittedNamespaceInherited(c, "uts");
}
CONFORMANCE_CASE(inherited_ipc_namespace_when_not_listed, "config-linux.md#namespaces-6") {
  CheckOmittedNamespaceInherited(c, "ipc");
}
CONFORMANCE_CASE(inherited_network_namespace_when_not_listed, "config-linux.md#namespaces-6") {
  CheckOmittedNamespaceInherited(c, "network");
}
CONFORMANCE_CASE(inherited_pid_namespace_when_not_listed, "config-linux.md#namespaces-6") {
  CheckOmittedNamespaceInherited(c, "pid");
}
CONFORMANCE_CASE(inherited_user_namespace_when_not_listed, "config-linux.md#namespaces-6") {
  CheckOmittedNamespaceInherited(c, "user");
}
CONFORMANCE_CASE(inherited_cgroup_namespace_when_not_listed, "config-linux.md#namespaces-6") {
  CheckOmittedNamespaceInherited(c, "cgroup");
}
CONFORMANCE_CASE(inherited_time_namespace_when_not_listed, "config-linux.md#namespaces-6") {
  CheckOmittedNamespaceInherited(c, "time");
}

CONFORMANCE_CASE(duplicate_namespace_types_rejected, "config-linux.md#namespaces-7") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  json::Value dup = json::Value::Object();
  dup["type"] = "pid";
  b->Linux()["namespaces"].Push(dup);
  Container ct(c, *b);
  CommandResult r = ct.Create();
  c.Expect("config-linux.md#namespaces-7", !r.ok(), "two pid namespace entries were accepted");
}

CONFORMANCE_CASE(user_namespace_mappings_applied, "config-linux.md#namespaces-5",
                 "config-linux.md#user-namespace-mappings-1") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->AddNamespace("user");
  json::Value map = json::Value::Object();
  map["containerID"] = 0;
  map["hostID"] = 200000;
  map["size"] = 65536;
  b->Linux()["uidMappings"] = json::Value::Array({map});
  b->Linux()["gidMappings"] = json::Value::Array({map});
  // A host cgroup hierarchy cannot be bind-mounted into a user namespace
  // that does not own it; drop that mount for this case.
  auto& mounts = b->config["mounts"].items;
  for (auto it = mounts.begin(); it != mounts.end();)
    it = (*it)["destination"].as_string() == "/sys/fs/cgroup" ? mounts.erase(it) : it + 1;
  struct stat before;
  stat((b->rootfs + "/probe").c_str(), &before);
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  const json::Value& r = run->report;
  std::string problems;
  if (NamespaceInode(r, "user") == HostNsInode("user")) problems += "no new user namespace; ";
  std::string uid_map = r["uid_map"].as_string();
  if (uid_map.find("200000") == std::string::npos || uid_map.find("65536") == std::string::npos)
    problems += "uid_map " + Quote(uid_map) + "; ";
  if (r["gid_map"].as_string().find("200000") == std::string::npos)
    problems += "gid_map " + Field(r, "gid_map") + "; ";
  if (r["uid"].items.empty() || r["uid"].items[0].as_int() != 0)
    problems += "uid inside " + Field(r, "uid") + "; ";
  c.Expect("config-linux.md#namespaces-5", problems.empty(), problems);
  struct stat after;
  stat((b->rootfs + "/probe").c_str(), &after);
  c.Expect("config-linux.md#user-namespace-mappings-1",
           after.st_uid == before.st_uid && after.st_gid == before.st_gid,
           "the rootfs ownership was changed to realise the mapping: uid " + std::to_string(before.st_uid) +
               " -> " + std::to_string(after.st_uid));
}

CONFORMANCE_CASE(time_namespace_offsets_applied, "config-linux.md#namespaces-5",
                 "config-linux.md#namespaces-1") {
  if (!PathExists("/proc/self/ns/time")) return c.SkipRest("host kernel has no time namespaces");
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->AddNamespace("time");
  json::Value offset = json::Value::Object();
  offset["secs"] = 1000000;
  offset["nanosecs"] = 0;
  b->Linux()["timeOffsets"]["monotonic"] = offset;
  b->Linux()["timeOffsets"]["boottime"] = offset;
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  timespec mono;
  clock_gettime(CLOCK_MONOTONIC, &mono);
  int64_t inside = run->report["monotonic"].as_int();
  int64_t boot = run->report["boottime"].as_int();
  bool ok = inside >= mono.tv_sec + 1000000 - 60 && inside <= mono.tv_sec + 1000000 + 60 && boot >= 1000000;
  std::string detail = "monotonic inside " + std::to_string(inside) + " s, host " +
                       std::to_string(mono.tv_sec) + " s; expected host + 1000000 (boottime inside " +
                       std::to_string(boot) + ")";
  c.Expect("config-linux.md#namespaces-5", ok, detail);
  c.Expect("config-linux.md#namespaces-1", ok, detail);
}

}  // namespace berth::conformance
