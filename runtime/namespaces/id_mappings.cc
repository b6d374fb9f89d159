// Parent side: uid/gid maps of a child in a new user namespace.
#include <fcntl.h>
#include <linux/capability.h>
#include <unistd.h>

#include <string>
#include <utility>

#include "runtime/base/syscalls.h"
#include "runtime/namespaces/namespaces.h"

namespace berth::ns {
namespace {

Status WriteProcFile(pid_t pid, const char* name, const std::string& text) {
  std::string path = "/proc/" + std::to_string(pid) + "/" + name;
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Error::Sys("open " + path);
  // The kernel requires the whole map in a single write.
  ssize_t n = write(fd, text.data(), text.size());
  int saved = errno;
  close(fd);
  if (n < 0) return Error(saved, "write " + path);
  if (static_cast<size_t>(n) != text.size()) return Error("short write to " + path);
  return Ok();
}

bool HaveEffectiveCapSetgid() {
  __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
  __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};
  if (sys::Capget(&header, data) != 0) return false;
  return (data[CAP_SETGID / 32].effective & (1u << (CAP_SETGID % 32))) != 0;
}

}  // namespace

std::string FormatIdMap(const std::vector<spec::IdMapping>& mappings) {
  std::string text;
  for (const auto& m : mappings) {
    text += std::to_string(m.containerID) + " " + std::to_string(m.hostID) + " " +
            std::to_string(m.size) + "\n";
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
  for (const auto& [file, mappings] : {std::pair{"uid_map", &linux_config.uidMappings},
                                       std::pair{"gid_map", &linux_config.gidMappings}}) {
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
                               " is \"" + std::string(actual.substr(0, actual.find_last_not_of('\n') + 1)) + "\"");
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
  BERTH_TRY(WriteProcFile(child, "uid_map", FormatIdMap(linux_config.uidMappings)));
  if (SetgroupsDenyRequired(HaveEffectiveCapSetgid()))
    BERTH_TRY(WriteProcFile(child, "setgroups", "deny"));
  BERTH_TRY(WriteProcFile(child, "gid_map", FormatIdMap(linux_config.gidMappings)));
  return Ok();
}

}  // namespace berth::ns
