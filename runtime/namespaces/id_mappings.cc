// Parent side: uid/gid maps of a child in a new user namespace.
#include <fcntl.h>
#include <linux/capability.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <utility>

#include "runtime/base/files.h"
#include "runtime/base/syscalls.h"
#include "runtime/namespaces/namespaces.h"

namespace berth::ns {
namespace {

// The kernel requires the whole map in a single write.
Status WriteProcFile(pid_t pid, const char* name, const std::string& text) {
  return base::WriteKernelFile("/proc/" + std::to_string(pid) + "/" + name, text);
}

bool HaveEffectiveCap(int cap) {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (sys::Capget(&header, data) != 0) return false;
  return (data[cap / 32].effective & (1u << (cap % 32))) != 0;
}

bool HaveEffectiveCapSetgid() { return HaveEffectiveCap(CAP_SETGID); }

// newuidmap/newgidmap (shadow's uidmap package) PID inside outside count...:
// setuid helpers that write the maps an unprivileged user may not write
// itself, as far as /etc/subuid and /etc/subgid allow; runc falls back to
// them the same way.
Status RunMapTool(const char* tool, pid_t child, const std::vector<spec::IdMapping>& mappings) {
  std::vector<std::string> args = {tool, std::to_string(child)};
  for (const auto& m : mappings) {
    args.push_back(std::to_string(m.containerID));
    args.push_back(std::to_string(m.hostID));
    args.push_back(std::to_string(m.size));
  }
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  int err = posix_spawnp(&pid, tool, nullptr, nullptr, argv.data(), environ);
  if (err != 0) return Error(err, std::string("run ") + tool + " (install the uidmap package)");
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return Error::Sys(std::string("wait for ") + tool);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return Error(EPERM, std::string(tool) + " " + std::to_string(child) + " failed (are the ids in /etc/sub" +
                            (std::string(tool) == "newuidmap" ? "uid" : "gid") + " for this user?)");
  return Ok();
}

// True for a map an unprivileged writer may write itself: its own id, once.
bool OnlyOwnId(const std::vector<spec::IdMapping>& mappings, unsigned own) {
  return mappings.size() == 1 && mappings[0].hostID == own && mappings[0].size == 1;
}

}  // namespace

std::string FormatIdMap(const std::vector<spec::IdMapping>& mappings) {
  std::string text;
  for (const auto& m : mappings) {
    text +=
        std::to_string(m.containerID) + " " + std::to_string(m.hostID) + " " + std::to_string(m.size) + "\n";
  }
  return text;
}

bool SameIdMap(std::string_view a, std::string_view b) {
  auto numbers = [](std::string_view text) {
    std::vector<std::string> out;
    std::string current;
    for (char ch : text) {
      if (ch == ' ' || ch == '\t' || ch == '\n') {
        if (!current.empty()) out.push_back(std::move(current));
        current.clear();
      } else {
        current += ch;
      }
    }
    if (!current.empty()) out.push_back(std::move(current));
    return out;
  };
  return numbers(a) == numbers(b);
}

Status CheckJoinedUserNamespaceMaps(const spec::Linux& linux_config, const std::string& proc) {
  const spec::Namespace* user = linux_config.FindNamespace(spec::NamespaceType::user);
  if (user == nullptr || user->path.empty()) return Ok();
  if (linux_config.uidMappings.empty() && linux_config.gidMappings.empty()) return Ok();
  const std::string prefix = "/proc/", suffix = "/ns/user";
  const std::string& path = user->path;
  if (!path.starts_with(prefix) || !path.ends_with(suffix) || path.size() <= prefix.size() + suffix.size())
    return Ok();
  std::string pid = path.substr(prefix.size(), path.size() - prefix.size() - suffix.size());
  if (pid.find_first_not_of("0123456789") != std::string::npos) return Ok();
  for (const auto& [file, mappings] :
       {std::pair{"uid_map", &linux_config.uidMappings}, std::pair{"gid_map", &linux_config.gidMappings}}) {
    if (mappings->empty()) continue;
    std::string map_path = proc + "/" + pid + "/" + file;
    int fd = open(map_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error::Sys("read the joined user namespace's " + map_path);
    std::string actual;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) actual.append(buf, static_cast<size_t>(n));
    close(fd);
    if (!SameIdMap(actual, FormatIdMap(*mappings))) {
      std::string field = std::string(file) == "uid_map" ? "linux.uidMappings" : "linux.gidMappings";
      return Error(EINVAL, field + " do not match the joined user namespace " + path + ", whose " + file +
                               " is \"" + std::string(actual.substr(0, actual.find_last_not_of('\n') + 1)) +
                               "\"");
    }
  }
  return Ok();
}

bool SetgroupsDenyRequired(bool writer_has_cap_setgid) { return !writer_has_cap_setgid; }

Status WriteIdMappings(pid_t child, const spec::Linux& linux_config) {
  const spec::Namespace* user = linux_config.FindNamespace(spec::NamespaceType::user);
  if (user == nullptr || !user->path.empty()) return Ok();  // no new user namespace
  if (linux_config.uidMappings.empty() || linux_config.gidMappings.empty())
    return Error(EINVAL, "a new user namespace needs linux.uidMappings and linux.gidMappings");
  Status uid = WriteProcFile(child, "uid_map", FormatIdMap(linux_config.uidMappings));
  if (!uid.ok()) {
    if (uid.error().code() != EPERM || HaveEffectiveCap(CAP_SETUID) ||
        OnlyOwnId(linux_config.uidMappings, geteuid()))
      return uid;
    BERTH_TRY_CTX(RunMapTool("newuidmap", child, linux_config.uidMappings), "linux.uidMappings");
  }
  const bool cap_setgid = HaveEffectiveCapSetgid();
  if (!cap_setgid && !OnlyOwnId(linux_config.gidMappings, getegid())) {
    // newgidmap refuses a namespace whose setgroups is already "deny".
    BERTH_TRY_CTX(RunMapTool("newgidmap", child, linux_config.gidMappings), "linux.gidMappings");
    return Ok();
  }
  if (SetgroupsDenyRequired(cap_setgid)) BERTH_TRY(WriteProcFile(child, "setgroups", "deny"));
  BERTH_TRY(WriteProcFile(child, "gid_map", FormatIdMap(linux_config.gidMappings)));
  return Ok();
}

}  // namespace berth::ns
