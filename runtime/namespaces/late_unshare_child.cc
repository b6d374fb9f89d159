// Child side: cgroup and time namespaces, unshared after the parent has
// placed the child in its cgroup.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <string>

#include "runtime/namespaces/namespaces.h"

namespace berth::ns {

Result<std::string> FormatTimeOffsets(const std::map<std::string, spec::TimeOffset>& offsets) {
  std::string text;
  for (const auto& [clock, offset] : offsets) {
    if (clock != "monotonic" && clock != "boottime")
      return Error(EINVAL, "linux.timeOffsets: unknown clock \"" + clock + "\" (monotonic or boottime)");
    if (offset.nanosecs >= 1000000000u)
      return Error(EINVAL, "linux.timeOffsets." + clock + ".nanosecs must be < 1000000000");
    text += clock + " " + std::to_string(offset.secs) + " " + std::to_string(offset.nanosecs) + "\n";
  }
  return text;
}

Status UnshareLateNamespaces(const spec::Linux& linux_config) {
  const spec::Namespace* cgroup = linux_config.FindNamespace(spec::NamespaceType::cgroup);
  if (cgroup != nullptr && cgroup->path.empty()) {
    if (unshare(CLONE_NEWCGROUP) != 0) return Error::Sys("unshare cgroup namespace");
  }
  const spec::Namespace* time = linux_config.FindNamespace(spec::NamespaceType::time);
  bool new_time = time != nullptr && time->path.empty();
  if (!linux_config.timeOffsets.empty() && !new_time)
    return Error(EINVAL, "linux.timeOffsets needs a new time namespace");
  if (!new_time) return Ok();
  std::string text = BERTH_TRY(FormatTimeOffsets(linux_config.timeOffsets));
  if (unshare(CLONE_NEWTIME) != 0) return Error::Sys("unshare time namespace");
  // The new namespace is this process's "time for children" until execve
  // moves it in; offsets can be written until a process enters it.
  if (text.empty()) return Ok();
  int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Error::Sys("open /proc/self/timens_offsets");
  ssize_t n = write(fd, text.data(), text.size());
  int saved = errno;
  close(fd);
  if (n != static_cast<ssize_t>(text.size()))
    return Error(n < 0 ? saved : EIO, "write /proc/self/timens_offsets");
  return Ok();
}

}  // namespace berth::ns
