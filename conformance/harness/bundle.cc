#include "conformance/harness/bundle.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "conformance/harness/process.h"
#include "testing/busybox_rootfs.h"

namespace berth::conformance {

namespace json = spec::json;
namespace {

Status CopyFile(const std::string& from, const std::string& to, mode_t mode) {
  auto data = ReadFileText(from);
  if (!data) return std::move(data).error();
  return WriteFileText(to, *data, static_cast<int>(mode));
}

}  // namespace

Status BuildTemplateRootfs(const std::string& dir, const std::string& busybox, const std::string& probe) {
  testing::RootfsLayout layout;
  layout.busybox = busybox;
  layout.files = {{"probe", probe}};
  BERTH_TRY(testing::BuildRootfs(dir, layout));
  return WriteFileText(dir + "/etc/hostname", "template\n");
}

Status CopyRootfs(const std::string& template_dir, const std::string& dest) {
  struct stat st;
  if (lstat(template_dir.c_str(), &st) != 0) return Error::Sys("lstat " + template_dir);
  if (mkdir(dest.c_str(), st.st_mode & 07777) != 0 && errno != EEXIST) return Error::Sys("mkdir " + dest);
  chmod(dest.c_str(), st.st_mode & 07777);
  DIR* dir = opendir(template_dir.c_str());
  if (!dir) return Error::Sys("opendir " + template_dir);
  std::vector<std::string> names;
  for (struct dirent* e; (e = readdir(dir));)
    if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) names.emplace_back(e->d_name);
  closedir(dir);
  for (const auto& name : names) {
    std::string from = template_dir + "/" + name, to = dest + "/" + name;
    if (lstat(from.c_str(), &st) != 0) return Error::Sys("lstat " + from);
    if (S_ISDIR(st.st_mode)) {
      BERTH_TRY(CopyRootfs(from, to));
    } else if (S_ISLNK(st.st_mode)) {
      char target[4096];
      ssize_t n = readlink(from.c_str(), target, sizeof target - 1);
      if (n < 0) return Error::Sys("readlink " + from);
      target[n] = '\0';
      if (symlink(target, to.c_str()) != 0) return Error::Sys("symlink " + to);
    } else if (name == "busybox") {
      if (link(from.c_str(), to.c_str()) != 0) BERTH_TRY(CopyFile(from, to, st.st_mode & 07777));
    } else {
      BERTH_TRY(CopyFile(from, to, st.st_mode & 07777));
    }
  }
  return Ok();
}

json::Value DefaultConfig(const std::string& container_id) {
  json::Value c = json::Value::Object();
  c["ociVersion"] = "1.0.2";
  json::Value& p = c["process"];
  p["terminal"] = false;
  p["user"]["uid"] = 0;
  p["user"]["gid"] = 0;
  p["args"] = json::Value::Strings({"/probe"});
  p["env"] = json::Value::Strings({"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"});
  p["cwd"] = "/";
  json::Value caps = json::Value::Strings({"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
  p["capabilities"]["bounding"] = caps;
  p["capabilities"]["effective"] = caps;
  p["capabilities"]["permitted"] = caps;
  json::Value nofile = json::Value::Object();
  nofile["type"] = "RLIMIT_NOFILE";
  nofile["hard"] = 1024;
  nofile["soft"] = 1024;
  p["rlimits"] = json::Value::Array({nofile});
  p["noNewPrivileges"] = true;
  c["root"]["path"] = "rootfs";
  c["root"]["readonly"] = true;
  c["hostname"] = "conformance";
  c["mounts"] = json::Value::Array();
  Bundle b;
  b.config = std::move(c);
  b.AddMount("/proc", "proc", "proc", {});
  b.AddMount("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"});
  b.AddMount("/dev/pts", "devpts", "devpts",
             {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"});
  b.AddMount("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"});
  b.AddMount("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"});
  b.AddMount("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"});
  b.AddMount("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"});
  json::Value& l = b.config["linux"];
  json::Value deny = json::Value::Object();
  deny["allow"] = false;
  deny["access"] = "rwm";
  l["resources"]["devices"] = json::Value::Array({deny});
  l["cgroupsPath"] = "/conformance/" + container_id;
  for (const char* ns : {"pid", "network", "ipc", "uts", "mount"}) b.AddNamespace(ns);
  l["maskedPaths"] = json::Value::Strings({"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                                           "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                                           "/proc/sched_debug", "/sys/firmware", "/proc/scsi"});
  l["readonlyPaths"] =
      json::Value::Strings({"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"});
  return b.config;
}

Status Bundle::Write() const { return WriteFileText(dir + "/config.json", config.Dump(true) + "\n"); }

void Bundle::SetArgs(const std::vector<std::string>& args) {
  config["process"]["args"] = json::Value::Strings(args);
}

void Bundle::RemoveNamespace(const std::string& type) {
  json::Value& list = config["linux"]["namespaces"];
  auto& items = list.items;
  for (auto it = items.begin(); it != items.end();) {
    const json::Value* t = it->Find("type");
    if (t && t->as_string() == type)
      it = items.erase(it);
    else
      ++it;
  }
}

void Bundle::AddNamespace(const std::string& type, const std::string& path) {
  RemoveNamespace(type);
  json::Value ns = json::Value::Object();
  ns["type"] = type;
  if (!path.empty()) ns["path"] = path;
  config["linux"]["namespaces"].Push(std::move(ns));
}

void Bundle::AddMount(const std::string& destination, const std::string& type, const std::string& source,
                      const std::vector<std::string>& options) {
  json::Value m = json::Value::Object();
  m["destination"] = destination;
  if (!type.empty()) m["type"] = type;
  m["source"] = source;
  if (!options.empty()) m["options"] = json::Value::Strings(options);
  config["mounts"].Push(std::move(m));
}

}  // namespace berth::conformance
