#include "runtime/container/fds.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>

namespace berth::container {
namespace {

Status CloseRange(unsigned first, unsigned last) {
  if (first > last) return Ok();
  if (syscall(SYS_close_range, first, last, 0) != 0) return Error::Sys("close_range");
  return Ok();
}

}  // namespace

Status CloseFdsForExec(int extra, int keep_cloexec) {
  for (int fd = 3; fd < 3 + extra; ++fd) {
    if (fcntl(fd, F_SETFD, 0) != 0)
      return Error::Sys("preserved fd " + std::to_string(fd) + " is not open");
  }
  unsigned first = 3 + extra;
  if (keep_cloexec >= static_cast<int>(first)) {
    BERTH_TRY(CloseRange(first, keep_cloexec - 1));
    return CloseRange(keep_cloexec + 1, UINT_MAX);
  }
  return CloseRange(first, UINT_MAX);
}

ExtraFds CountExtraFds(int preserve_fds) {
  ExtraFds extra;
  extra.preserve_fds = preserve_fds > 0 ? preserve_fds : 0;
  const char* fds = getenv("LISTEN_FDS");
  const char* pid = getenv("LISTEN_PID");
  if (fds && pid && std::atoi(pid) == getpid()) {
    int n = std::atoi(fds);
    if (n > 0) extra.listen_fds = n;
  }
  return extra;
}

int CountOpenFds() {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return -1;
  int count = 0;
  while (struct dirent* e = readdir(dir))
    if (e->d_name[0] != '.') ++count;
  closedir(dir);
  return count - 1;  // the directory's own fd
}

}  // namespace berth::container
