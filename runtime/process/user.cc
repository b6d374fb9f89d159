#include "runtime/process/user.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace berth::process {
namespace {

// In a user namespace whose gid_map was written without CAP_SETGID the
// kernel forbids setgroups; /proc/self/setgroups then reads "deny".
bool SetgroupsDenied() {
  int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[16] = {};
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  return n >= 4 && std::string(buf, 4) == "deny";
}

}  // namespace

Status SetUser(const spec::User& user) {
  std::vector<gid_t> groups(user.additionalGids.begin(), user.additionalGids.end());
  if (setgroups(groups.size(), groups.data()) != 0) {
    int saved = errno;
    if (!(saved == EPERM && groups.empty() && SetgroupsDenied())) {
      std::string list;
      for (gid_t g : groups) list += (list.empty() ? "" : ",") + std::to_string(g);
      return Error(saved, "setgroups [" + list + "]");
    }
  }
  // Keep the permitted set across the uid change; ApplyCapabilities decides
  // what remains. Cleared again afterwards so execve behaves normally.
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return Error::Sys("prctl(PR_SET_KEEPCAPS, 1)");
  if (setresgid(user.gid, user.gid, user.gid) != 0)
    return Error::Sys("setresgid " + std::to_string(user.gid));
  if (setresuid(user.uid, user.uid, user.uid) != 0)
    return Error::Sys("setresuid " + std::to_string(user.uid));
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) return Error::Sys("prctl(PR_SET_KEEPCAPS, 0)");
  if (user.umask) umask(static_cast<mode_t>(*user.umask & 07777));
  return Ok();
}

}  // namespace berth::process
