// config-linux.md control groups on this hybrid host: v1 resource files,
// cgroupsPath placement, the device allow-list order, pids limit 0, a
// non-empty cgroup, unified (v2) resources, and cgroup ownership.
#include <signal.h>

#include "conformance/cases/common.h"

namespace berth::conformance {

namespace json = spec::json;
namespace {

std::string CgroupFile(const std::string& controller, const std::string& path, const std::string& file) {
  auto text = ReadFileText(CgroupV1Dir(controller, path) + "/" + file);
  if (!text) return "<" + text.error().ToString() + ">";
  std::string v = *text;
  while (!v.empty() && v.back() == '\n') v.pop_back();
  return v;
}

bool HostHasV1(const char* controller) {
  return PathExists(std::string("/sys/fs/cgroup/") + controller + "/tasks");
}

}  // namespace

CONFORMANCE_CASE(cgroup_v1_resources_applied, "runtime.md#create-4", "config-linux.md#cgroups-path-2",
                 "config-linux.md#cgroups-path-3") {
  if (!HostHasV1("memory") || !HostHasV1("pids") || !HostHasV1("cpu"))
    return c.SkipRest("host has no cgroup v1 memory/cpu/pids hierarchies");
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  json::Value& res = b->Linux()["resources"];
  res["memory"]["limit"] = int64_t{64} << 20;
  res["cpu"]["shares"] = 512;
  res["cpu"]["quota"] = 50000;
  res["cpu"]["period"] = 100000;
  res["pids"]["limit"] = 42;
  std::string path = "/conformance/" + b->id;
  Container ct(c, *b);
  if (!ct.Create().ok()) return c.Abort("create failed");
  std::string problems;
  auto expect = [&](const char* ctl, const char* file, const std::string& want) {
    std::string got = CgroupFile(ctl, path, file);
    if (got != want) problems += std::string(ctl) + "/" + file + " = " + got + " (expected " + want + "); ";
  };
  expect("memory", "memory.limit_in_bytes", std::to_string(int64_t{64} << 20));
  expect("cpu", "cpu.shares", "512");
  expect("cpu", "cpu.cfs_quota_us", "50000");
  expect("cpu", "cpu.cfs_period_us", "100000");
  expect("pids", "pids.max", "42");
  c.Expect("runtime.md#create-4", problems.empty(), problems);
  auto procs = ReadFileText(CgroupV1Dir("pids", path) + "/cgroup.procs");
  c.Expect("config-linux.md#cgroups-path-2",
           procs && procs->find(std::to_string(ct.Pid())) != std::string::npos,
           "the init " + std::to_string(ct.Pid()) + " is not in " + CgroupV1Dir("pids", path));
  if (!ct.Start().ok()) return c.Abort("start failed");
  ct.WaitExit(20000);
  auto report = ct.Report();
  if (!report) return c.Abort(report.error().ToString());
  bool placed = false;
  for (const auto& line : StringList(report->Find("cgroup")))
    placed |= line.find(":pids:" + path) != std::string::npos;
  c.Expect("config-linux.md#cgroups-path-3", placed,
           "the container's /proc/self/cgroup has no pids:" + path + " line: " + Field(*report, "cgroup"));
}

CONFORMANCE_CASE(device_allow_list_applied_in_order, "config-linux.md#allowed-device-list-1") {
  if (!HostHasV1("devices"))
    return c.SkipRest("host has no cgroup v1 devices hierarchy (v2 device filters are eBPF)");
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  json::Value deny_all = json::Value::Object();
  deny_all["allow"] = false;
  deny_all["access"] = "rwm";
  // loop0 (b 7:0) is outside every runtime's implicit allow-list.
  json::Value allow_loop = json::Value::Object();
  allow_loop["allow"] = true;
  allow_loop["type"] = "b";
  allow_loop["major"] = 7;
  allow_loop["minor"] = 0;
  allow_loop["access"] = "rw";
  json::Value deny_write = json::Value::Object();
  deny_write["allow"] = false;
  deny_write["type"] = "b";
  deny_write["major"] = 7;
  deny_write["minor"] = 0;
  deny_write["access"] = "w";
  b->Linux()["resources"]["devices"] = json::Value::Array({deny_all, allow_loop, deny_write});
  json::Value dev = json::Value::Object();
  dev["path"] = "/dev/conf-loop";
  dev["type"] = "b";
  dev["major"] = 7;
  dev["minor"] = 0;
  b->Linux()["devices"] = json::Value::Array({dev});
  b->SetArgs({"/probe", "read:/dev/conf-loop", "openw:/dev/conf-loop"});
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  bool can_read = ActionOk(run->report, "read", "/dev/conf-loop");
  bool can_write = ActionOk(run->report, "openw", "/dev/conf-loop");
  c.Expect("config-linux.md#allowed-device-list-1", can_read && !can_write,
           std::string("after deny-all, allow b 7:0 rw, deny b 7:0 w: /dev/conf-loop ") +
               (can_read ? "readable" : "unreadable") + ", " + (can_write ? "writable" : "not writable") +
               " (expected readable, not writable)");
}

CONFORMANCE_CASE(pids_limit_zero_is_a_limit, "config-linux.md#pids-1") {
  if (!HostHasV1("pids")) return c.SkipRest("host has no cgroup v1 pids hierarchy");
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->Linux()["resources"]["pids"]["limit"] = 0;
  Container ct(c, *b);
  CommandResult create = ct.Create();
  if (!create.ok())
    return c.Fail("config-linux.md#pids-1", "create with pids.limit 0 failed: " + create.Describe());
  std::string got = CgroupFile("pids", "/conformance/" + b->id, "pids.max");
  c.Expect("config-linux.md#pids-1", got == "0", "pids.limit 0 gave pids.max " + got);
}

CONFORMANCE_CASE(create_in_non_empty_cgroup_fails, "config-linux.md#control-groups-1") {
  if (!HostHasV1("pids")) return c.SkipRest("host has no cgroup v1 pids hierarchy");
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  std::string path = "/conformance-busy-" + b->id;
  std::vector<std::string> dirs;
  // The container's cgroup already holds a host process in every hierarchy.
  pid_t squatter = fork();
  if (squatter == 0) {
    for (;;) pause();
  }
  for (const char* ctl :
       {"pids", "memory", "cpu", "cpuacct", "cpuset", "devices", "freezer", "blkio", "systemd"}) {
    std::string dir = CgroupV1Dir(ctl, path);
    if (!HostHasV1(ctl) && std::string(ctl) != "systemd") continue;
    if (mkdir(dir.c_str(), 0755) != 0) continue;
    dirs.push_back(dir);
    if (std::string(ctl) == "cpuset") {
      auto cpus = ReadFileText("/sys/fs/cgroup/cpuset/cpuset.cpus");
      auto mems = ReadFileText("/sys/fs/cgroup/cpuset/cpuset.mems");
      if (cpus) (void)WriteFileText(dir + "/cpuset.cpus", *cpus);
      if (mems) (void)WriteFileText(dir + "/cpuset.mems", *mems);
    }
    (void)WriteFileText(dir + "/cgroup.procs", std::to_string(squatter));
  }
  b->Linux()["cgroupsPath"] = path;
  Container ct(c, *b);
  CommandResult r = ct.Create();
  c.Expect("config-linux.md#control-groups-1", !r.ok(),
           "create succeeded in a cgroup that already holds another process");
  kill(squatter, SIGKILL);
  Reaper::Get().Wait(squatter, 5000);
  ct.Delete(true);
  for (const auto& d : dirs) rmdir(d.c_str());
}

CONFORMANCE_CASE(unified_resources_on_absent_controller, "config-linux.md#unified-3",
                 "config-linux.md#unified-1", "config-linux.md#unified-2") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->Linux()["resources"]["unified"]["memory.max"] = "67108864";
  Container ct(c, *b);
  CommandResult r = ct.Create();
  c.Expect("config-linux.md#unified-3", !r.ok(),
           "unified memory.max was accepted although this host has no cgroup v2 memory controller");
  c.Skip("config-linux.md#unified-1", "host: cgroup v2 is mounted with only the hugetlb controller");
  c.Skip("config-linux.md#unified-2", "host: cgroup v2 is mounted with only the hugetlb controller");
}

CONFORMANCE_CASE(cgroup_ownership_unchanged_on_v1, "config-linux.md#cgroup-ownership-1") {
  if (!HostHasV1("pids")) return c.SkipRest("host has no cgroup v1 pids hierarchy");
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->AddNamespace("user");
  json::Value map = json::Value::Object();
  map["containerID"] = 0;
  map["hostID"] = 300000;
  map["size"] = 65536;
  b->Linux()["uidMappings"] = json::Value::Array({map});
  b->Linux()["gidMappings"] = json::Value::Array({map});
  auto& mounts = b->config["mounts"].items;
  for (auto it = mounts.begin(); it != mounts.end();)
    it = (*it)["destination"].as_string() == "/sys/fs/cgroup" ? mounts.erase(it) : it + 1;
  Container ct(c, *b);
  if (!ct.Create().ok()) return c.Abort("create with a user namespace failed");
  struct stat st;
  std::string dir = CgroupV1Dir("pids", "/conformance/" + b->id);
  if (stat(dir.c_str(), &st) != 0) return c.Abort("no cgroup at " + dir);
  c.Expect("config-linux.md#cgroup-ownership-1", st.st_uid == 0,
           dir + " is owned by uid " + std::to_string(st.st_uid) + " on cgroup v1");
}

}  // namespace berth::conformance
