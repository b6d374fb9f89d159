// Rootless: the runtime run by an unprivileged user (docs/rootless.md), with
// a config of `spec --rootless`'s shape (runc's ToRootless applied to the
// suite's default config). The user is given with --rootless-user; the
// caller creates and removes it (tools/conformance). The ids are outside the
// spec's registry: rootless operation is a runtime feature, not a spec
// requirement.
#include <dirent.h>
#include <pwd.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <sstream>

#include "conformance/cases/common.h"
#include "conformance/cases/rootless_config.h"

namespace berth::conformance {

namespace json = spec::json;
namespace {

constexpr const char* kLifecycle = "rootless.md#lifecycle";
constexpr const char* kUserNamespace = "rootless.md#user-namespace-mapping";
constexpr const char* kDevices = "rootless.md#devices";
constexpr const char* kHostname = "rootless.md#hostname";
constexpr const char* kMounts = "rootless.md#mounts";
constexpr const char* kRlimits = "rootless.md#rlimits";
constexpr const char* kNoCgroup = "rootless.md#no-cgroup";
constexpr const char* kResourcesError = "rootless.md#resources-error";

// The case's runtime, run as the user: setpriv (no supplementary groups, the
// user's environment, no capabilities: setuid from 0 drops them), with a
// state root the user owns.
struct AsUser {
  uid_t uid = 0;
  gid_t gid = 0;
  std::string root;
  std::unique_ptr<Runtime> runtime;
};

std::optional<AsUser> AsUserOrSkip(CaseContext& c) {
  const std::string& name = c.env().rootless_user;
  if (name.empty()) {
    c.SkipRest(
        "no unprivileged user: run the harness with --rootless-user NAME (tools/conformance makes one)");
    return std::nullopt;
  }
  struct passwd* pw = getpwnam(name.c_str());
  if (!pw || pw->pw_uid == 0) {
    c.Abort("harness: --rootless-user " + name + " is not an unprivileged user of this host");
    return std::nullopt;
  }
  std::string setpriv = access("/usr/bin/setpriv", X_OK) == 0 ? "/usr/bin/setpriv" : "/bin/setpriv";
  AsUser u;
  u.uid = pw->pw_uid;
  u.gid = pw->pw_gid;
  u.root = c.dir() + "/rootless-state";
  if (mkdir(u.root.c_str(), 0700) != 0 || chown(u.root.c_str(), u.uid, u.gid) != 0) {
    c.Abort("harness: cannot make the user's state root " + u.root + ": " + strerror(errno));
    return std::nullopt;
  }
  u.runtime = std::make_unique<Runtime>(
      c.runtime().path(), u.root,
      std::vector<std::string>{setpriv, "--reuid=" + std::to_string(u.uid),
                               "--regid=" + std::to_string(u.gid), "--clear-groups", "--reset-env", "--"});
  return u;
}

// A bundle of the rootless shape; its directory is the user's (the runtime
// writes the pid file there), the rootfs stays root's.
std::optional<Bundle> RootlessBundleOrAbort(CaseContext& c, const AsUser& u) {
  auto b = NewBundleOrAbort(c);
  if (!b) return std::nullopt;
  b->config = ToRootless(std::move(b->config), u.uid, u.gid);
  if (chown(b->dir.c_str(), u.uid, u.gid) != 0) {
    c.Abort("harness: chown " + b->dir + ": " + strerror(errno));
    return std::nullopt;
  }
  return b;
}

// create + start + exit + report + delete, all as the user.
std::optional<ProbeRun> RunAsUserOrAbort(CaseContext& c, const AsUser& u, Bundle& b) {
  auto run = RunProbe(c, b, 20000, u.runtime.get());
  if (!run) {
    c.Abort("as the user: " + run.error().ToString());
    return std::nullopt;
  }
  return std::move(*run);
}

int64_t HostNamespaceInode(const char* kind) {
  struct stat st;
  return stat((std::string("/proc/self/ns/") + kind).c_str(), &st) == 0 ? static_cast<int64_t>(st.st_ino)
                                                                        : -1;
}

// Whitespace-separated numbers of a uid_map/gid_map.
std::vector<int64_t> MapNumbers(const std::string& map) {
  std::vector<int64_t> out;
  std::istringstream in(map);
  for (int64_t v; in >> v;) out.push_back(v);
  return out;
}

// Directories named like the container anywhere in the host's cgroup
// hierarchies (a runtime's default cgroup is named after the container id,
// under its caller's cgroup or a hierarchy's root).
void FindCgroupDirs(const std::string& dir, const std::string& name, int depth,
                    std::vector<std::string>* found) {
  DIR* d = opendir(dir.c_str());
  if (!d) return;
  std::vector<std::string> subdirs;
  for (struct dirent* e; (e = readdir(d));) {
    std::string entry = e->d_name;
    if (entry == "." || entry == ".." || e->d_type != DT_DIR) continue;
    if (entry == name) found->push_back(dir + "/" + entry);
    subdirs.push_back(dir + "/" + entry);
  }
  closedir(d);
  if (depth > 0)
    for (const auto& sub : subdirs) FindCgroupDirs(sub, name, depth - 1, found);
}
std::vector<std::string> CgroupDirsNamed(const std::string& name) {
  std::vector<std::string> found;
  FindCgroupDirs("/sys/fs/cgroup", name, 8, &found);
  return found;
}

// Pids of processes whose real uid is uid.
std::vector<std::string> ProcessesOf(uid_t uid) {
  std::vector<std::string> pids;
  DIR* d = opendir("/proc");
  if (!d) return pids;
  for (struct dirent* e; (e = readdir(d));) {
    if (!std::isdigit(static_cast<unsigned char>(e->d_name[0]))) continue;
    auto status = ReadFileText(std::string("/proc/") + e->d_name + "/status");
    if (!status) continue;
    size_t at = status->find("\nUid:");
    if (at != std::string::npos && std::atol(status->c_str() + at + 5) == static_cast<long>(uid))
      pids.push_back(e->d_name);
  }
  closedir(d);
  return pids;
}

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

CONFORMANCE_CASE(rootless_lifecycle, kLifecycle) {
  auto u = AsUserOrSkip(c);
  if (!u) return;
  auto b = RootlessBundleOrAbort(c, *u);
  if (!b) return;
  b->SetArgs({"/probe", "quiet", "sleep:60"});
  Container ct(c, *b, u->runtime.get());
  std::string problems;
  CommandResult create = ct.Create();
  if (!create.ok()) return c.Fail(kLifecycle, "create as the user failed: " + create.Describe());
  std::string status = ct.Status();
  if (status != "created") problems += "status after create " + Quote(status) + "; ";
  auto state = u->runtime->StateJson(ct.id());
  if (!state)
    problems += "state: " + state.error().ToString() + "; ";
  else if ((*state)["pid"].as_int() != ct.Pid() || ct.Pid() <= 0)
    problems += "state pid " + Field(*state, "pid") + ", pid file " + std::to_string(ct.Pid()) + "; ";
  CommandResult start = ct.Start();
  if (!start.ok()) return c.Fail(kLifecycle, problems + "start failed: " + start.Describe());
  status = ct.Status();
  if (status != "running") problems += "status after start " + Quote(status) + "; ";
  CommandResult kill = ct.Kill("KILL");
  if (!kill.ok()) problems += "kill failed: " + kill.Describe() + "; ";
  auto exited = ct.WaitExit(20000);
  if (!exited) return c.Fail(kLifecycle, problems + "the init did not exit within 20 s of kill");
  if (*exited >= 0 && !(WIFSIGNALED(*exited) && WTERMSIG(*exited) == SIGKILL))
    problems += "the init ended with " + DescribeWaitStatus(*exited) + ", not SIGKILL; ";
  status = ct.Status();
  if (status != "stopped") problems += "status after kill " + Quote(status) + "; ";
  CommandResult del = ct.Delete();
  if (!del.ok()) problems += "delete failed: " + del.Describe() + "; ";
  if (u->runtime->State(ct.id()).ok()) problems += "state still answers after delete; ";
  if (PathExists(u->root + "/" + ct.id())) problems += "state dir " + u->root + "/" + ct.id() + " left; ";
  c.Expect(kLifecycle, problems.empty(), problems);
}

CONFORMANCE_CASE(rootless_user_namespace_mapping, kUserNamespace) {
  auto u = AsUserOrSkip(c);
  if (!u) return;
  auto b = RootlessBundleOrAbort(c, *u);
  if (!b) return;
  b->SetArgs({"/probe", "stat:/probe"});
  auto run = RunAsUserOrAbort(c, *u, *b);
  if (!run) return;
  const json::Value& r = run->report;
  std::string problems;
  for (const char* key : {"uid", "gid"})
    for (const json::Value& id : r[key].items)
      if (id.as_int() != 0) problems += std::string(key) + " inside " + Field(r, key) + " (expected 0); ";
  std::vector<int64_t> want_uid = {0, u->uid, 1}, want_gid = {0, u->gid, 1};
  if (MapNumbers(r["uid_map"].as_string()) != want_uid)
    problems +=
        "uid_map " + Quote(r["uid_map"].as_string()) + " (expected 0 " + std::to_string(u->uid) + " 1); ";
  if (MapNumbers(r["gid_map"].as_string()) != want_gid)
    problems +=
        "gid_map " + Quote(r["gid_map"].as_string()) + " (expected 0 " + std::to_string(u->gid) + " 1); ";
  if (NamespaceInode(r, "user") == HostNamespaceInode("user"))
    problems += "the probe is in the host's user namespace; ";
  // /probe belongs to the host's root, which the namespace does not map.
  const json::Value* st = ActionResult(r, "stat", "/probe");
  if (!st || !st->Find("stat") || (*st->Find("stat"))["uid"].as_int() != 65534)
    problems += "/probe (host root's) seen as " + (st ? st->Dump() : std::string("absent")) +
                " (expected uid 65534); ";
  c.Expect(kUserNamespace, problems.empty(), problems);
}

CONFORMANCE_CASE(rootless_devices, kDevices) {
  auto u = AsUserOrSkip(c);
  if (!u) return;
  auto b = RootlessBundleOrAbort(c, *u);
  if (!b) return;
  b->SetArgs({"/probe", "write:/dev/null", "read:/dev/zero", "read:/dev/urandom", "openw:/dev/full"});
  auto run = RunAsUserOrAbort(c, *u, *b);
  if (!run) return;
  const json::Value& r = run->report;
  std::string problems = DefaultDevicesProblems(r);
  for (auto [op, path] : {std::pair{"write", "/dev/null"},
                          {"read", "/dev/zero"},
                          {"read", "/dev/urandom"},
                          {"openw", "/dev/full"}})
    if (!ActionOk(r, op, path))
      problems +=
          std::string(op) + " " + path + " failed (errno " + std::to_string(ActionErrno(r, op, path)) + "); ";
  c.Expect(kDevices, problems.empty(), problems);
}

CONFORMANCE_CASE(rootless_hostname, kHostname) {
  auto u = AsUserOrSkip(c);
  if (!u) return;
  auto b = RootlessBundleOrAbort(c, *u);
  if (!b) return;
  b->config["hostname"] = "rootless-probe";
  auto run = RunAsUserOrAbort(c, *u, *b);
  if (!run) return;
  const json::Value& r = run->report;
  std::string problems;
  if (r["hostname"].as_string() != "rootless-probe") problems += "hostname " + Field(r, "hostname") + "; ";
  if (NamespaceInode(r, "uts") == HostNamespaceInode("uts"))
    problems += "the probe is in the host's UTS namespace; ";
  c.Expect(kHostname, problems.empty(), problems);
}

CONFORMANCE_CASE(rootless_mounts, kMounts) {
  auto u = AsUserOrSkip(c);
  if (!u) return;
  auto b = RootlessBundleOrAbort(c, *u);
  if (!b) return;
  b->SetArgs({"/probe", "mkdir:/sys/rootless-probe", "mkdir:/rootless-probe", "read:/proc/1/cmdline"});
  auto run = RunAsUserOrAbort(c, *u, *b);
  if (!run) return;
  const json::Value& r = run->report;
  std::string problems;
  auto proc = FindMount(r, "/proc");
  if (!proc || proc->fs_type != "proc") problems += "/proc is not a proc mount; ";
  // A proc of the container's pid namespace: pid 1 is the probe.
  if (ActionData(r, "read", "/proc/1/cmdline").rfind("/probe", 0) != 0)
    problems += "/proc/1/cmdline is " + Quote(ActionData(r, "read", "/proc/1/cmdline")) + "; ";
  auto sys = FindMount(r, "/sys");
  if (!sys || sys->fs_type != "sysfs") {
    problems += "/sys is not a sysfs mount; ";
  } else {
    for (const char* option : {"ro", "nosuid", "nodev", "noexec"})
      if (!sys->HasOption(option)) problems += std::string("/sys lacks ") + option + "; ";
  }
  if (ActionErrno(r, "mkdir", "/sys/rootless-probe") != EROFS)
    problems += "mkdir /sys/rootless-probe: errno " +
                std::to_string(ActionErrno(r, "mkdir", "/sys/rootless-probe")) + " (expected EROFS); ";
  auto root = FindMount(r, "/");
  if (!root || !root->HasOption("ro")) problems += "the root (readonly: true) is not read-only; ";
  if (ActionErrno(r, "mkdir", "/rootless-probe") != EROFS)
    problems +=
        "mkdir /rootless-probe: errno " + std::to_string(ActionErrno(r, "mkdir", "/rootless-probe")) + "; ";
  for (const char* point : {"/dev", "/dev/pts", "/dev/shm", "/dev/mqueue"})
    if (!FindMount(r, point)) problems += std::string(point) + " not mounted; ";
  c.Expect(kMounts, problems.empty(), problems);
}

CONFORMANCE_CASE(rootless_rlimits, kRlimits) {
  auto u = AsUserOrSkip(c);
  if (!u) return;
  auto b = RootlessBundleOrAbort(c, *u);
  if (!b) return;
  // Lower than what the caller has: an unprivileged runtime cannot raise a
  // hard limit.
  struct rlimit nofile;
  getrlimit(RLIMIT_NOFILE, &nofile);
  int64_t hard = std::min<int64_t>(300, static_cast<int64_t>(nofile.rlim_max)), soft = hard / 2;
  auto limit = [](const char* type, int64_t soft_value, int64_t hard_value) {
    json::Value l = json::Value::Object();
    l["type"] = type;
    l["soft"] = soft_value;
    l["hard"] = hard_value;
    return l;
  };
  b->Process()["rlimits"] =
      json::Value::Array({limit("RLIMIT_NOFILE", soft, hard), limit("RLIMIT_CORE", 0, 0)});
  auto run = RunAsUserOrAbort(c, *u, *b);
  if (!run) return;
  const json::Value& r = run->report;
  std::string problems;
  auto seen = [&](const char* type) {
    const json::Value* v = r["rlimits"].Find(type);
    return v && v->items.size() == 2 ? std::pair{v->items[0].as_int(), v->items[1].as_int()}
                                     : std::pair<int64_t, int64_t>{-2, -2};
  };
  if (seen("RLIMIT_NOFILE") != std::pair{soft, hard})
    problems += "RLIMIT_NOFILE " + Field(r, "rlimits.RLIMIT_NOFILE") + " (expected [" + std::to_string(soft) +
                "," + std::to_string(hard) + "]); ";
  if (seen("RLIMIT_CORE") != std::pair<int64_t, int64_t>{0, 0})
    problems += "RLIMIT_CORE " + Field(r, "rlimits.RLIMIT_CORE") + " (expected [0,0]); ";
  c.Expect(kRlimits, problems.empty(), problems);
}

CONFORMANCE_CASE(rootless_no_cgroup, kNoCgroup) {
  auto u = AsUserOrSkip(c);
  if (!u) return;
  auto b = RootlessBundleOrAbort(c, *u);
  if (!b) return;
  Container ct(c, *b, u->runtime.get());
  CommandResult create = ct.Create();
  if (!create.ok()) return c.Fail(kNoCgroup, "create as the user failed: " + create.Describe());
  std::string problems;
  // The user may not make cgroups here: whatever the runtime tried, nothing
  // is left and the init stays in its caller's cgroups.
  auto made = CgroupDirsNamed(ct.id());
  if (!made.empty()) problems += "cgroups made: " + Join(made) + "; ";
  if (!ct.Start().ok()) return c.Fail(kNoCgroup, problems + "start failed");
  if (!ct.WaitExit(20000)) return c.Fail(kNoCgroup, problems + "the probe did not exit within 20 s");
  auto report = ct.Report();
  if (!report) return c.Fail(kNoCgroup, problems + report.error().ToString());
  auto host = ReadFileText("/proc/self/cgroup");
  std::vector<std::string> mine;
  std::istringstream lines(host ? *host : "");
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) mine.push_back(line);
  std::vector<std::string> seen = StringList(report->Find("cgroup"));
  if (seen != mine)
    problems += "the probe's cgroups [" + Join(seen) + "] are not its caller's [" + Join(mine) + "]; ";
  ct.Delete();
  c.Expect(kNoCgroup, problems.empty(), problems);
}

CONFORMANCE_CASE(rootless_resources_error, kResourcesError) {
  auto u = AsUserOrSkip(c);
  if (!u) return;
  auto b = RootlessBundleOrAbort(c, *u);
  if (!b) return;
  b->Linux()["resources"]["pids"]["limit"] = 32;
  std::string problems;
  {
    Container ct(c, *b, u->runtime.get());
    CommandResult create = ct.Create();
    std::string err = create.err;
    std::transform(err.begin(), err.end(), err.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (create.ok())
      problems += "create of a pids limit without a usable cgroup succeeded; ";
    else if (err.find("cgroup") == std::string::npos)
      problems += "the error does not name the cgroup: " + Quote(create.err.substr(0, 300)) + "; ";
    if (u->runtime->State(ct.id()).ok()) problems += "state answers for the failed container; ";
    if (PathExists(u->root + "/" + ct.id())) problems += "state dir " + u->root + "/" + ct.id() + " left; ";
    auto made = CgroupDirsNamed(ct.id());
    if (!made.empty()) problems += "cgroups left: " + Join(made) + "; ";
    auto left = ProcessesOf(u->uid);
    if (!left.empty()) problems += "processes of the user left: " + Join(left) + "; ";
  }
  c.Expect(kResourcesError, problems.empty(), problems);
}

}  // namespace berth::conformance
