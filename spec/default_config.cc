#include "spec/default_config.h"

#include <unistd.h>

namespace berth::spec {

namespace {

Mount M(std::string destination, std::string type, std::string source, std::vector<std::string> options) {
  Mount m;
  m.destination = std::move(destination);
  m.type = std::move(type);
  m.source = std::move(source);
  m.options = std::move(options);
  return m;
}

}  // namespace

Config DefaultConfig(bool rootless) {
  Config c;
  c.ociVersion = std::string(kOciVersion);

  Process& p = c.process.emplace();
  p.terminal = true;
  p.args = {"sh"};
  p.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm"};
  p.cwd = "/";
  // No inheritable set: file capabilities must not be gained on exec
  // (CVE-2022-29162). Ambient as runc 1.1.5 writes it.
  const std::vector<std::string> caps = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  Capabilities& cap = p.capabilities.emplace();
  cap.bounding = caps;
  cap.effective = caps;
  cap.permitted = caps;
  cap.ambient = caps;
  p.rlimits = {Rlimit{"RLIMIT_NOFILE", 1024, 1024}};
  p.noNewPrivileges = true;

  c.root = Root{"rootfs", true};
  c.hostname = "berth";

  std::vector<std::string> devpts_opts = {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"};
  if (!rootless) devpts_opts.push_back("gid=5");
  c.mounts = {
      M("/proc", "proc", "proc", {}),
      M("/dev", "tmpfs", "tmpfs", {"nosuid", "strictatime", "mode=755", "size=65536k"}),
      M("/dev/pts", "devpts", "devpts", devpts_opts),
      M("/dev/shm", "tmpfs", "shm", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}),
      M("/dev/mqueue", "mqueue", "mqueue", {"nosuid", "noexec", "nodev"}),
      rootless ? M("/sys", "none", "/sys", {"rbind", "nosuid", "noexec", "nodev", "ro"})
               : M("/sys", "sysfs", "sysfs", {"nosuid", "noexec", "nodev", "ro"}),
      M("/sys/fs/cgroup", "cgroup", "cgroup", {"nosuid", "noexec", "nodev", "relatime", "ro"}),
  };

  Linux& l = c.linux_.emplace();
  if (rootless) {
    l.uidMappings = {IdMapping{0, static_cast<uint32_t>(geteuid()), 1}};
    l.gidMappings = {IdMapping{0, static_cast<uint32_t>(getegid()), 1}};
  } else {
    Resources& r = l.resources.emplace();
    r.devices = {DeviceCgroupRule{false, "", std::nullopt, std::nullopt, "rwm"}};
  }
  l.namespaces.push_back({NamespaceType::pid, ""});
  if (!rootless) l.namespaces.push_back({NamespaceType::network, ""});
  l.namespaces.push_back({NamespaceType::ipc, ""});
  l.namespaces.push_back({NamespaceType::uts, ""});
  l.namespaces.push_back({NamespaceType::mount, ""});
  if (rootless) l.namespaces.push_back({NamespaceType::user, ""});
  l.maskedPaths = {"/proc/acpi",          "/proc/asound",     "/proc/kcore",       "/proc/keys",
                   "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                   "/sys/firmware",       "/proc/scsi"};
  l.readonlyPaths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
  return c;
}

}  // namespace berth::spec
