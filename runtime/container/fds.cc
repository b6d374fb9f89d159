#include "runtime/container/fds.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>

namespace berth::container {

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
