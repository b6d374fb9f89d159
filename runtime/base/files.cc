#include "runtime/base/files.h"

#include <fcntl.h>
#include <unistd.h>

namespace berth::base {

Status ReadAll(int fd, std::string& out) {
  char buf[16384];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::Sys("read");
    if (n == 0) return Ok();
    out.append(buf, static_cast<size_t>(n));
  }
}

Result<std::string> ReadFileText(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::Sys("open " + path);
  std::string out;
  Status read = ReadAll(fd, out);
  close(fd);
  if (!read) return Error(read.error().code(), "read " + path);
  return out;
}

}  // namespace berth::base
