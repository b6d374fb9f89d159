// Statements that had no case: idmapped mounts made with mount_setattr,
// moving network devices (missing device, taken name, %d template, and what
// the runtime must leave alone in the container's network namespace),
// cgroup2 ownership (on the hybrid host's /sys/fs/cgroup/unified), unified
// resources that cannot be converted, and null versus empty in `features`.
#include <fcntl.h>
#include <sched.h>
#include <signal.h>

#include <chrono>
#include <set>
#include <thread>

#include "conformance/cases/corpus_support.h"

namespace berth::conformance {

namespace json = spec::json;
namespace {

json::Value IdMap(int64_t container, int64_t host, int64_t size) {
  json::Value m = json::Value::Object();
  m["containerID"] = container;
  m["hostID"] = host;
  m["size"] = size;
  return json::Value::Array({m});
}

const json::Value* StatOf(const json::Value& report, const std::string& path) {
  const json::Value* a = ActionResult(report, "stat", path);
  return a ? a->Find("stat") : nullptr;
}

bool HostHasLink(const std::string& dev) {
  return RunCommand({"/usr/sbin/ip", "link", "show", "dev", dev}).ok();
}

// One end of a veth pair on the host (this kernel has veth but no dummy
// driver), removed by the destructor if still there.
class HostVeth {
 public:
  explicit HostVeth(const std::string& suffix) : name_("cf" + suffix + std::to_string(getpid() % 100000)) {
    CommandResult add =
        RunCommand({"/usr/sbin/ip", "link", "add", name_, "type", "veth", "peer", "name", name_ + "p"});
    if (!add.ok()) error_ = add.Describe();
  }
  ~HostVeth() {
    RunCommand({"/usr/sbin/ip", "link", "del", name_});
    RunCommand({"/usr/sbin/ip", "link", "del", name_ + "p"});
  }
  const std::string& name() const { return name_; }
  const std::string& error() const { return error_; }

 private:
  std::string name_, error_;
};

// Waits for the first line of the probe's report.
Result<json::Value> WaitForReport(Container& ct) {
  for (int i = 0; i < 3000; ++i) {
    std::string out = ct.Stdout();
    if (out.find('\n') != std::string::npos) return ParseProbeOutput(out);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return Error("no probe report; stderr: " + ct.Stderr().substr(0, 300));
}

// A process that sits in another process's network namespace, keeping it
// alive after the container is gone.
class NetnsHolder {
 public:
  explicit NetnsHolder(pid_t target) {
    int fd = open(("/proc/" + std::to_string(target) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      if (setns(fd, CLONE_NEWNET) != 0) _exit(1);
      for (;;) pause();
    }
    close(fd);
  }
  ~NetnsHolder() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    Reaper::Get().Wait(pid_, 5000);
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

}  // namespace

// An idmapped mount is what mount_setattr(MOUNT_ATTR_IDMAP) makes: the
// kernel lists it as "idmapped", and ids show through the mount's maps.
CONFORMANCE_CASE(idmap_mount_made_with_mount_setattr, "config.md#posix-platform-mounts-1",
                 "config.md#posix-platform-mounts-4") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  std::string src = c.dir() + "/idmapped-src";
  mkdir(src.c_str(), 0755);
  if (Status s = WriteFileText(src + "/by0", ""); !s.ok()) return c.Abort("harness: " + s.error().ToString());
  mkdir((b->rootfs + "/idm").c_str(), 0755);
  b->AddMount("/idm", "none", src, {"bind", "idmap"});
  json::Value& mount = b->config["mounts"].items.back();
  mount["uidMappings"] = IdMap(0, 1000, 10);
  mount["gidMappings"] = IdMap(0, 2000, 10);
  b->SetArgs({"/probe", "stat:/idm/by0"});
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  auto mi = FindMount(run->report, "/idm");
  bool idmapped = mi && mi->HasOption("idmapped");
  const json::Value* st = StatOf(run->report, "/idm/by0");
  int64_t uid = st ? (*st)["uid"].as_int() : -1, gid = st ? (*st)["gid"].as_int() : -1;
  std::string seen =
      std::string(idmapped ? "an idmapped mount" : "not an idmapped mount (no \"idmapped\" in mountinfo)") +
      ", on-disk 0:0 shows as " + std::to_string(uid) + ":" + std::to_string(gid);
  c.Expect("config.md#posix-platform-mounts-1", idmapped && uid == 1000, seen + " (expected uid 1000)");
  c.Expect("config.md#posix-platform-mounts-4", idmapped && gid == 2000, seen + " (expected gid 2000)");
}

CONFORMANCE_CASE(net_device_missing_is_error, "config-linux.md#network-devices-2") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  std::string dev = "cfnone" + std::to_string(getpid() % 100000);
  b->Linux()["netDevices"][dev] = json::Value::Object();
  Container ct(c, *b);
  CommandResult r = ct.Create();
  bool gone = !c.runtime().State(b->id).ok();
  c.Expect("config-linux.md#network-devices-2", !r.ok() && gone,
           r.ok() ? "moving " + dev + ", which does not exist, was accepted"
                  : "the failed create left a container behind");
}

CONFORMANCE_CASE(net_device_name_taken_is_error, "config-linux.md#network-devices-3", "runtime.md#errors-1") {
  HostVeth veth("tk");
  if (!veth.error().empty()) return c.SkipRest("host: cannot create a veth pair: " + veth.error());
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->Linux()["netDevices"][veth.name()]["name"] = "lo";  // every new network namespace has lo
  Container ct(c, *b);
  CommandResult r = ct.Create();
  c.Expect("config-linux.md#network-devices-3", !r.ok(),
           "moving " + veth.name() + " as \"lo\", a name the container's namespace has, was accepted");
  if (r.ok()) return c.SkipRest("create did not fail");
  c.Expect("runtime.md#errors-1", HostHasLink(veth.name()),
           "the refused create lost " + veth.name() +
               " from the host (moved into the container's namespace, "
               "which was then destroyed): the environment is not as if create had never been attempted");
}

CONFORMANCE_CASE(net_device_name_template, "config-linux.md#network-devices-4") {
  HostVeth veth("tp");
  if (!veth.error().empty()) return c.SkipRest("host: cannot create a veth pair: " + veth.error());
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->Linux()["netDevices"][veth.name()]["name"] = "cft%d";
  b->SetArgs({"/probe"});
  auto run = RunProbe(c, *b);
  if (!run) return c.Abort("a %d name template was refused: " + run.error().ToString());
  auto names = StringList(run->report.Find("net"));
  c.Expect("config-linux.md#network-devices-4", Contains(names, "cft0"),
           "expected the kernel's name cft0 from the template cft%d; the container has " +
               Field(run->report, "net"));
}

// After delete, the moved device is the namespace owner's business: held
// open by another process, the namespace must still have it, with its
// address and state, and it must not have come back to the host.
CONFORMANCE_CASE(net_device_left_to_the_namespace,
                 "config-linux.md#namespace-lifecycle-and-container-termination-1",
                 "config-linux.md#namespace-lifecycle-and-container-termination-2") {
  HostVeth veth("lf");
  if (!veth.error().empty()) return c.SkipRest("host: cannot create a veth pair: " + veth.error());
  RunCommand({"/usr/sbin/ip", "addr", "add", "fd00:c0f::2/64", "dev", veth.name(), "nodad"});
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->Linux()["netDevices"][veth.name()] = json::Value::Object();
  b->SetArgs({"/probe", "wait-signal"});
  Container ct(c, *b);
  if (!ct.Create().ok() || !ct.Start().ok())
    return c.Abort("create/start with a network device failed: " + ct.Stderr());
  auto report = WaitForReport(ct);
  if (!report) return c.Abort(report.error().ToString());
  NetnsHolder holder(ct.Pid());
  if (holder.pid() <= 0) return c.Abort("harness: cannot hold the container's network namespace");
  ct.Kill("KILL");
  ct.WaitExit(10000);
  CommandResult del = ct.Delete();
  if (!del.ok()) return c.Abort("delete failed: " + del.Describe());
  CommandResult inside =
      RunCommand({"/usr/bin/nsenter", "--net=/proc/" + std::to_string(holder.pid()) + "/ns/net",
                  "/usr/sbin/ip", "-o", "addr", "show", "dev", veth.name()});
  c.Expect("config-linux.md#namespace-lifecycle-and-container-termination-1",
           inside.ok() && inside.out.find("fd00:c0f::2") != std::string::npos,
           "after delete, the namespace (still held) " +
               (inside.ok()
                    ? "has " + veth.name() + " without its address fd00:c0f::2: " + inside.out.substr(0, 200)
                    : "no longer has " + veth.name()));
  c.Expect("config-linux.md#namespace-lifecycle-and-container-termination-2", !HostHasLink(veth.name()),
           veth.name() + " was moved back to the host before its namespace was gone");
}

namespace {

// The container's directory in the hybrid host's cgroup2 hierarchy.
std::string UnifiedDir(const Bundle& b) {
  return "/sys/fs/cgroup/unified" + b.config["linux"]["cgroupsPath"].as_string();
}

std::set<std::string> DelegatedFiles() {
  std::set<std::string> files;
  auto text = ReadFileText("/sys/kernel/cgroup/delegate");
  if (!text) return files;
  size_t start = 0;
  while (start < text->size()) {
    size_t nl = text->find('\n', start);
    if (nl == std::string::npos) nl = text->size();
    if (nl > start) files.insert(text->substr(start, nl - start));
    start = nl + 1;
  }
  return files;
}

struct OwnershipRun {
  std::string skip;
  std::string error;
  uid_t dir_owner = 0;
  std::vector<std::string> other_files_not_root;  // not delegated, not owned by root
  bool parent_root = true;
};

// Runs a user-namespaced container (root -> 100000) with or without a
// cgroup namespace and with the cgroup mount read-only or read-write, and
// reads the ownership of its cgroup2 directory while it runs.
OwnershipRun RunOwnership(CaseContext& c, bool cgroupns, bool rw) {
  OwnershipRun out;
  if (!PathExists("/sys/fs/cgroup/unified/cgroup.procs")) {
    out.skip = "host: no cgroup2 hierarchy";
    return out;
  }
  auto b = c.NewBundle();
  if (!b) {
    out.error = b.error().ToString();
    return out;
  }
  b->AddNamespace("user");
  if (cgroupns) b->AddNamespace("cgroup");
  b->Linux()["uidMappings"] = IdMap(0, 100000, 65536);
  b->Linux()["gidMappings"] = IdMap(0, 100000, 65536);
  for (json::Value& m : b->config["mounts"].items)
    if (m["destination"].as_string() == "/sys/fs/cgroup" && rw)
      m["options"] = json::Value::Strings({"nosuid", "noexec", "nodev", "relatime", "rw"});
  if (Status s = ShiftRootfsOwner(*b, 100000, 100000); !s.ok()) {
    out.error = "harness: " + s.error().ToString();
    return out;
  }
  b->SetArgs({"/probe", "quiet", "sleep:30"});
  Container ct(c, *b);
  CommandResult create = ct.Create();
  if (!create.ok()) {
    out.error = "create failed: " + create.Describe();
    return out;
  }
  if (CommandResult start = ct.Start(); !start.ok()) {
    out.error = "start failed: " + start.Describe();
    return out;
  }
  std::string dir = UnifiedDir(*b);
  struct stat st;
  if (stat(dir.c_str(), &st) != 0) {
    out.skip = "the runtime made no cgroup2 directory for the container (" + dir + ")";
    return out;
  }
  out.dir_owner = st.st_uid;
  std::set<std::string> delegated = DelegatedFiles();
  auto list = RunCommand({"/bin/ls", "-A", dir});
  size_t start = 0;
  while (start < list.out.size()) {
    size_t nl = list.out.find('\n', start);
    if (nl == std::string::npos) nl = list.out.size();
    std::string name = list.out.substr(start, nl - start);
    start = nl + 1;
    if (name.empty() || delegated.count(name)) continue;
    if (stat((dir + "/" + name).c_str(), &st) == 0 && st.st_uid != 0)
      out.other_files_not_root.push_back(name);
  }
  std::string parent = dir.substr(0, dir.rfind('/'));
  out.parent_root = stat(parent.c_str(), &st) == 0 && st.st_uid == 0;
  ct.Kill("KILL");
  ct.WaitExit(10000);
  return out;
}

}  // namespace

CONFORMANCE_CASE(cgroup_ownership_kept_without_cgroupns, "config-linux.md#cgroup-ownership-2") {
  OwnershipRun r = RunOwnership(c, /*cgroupns=*/false, /*rw=*/true);
  if (!r.skip.empty()) return c.SkipRest(r.skip);
  if (!r.error.empty()) return c.Abort(r.error);
  c.Expect("config-linux.md#cgroup-ownership-2", r.dir_owner == 0,
           "without a cgroup namespace the container's cgroup2 directory was given to uid " +
               std::to_string(r.dir_owner));
}

CONFORMANCE_CASE(cgroup_ownership_kept_with_read_only_mount, "config-linux.md#cgroup-ownership-4") {
  OwnershipRun r = RunOwnership(c, /*cgroupns=*/true, /*rw=*/false);
  if (!r.skip.empty()) return c.SkipRest(r.skip);
  if (!r.error.empty()) return c.Abort(r.error);
  c.Expect(
      "config-linux.md#cgroup-ownership-4", r.dir_owner == 0,
      "with the cgroup filesystem mounted read-only the container's cgroup2 directory was given to uid " +
          std::to_string(r.dir_owner));
}

CONFORMANCE_CASE(cgroup_ownership_delegation_scope, "config-linux.md#cgroup-ownership-5",
                 "config-linux.md#cgroup-ownership-6", "config-linux.md#cgroup-ownership-8") {
  // The scenario of -6: /sys/kernel/cgroup/delegate names files this
  // cgroup does not have (memory.* without the memory controller in v2).
  std::set<std::string> delegated = DelegatedFiles();
  OwnershipRun r = RunOwnership(c, /*cgroupns=*/true, /*rw=*/true);
  if (!r.skip.empty()) return c.SkipRest(r.skip);
  bool missing_listed = false;
  for (const auto& f : delegated) missing_listed |= f.rfind("memory.", 0) == 0;
  if (!missing_listed)
    c.Skip("config-linux.md#cgroup-ownership-6",
           "host: every delegated file exists in a container's cgroup2 directory");
  else
    c.Expect("config-linux.md#cgroup-ownership-6", r.error.empty(),
             "a writable cgroup mount in a user and cgroup namespace, with delegate listing absent files: " +
                 r.error);
  if (!r.error.empty()) return c.Abort(r.error);
  std::string others;
  for (const auto& f : r.other_files_not_root) others += f + " ";
  c.Expect("config-linux.md#cgroup-ownership-5", r.other_files_not_root.empty(),
           "files not listed in /sys/kernel/cgroup/delegate changed owner: " + others);
  c.Expect("config-linux.md#cgroup-ownership-8", r.other_files_not_root.empty() && r.parent_root,
           r.parent_root ? "files not listed in delegate changed owner: " + others
                         : "the parent cgroup changed owner");
}

// A unified (v2) key with no v1 equivalent cannot be converted on a host
// whose controllers are v1.
CONFORMANCE_CASE(unified_unconvertible_is_error, "config-linux.md#example-1") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->Linux()["resources"]["unified"]["conformance.nonexistent"] = "1";
  Container ct(c, *b);
  CommandResult r = ct.Create();
  bool gone = !c.runtime().State(b->id).ok();
  c.Expect("config-linux.md#example-1", !r.ok() && gone,
           r.ok() ? "unified {\"conformance.nonexistent\": \"1\"} was accepted"
                  : "the failed create left a container behind");
}

// `features` lists what the runtime supports: an empty list would say
// "none", which other cases show to be false for these.
CONFORMANCE_CASE(features_empty_is_not_unknown, "features.md#features-structure-2") {
  CommandResult r = c.runtime().Run({"features"});
  if (!r.ok()) return c.SkipRest("the runtime has no `features` command: " + r.Describe());
  auto j = json::Parse(r.out);
  if (!j) return c.Abort("`features` output is not JSON: " + j.error().ToString());
  std::string problems;
  for (const char* path :
       {"hooks", "mountOptions", "linux.namespaces", "linux.capabilities", "linux.seccomp.actions"}) {
    const json::Value* v = j->At(path);
    if (v && v->is_array() && v->size() == 0)
      problems += std::string(path) + " is [] (none supported), yet the suite uses it; ";
    if (v && !v->is_null() && !v->is_array()) problems += std::string(path) + " is " + v->Dump() + "; ";
  }
  c.Expect("features.md#features-structure-2", problems.empty(), problems);
}

}  // namespace berth::conformance
