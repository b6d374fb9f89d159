#include "conformance/harness/bundle.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "conformance/harness/process.h"

namespace berth::conformance {
namespace {

Status MkdirAll(const std::string& path, mode_t mode) {
  std::string cur;
  for (size_t i = 0; i <= path.size(); ++i) {
    if (i == path.size() || (path[i] == '/' && i > 0)) {
      cur = path.substr(0, i);
      if (mkdir(cur.c_str(), mode) != 0 && errno != EEXIST) return Error::Sys("mkdir " + cur);
    }
  }
  return Ok();
}

Status CopyFile(const std::string& from, const std::string& to, mode_t mode) {
  auto data = ReadFileText(from);
  if (!data) return std::move(data).error();
  return WriteFileText(to, *data, static_cast<int>(mode));
}

}  // namespace

Status BuildTemplateRootfs(const std::string& dir, const std::string& busybox, const std::string& probe) {
  for (const char* sub : {"bin", "sbin", "usr/bin", "proc", "sys", "dev", "tmp", "etc", "root", "run", "mnt"})
    BERTH_TRY(MkdirAll(dir + "/" + sub, 0755));
  chmod((dir + "/tmp").c_str(), 01777);
  BERTH_TRY(CopyFile(busybox, dir + "/bin/busybox", 0755));
  BERTH_TRY(CopyFile(probe, dir + "/probe", 0755));
  CommandResult list = RunCommand({busybox, "--list"});
  if (!list.ok()) return Error(list.Describe());
  size_t start = 0;
  while (start < list.out.size()) {
    size_t nl = list.out.find('\n', start);
    if (nl == std::string::npos) nl = list.out.size();
    std::string applet = list.out.substr(start, nl - start);
    start = nl + 1;
    if (applet.empty() || applet == "busybox") continue;
    std::string link = dir + "/bin/" + applet;
    if (symlink("busybox", link.c_str()) != 0 && errno != EEXIST) return Error::Sys("symlink " + link);
  }
  BERTH_TRY(WriteFileText(dir + "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n"));
  BERTH_TRY(WriteFileText(dir + "/etc/group", "root:x:0:\nnogroup:x:65534:\n"));
  BERTH_TRY(WriteFileText(dir + "/etc/hostname", "template\n"));
  return Ok();
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

Json DefaultConfig(const std::string& container_id) {
  Json c = Json::Object();
  c["ociVersion"] = "1.0.2";
  Json& p = c["process"];
  p["terminal"] = false;
  p["user"]["uid"] = 0;
  p["user"]["gid"] = 0;
  p["args"] = Json::Strings({"/probe"});
  p["env"] = Json::Strings({"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"});
  p["cwd"] = "/";
  Json caps = Json::Strings({"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"});
  p["capabilities"]["bounding"] = caps;
  p["capabilities"]["effective"] = caps;
  p["capabilities"]["permitted"] = caps;
  Json nofile = Json::Object();
  nofile["type"] = "RLIMIT_NOFILE";
  nofile["hard"] = 1024;
  nofile["soft"] = 1024;
  p["rlimits"] = Json::Array({nofile});
  p["noNewPrivileges"] = true;
  c["root"]["path"] = "rootfs";
  c["root"]["readonly"] = true;
  c["hostname"] = "conformance";
  c["mounts"] = Json::Array();
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
  Json& l = b.config["linux"];
  Json deny = Json::Object();
  deny["allow"] = false;
  deny["access"] = "rwm";
  l["resources"]["devices"] = Json::Array({deny});
  l["cgroupsPath"] = "/conformance/" + container_id;
  for (const char* ns : {"pid", "network", "ipc", "uts", "mount"}) b.AddNamespace(ns);
  l["maskedPaths"] = Json::Strings({"/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys",
                                    "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats",
                                    "/proc/sched_debug", "/sys/firmware", "/proc/scsi"});
  l["readonlyPaths"] = Json::Strings({"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"});
  return b.config;
}

Status Bundle::Write() const { return WriteFileText(dir + "/config.json", config.Dump(true) + "\n"); }

void Bundle::SetArgs(const std::vector<std::string>& args) { config["process"]["args"] = Json::Strings(args); }

void Bundle::RemoveNamespace(const std::string& type) {
  Json& list = config["linux"]["namespaces"];
  auto& items = list.items();
  for (auto it = items.begin(); it != items.end();) {
    const Json* t = it->Find("type");
    if (t && t->as_string() == type) it = items.erase(it);
    else ++it;
  }
}

void Bundle::AddNamespace(const std::string& type, const std::string& path) {
  RemoveNamespace(type);
  Json ns = Json::Object();
  ns["type"] = type;
  if (!path.empty()) ns["path"] = path;
  config["linux"]["namespaces"].Push(std::move(ns));
}

void Bundle::AddMount(const std::string& destination, const std::string& type, const std::string& source,
                      const std::vector<std::string>& options) {
  Json m = Json::Object();
  m["destination"] = destination;
  if (!type.empty()) m["type"] = type;
  m["source"] = source;
  if (!options.empty()) m["options"] = Json::Strings(options);
  config["mounts"].Push(std::move(m));
}

}  // namespace berth::conformance
