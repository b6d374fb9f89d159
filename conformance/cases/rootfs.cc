// The container's filesystem: root (path, readonly, pivot), mounts order and
// relative destinations, default filesystems, devices, /dev symlinks,
// masked and readonly paths, rootfs propagation, sysctl, hostname.
#include <dirent.h>

#include "conformance/cases/common.h"

namespace berth::conformance {

namespace json = spec::json;

CONFORMANCE_CASE(root_readonly_honoured, "config.md#root-5") {
  for (bool readonly : {true, false}) {
    auto b = NewBundleOrAbort(c);
    if (!b) return;
    b->config["root"]["readonly"] = readonly;
    b->SetArgs({"/probe", "write:/written-by-probe"});
    auto run = RunOrAbort(c, *b);
    if (!run) return;
    bool wrote = ActionOk(run->report, "write", "/written-by-probe");
    int err = ActionErrno(run->report, "write", "/written-by-probe");
    if (readonly)
      c.Expect("config.md#root-5", !wrote && err == EROFS,
               "root.readonly true but writing / gave errno " + std::to_string(err) +
                   (wrote ? " (write succeeded)" : ""));
    else
      c.Expect("config.md#root-5", wrote,
               "root.readonly false but writing / failed with errno " + std::to_string(err));
  }
}

CONFORMANCE_CASE(root_path_must_exist, "config.md#root-4", "runtime.md#lifecycle-2") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->config["root"]["path"] = "no-such-rootfs";
  Container ct(c, *b);
  CommandResult r = ct.Create();
  c.Expect("config.md#root-4", !r.ok(), "create succeeded with a root.path that does not exist");
  c.Expect("runtime.md#lifecycle-2", !r.ok(), "no error for an impossible root");
}

CONFORMANCE_CASE(pivot_root_confines_the_container, "runtime.md#create-4", "runtime.md#lifecycle-1") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  std::string sentinel = c.dir() + "/host-sentinel";
  if (!WriteFileText(sentinel, "host secret").ok()) return c.Abort("harness: write failed");
  std::string dotdot = "/../../../../../../../.." + sentinel;
  b->SetArgs({"/probe", "read:" + sentinel, "read:" + dotdot, "ls:/", "ls:/..", "chdir:/.."});
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  const json::Value& r = run->report;
  std::string problems;
  if (ActionOk(r, "read", sentinel)) problems += "the host file " + sentinel + " is readable inside; ";
  if (ActionOk(r, "read", dotdot)) problems += "the host file is reachable through ..; ";
  const json::Value* root = ActionResult(r, "ls", "/");
  const json::Value* up = ActionResult(r, "ls", "/..");
  if (!root || !up || (*root)["entries"].Dump() != (*up)["entries"].Dump())
    problems += "/.. lists differently from /; ";
  const json::Value* cd = ActionResult(r, "chdir", "/..");
  if (!cd || (*cd)["cwd"].as_string() != "/")
    problems += "cd /.. leads to " + (cd ? (*cd)["cwd"].Dump() : "?") + "; ";
  c.Expect("runtime.md#create-4", problems.empty(), problems);
  c.Expect("runtime.md#lifecycle-1", problems.empty(), problems);
}

CONFORMANCE_CASE(mounts_in_listed_order, "config.md#mounts-1") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  mkdir((b->rootfs + "/m").c_str(), 0755);
  mkdir((b->rootfs + "/m/a").c_str(), 0755);
  b->AddMount("/m/a", "tmpfs", "tmpfs", {"size=1m"});
  b->AddMount("/m/a/b", "tmpfs", "tmpfs", {"size=1m"});  // target exists only on the first tmpfs
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  auto outer = FindMount(run->report, "/m/a");
  auto inner = FindMount(run->report, "/m/a/b");
  c.Expect("config.md#mounts-1", outer && inner && inner->parent == outer->id,
           "expected /m/a/b mounted on top of the /m/a tmpfs: " +
               std::string(outer ? "outer ok" : "outer missing") + ", " +
               (inner ? "inner parent " + std::to_string(inner->parent) : std::string("inner missing")));
}

CONFORMANCE_CASE(relative_mount_destination, "config.md#mounts-3") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  mkdir((b->rootfs + "/m").c_str(), 0755);
  mkdir((b->rootfs + "/m/rel").c_str(), 0755);
  b->AddMount("m/rel", "tmpfs", "tmpfs", {"size=1m"});
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  c.Expect("config.md#mounts-3", FindMount(run->report, "/m/rel").has_value(),
           "the relative destination m/rel was not mounted at /m/rel");
}

CONFORMANCE_CASE(default_filesystems_available, "config-linux.md#default-filesystems-1") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  std::string missing;
  for (auto [point, type] :
       {std::pair{"/proc", "proc"}, {"/sys", "sysfs"}, {"/dev/pts", "devpts"}, {"/dev/shm", "tmpfs"}}) {
    auto m = FindMount(run->report, point);
    if (!m || m->fs_type != type) missing += std::string(point) + " (" + type + ") ";
  }
  c.Expect("config-linux.md#default-filesystems-1", missing.empty(), "missing: " + missing);
}

CONFORMANCE_CASE(configured_devices_created, "config-linux.md#devices-1") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  json::Value dev = json::Value::Object();
  dev["path"] = "/dev/conf-null";
  dev["type"] = "c";
  dev["major"] = 1;
  dev["minor"] = 3;
  dev["fileMode"] = 0620;
  dev["uid"] = 1000;
  dev["gid"] = 1001;
  json::Value blk = json::Value::Object();
  blk["path"] = "/dev/conf-loop";
  blk["type"] = "b";
  blk["major"] = 7;
  blk["minor"] = 0;
  json::Value fifo = json::Value::Object();
  fifo["path"] = "/dev/conf-fifo";
  fifo["type"] = "p";
  b->Linux()["devices"] = json::Value::Array({dev, blk, fifo});
  b->SetArgs({"/probe", "stat:/dev/conf-null", "stat:/dev/conf-loop", "stat:/dev/conf-fifo"});
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  auto st = [&](const char* path) -> json::Value {
    const json::Value* a = ActionResult(run->report, "stat", path);
    return a && a->Find("stat") ? *a->Find("stat") : json::Value();
  };
  std::string problems;
  json::Value n = st("/dev/conf-null");
  if (n["type"].as_string() != "char" || n["major"].as_int() != 1 || n["minor"].as_int() != 3 ||
      n["mode"].as_int() != 0620 || n["uid"].as_int() != 1000 || n["gid"].as_int() != 1001)
    problems += "/dev/conf-null " + n.Dump() + " (expected char 1:3 mode 0620 uid 1000 gid 1001); ";
  json::Value l = st("/dev/conf-loop");
  if (l["type"].as_string() != "block" || l["major"].as_int() != 7 || l["minor"].as_int() != 0)
    problems += "/dev/conf-loop " + l.Dump() + "; ";
  json::Value f = st("/dev/conf-fifo");
  if (f["type"].as_string() != "fifo") problems += "/dev/conf-fifo " + f.Dump() + "; ";
  c.Expect("config-linux.md#devices-1", problems.empty(), problems);
}

CONFORMANCE_CASE(device_path_conflict_is_error, "config-linux.md#devices-2") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  if (!WriteFileText(b->rootfs + "/conflict", "regular file").ok()) return c.Abort("harness: write failed");
  json::Value dev = json::Value::Object();
  dev["path"] = "/conflict";
  dev["type"] = "c";
  dev["major"] = 1;
  dev["minor"] = 5;
  b->Linux()["devices"] = json::Value::Array({dev});
  b->SetArgs({"/probe", "stat:/conflict"});
  Container ct(c, *b);
  CommandResult create = ct.Create();
  bool replaced = false;
  if (create.ok() && ct.Start().ok()) {
    ct.WaitExit(20000);
    if (auto rep = ct.Report()) {
      const json::Value* a = ActionResult(*rep, "stat", "/conflict");
      replaced = a && a->Find("stat") && (*a->Find("stat"))["type"].as_string() == "char";
    }
  }
  c.Expect("config-linux.md#devices-2", !create.ok(),
           std::string("a regular file at the device path did not generate an error") +
               (replaced ? " (it was replaced)" : ""));
}

CONFORMANCE_CASE(default_devices_supplied, "config-linux.md#default-devices-1") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  std::string problems;
  for (auto [name, major, minor] : {std::tuple{"/dev/null", 1, 3},
                                    {"/dev/zero", 1, 5},
                                    {"/dev/full", 1, 7},
                                    {"/dev/random", 1, 8},
                                    {"/dev/urandom", 1, 9},
                                    {"/dev/tty", 5, 0}}) {
    bool found = false;
    for (const auto& d : run->report["dev"].items) {
      if (d["path"].as_string() != name) continue;
      found = d["type"].as_string() == "char" && d["major"].as_int() == major && d["minor"].as_int() == minor;
      if (!found) problems += std::string(name) + " is " + d.Dump() + "; ";
    }
    if (!found && problems.find(name) == std::string::npos) problems += std::string(name) + " missing; ";
  }
  bool ptmx = false;
  for (const auto& d : run->report["dev"].items)
    if (d["path"].as_string() == "/dev/ptmx")
      ptmx = (d["type"].as_string() == "symlink" && d["target"].as_string() == "pts/ptmx") ||
             (d["type"].as_string() == "char" && d["major"].as_int() == 5 && d["minor"].as_int() == 2);
  if (!ptmx) problems += "/dev/ptmx is neither a symlink to pts/ptmx nor char 5:2; ";
  c.Expect("config-linux.md#default-devices-1", problems.empty(), problems);
}

namespace {

// How the image's /dev looks in the default-devices cases without a /dev mount.
enum class ImageDev { kAbsent, kEmptyDir, kSymlinkOutOfRootfs };

// The default config without any mount on /dev or beneath it, so the devices
// go into the image's /dev; with_userns adds a user namespace (identity maps
// of 65536 ids), where mknod is not allowed. Nothing may appear outside the
// rootfs, even when /dev is a symlink leading out of it.
void CheckDefaultDevicesWithoutDevMount(CaseContext& c, ImageDev layout, bool with_userns) {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  auto& mounts = b->config["mounts"].items;
  std::erase_if(mounts,
                [](const json::Value& m) { return m["destination"].as_string().starts_with("/dev"); });
  // Not the point here, and cgroup mounts depend on the host's layout (and,
  // in a user namespace, differ between runtimes).
  std::erase_if(mounts,
                [](const json::Value& m) { return m["destination"].as_string() == "/sys/fs/cgroup"; });
  if (with_userns) {
    b->AddNamespace("user");
    json::Value map = json::Value::Object();
    map["containerID"] = 0;
    map["hostID"] = 0;
    map["size"] = 65536;
    b->Linux()["uidMappings"] = json::Value::Array({map});
    b->Linux()["gidMappings"] = json::Value::Array({map});
  }
  std::string outside = c.dir() + "/outside-rootfs";
  if (mkdir(outside.c_str(), 0755) != 0) return c.Abort("cannot make " + outside);
  std::string dev = b->rootfs + "/dev";
  if (rmdir(dev.c_str()) != 0 && errno != ENOENT) return c.Abort("cannot remove the template's /dev");
  if (layout == ImageDev::kEmptyDir && mkdir(dev.c_str(), 0755) != 0) return c.Abort("cannot make /dev");
  if (layout == ImageDev::kSymlinkOutOfRootfs && symlink(outside.c_str(), dev.c_str()) != 0)
    return c.Abort("cannot make the /dev symlink");
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  std::string problems = DefaultDevicesProblems(run->report);
  DIR* dir = opendir(outside.c_str());
  for (struct dirent* e; dir && (e = readdir(dir));)
    if (e->d_name[0] != '.') problems += outside + "/" + e->d_name + " was created outside the rootfs; ";
  if (dir) closedir(dir);
  c.Expect("config-linux.md#default-devices-1", problems.empty(), problems);
}

}  // namespace

CONFORMANCE_CASE(default_devices_without_dev_mount_or_dev_dir, "config-linux.md#default-devices-1") {
  CheckDefaultDevicesWithoutDevMount(c, ImageDev::kAbsent, false);
}

CONFORMANCE_CASE(default_devices_in_empty_image_dev, "config-linux.md#default-devices-1") {
  CheckDefaultDevicesWithoutDevMount(c, ImageDev::kEmptyDir, false);
}

CONFORMANCE_CASE(default_devices_dev_symlink_out_of_rootfs, "config-linux.md#default-devices-1") {
  CheckDefaultDevicesWithoutDevMount(c, ImageDev::kSymlinkOutOfRootfs, false);
}

CONFORMANCE_CASE(default_devices_without_dev_mount_in_user_namespace, "config-linux.md#default-devices-1") {
  CheckDefaultDevicesWithoutDevMount(c, ImageDev::kEmptyDir, true);
}

CONFORMANCE_CASE(dev_symlinks_created, "runtime-linux.md#dev-symbolic-links-1") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  std::string problems;
  for (auto [link, target] : {std::pair{"/dev/fd", "/proc/self/fd"},
                              {"/dev/stdin", "/proc/self/fd/0"},
                              {"/dev/stdout", "/proc/self/fd/1"},
                              {"/dev/stderr", "/proc/self/fd/2"}}) {
    bool ok = false;
    for (const auto& d : run->report["dev"].items)
      if (d["path"].as_string() == link)
        ok = d["type"].as_string() == "symlink" && d["target"].as_string() == target;
    if (!ok) problems += std::string(link) + " -> " + target + " missing; ";
  }
  c.Expect("runtime-linux.md#dev-symbolic-links-1", problems.empty(), problems);
}

CONFORMANCE_CASE(masked_paths_hidden, "runtime.md#create-4") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  mkdir((b->rootfs + "/masked-dir").c_str(), 0755);
  if (!WriteFileText(b->rootfs + "/masked-dir/secret", "secret").ok() ||
      !WriteFileText(b->rootfs + "/masked-file", "secret").ok())
    return c.Abort("harness: write failed");
  b->Linux()["maskedPaths"].Push("/masked-dir");
  b->Linux()["maskedPaths"].Push("/masked-file");
  b->SetArgs({"/probe", "read:/masked-file", "ls:/masked-dir", "read:/proc/kcore", "ls:/sys/firmware"});
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  const json::Value& r = run->report;
  std::string problems;
  if (ActionData(r, "read", "/masked-file").find("secret") != std::string::npos)
    problems += "/masked-file readable; ";
  const json::Value* ls = ActionResult(r, "ls", "/masked-dir");
  if (!ls || (*ls)["entries"].size() != 0)
    problems += "/masked-dir lists " + (ls ? (*ls)["entries"].Dump() : "?") + "; ";
  if (!ActionData(r, "read", "/proc/kcore").empty()) problems += "/proc/kcore readable; ";
  const json::Value* fw = ActionResult(r, "ls", "/sys/firmware");
  if (fw && (*fw)["entries"].size() != 0) problems += "/sys/firmware lists " + (*fw)["entries"].Dump() + "; ";
  c.Expect("runtime.md#create-4", problems.empty(), problems);
}

CONFORMANCE_CASE(readonly_paths_read_only, "runtime.md#create-4") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->config["root"]["readonly"] = false;
  mkdir((b->rootfs + "/ro-dir").c_str(), 0755);
  b->Linux()["readonlyPaths"].Push("/ro-dir");
  b->SetArgs({"/probe", "write:/ro-dir/x", "write:/rw-file", "write:/proc/sys/kernel/domainname",
              "read:/proc/sys/kernel/ostype"});
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  const json::Value& r = run->report;
  std::string problems;
  if (ActionOk(r, "write", "/ro-dir/x") || ActionErrno(r, "write", "/ro-dir/x") != EROFS)
    problems += "/ro-dir writable (errno " + std::to_string(ActionErrno(r, "write", "/ro-dir/x")) + "); ";
  if (!ActionOk(r, "write", "/rw-file")) problems += "the rest of the root is not writable; ";
  if (ActionOk(r, "write", "/proc/sys/kernel/domainname")) problems += "/proc/sys writable; ";
  if (!ActionOk(r, "read", "/proc/sys/kernel/ostype")) problems += "/proc/sys unreadable; ";
  c.Expect("runtime.md#create-4", problems.empty(), problems);
}

CONFORMANCE_CASE(rootfs_propagation_applied, "runtime.md#create-4") {
  for (const char* mode : {"private", "unbindable"}) {
    auto b = NewBundleOrAbort(c);
    if (!b) return;
    b->Linux()["rootfsPropagation"] = mode;
    auto run = RunOrAbort(c, *b);
    if (!run) return;
    auto root = FindMount(run->report, "/");
    c.Expect("runtime.md#create-4", root && root->Propagation() == mode,
             std::string("rootfsPropagation ") + mode + ": / is " + (root ? root->Propagation() : "missing"));
  }
}

CONFORMANCE_CASE(sysctl_applied_and_validated, "runtime.md#create-4", "config.md#valid-values-1") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->Linux()["sysctl"]["net.ipv4.ip_forward"] = "1";
  b->Linux()["sysctl"]["kernel.msgmax"] = "12345";
  b->SetArgs({"/probe", "read:/proc/sys/net/ipv4/ip_forward", "read:/proc/sys/kernel/msgmax"});
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  std::string fwd = ActionData(run->report, "read", "/proc/sys/net/ipv4/ip_forward");
  std::string msgmax = ActionData(run->report, "read", "/proc/sys/kernel/msgmax");
  c.Expect("runtime.md#create-4", fwd == "1\n" && msgmax == "12345\n",
           "ip_forward " + Quote(fwd) + ", msgmax " + Quote(msgmax) + " (expected 1 and 12345)");
  // A sysctl that is not namespaced must not be applied to the host.
  auto b2 = NewBundleOrAbort(c);
  if (!b2) return;
  b2->Linux()["sysctl"]["kernel.panic_on_oops"] = "0";
  Container ct(c, *b2);
  CommandResult r = ct.Create();
  c.Expect("config.md#valid-values-1", !r.ok(), "a host-wide sysctl (kernel.panic_on_oops) was accepted");
}

CONFORMANCE_CASE(hostname_and_domainname_set, "runtime.md#create-4") {
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->config["hostname"] = "conf-host";
  b->config["domainname"] = "conf.example";
  char host_before[256] = "";
  gethostname(host_before, sizeof host_before - 1);
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  char host_after[256] = "";
  gethostname(host_after, sizeof host_after - 1);
  c.Expect("runtime.md#create-4",
           run->report["hostname"].as_string() == "conf-host" &&
               run->report["domainname"].as_string() == "conf.example" &&
               std::string(host_before) == host_after,
           "hostname " + Field(run->report, "hostname") + ", domainname " + Field(run->report, "domainname") +
               "; host hostname " + host_before + " -> " + host_after);
}

}  // namespace berth::conformance
