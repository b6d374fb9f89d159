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

Status WriteKernelFile(const std::string& path, std::string_view text) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return Error::Sys("open " + path);
  ssize_t n = write(fd, text.data(), text.size());
  int saved = errno;
  close(fd);
  if (n < 0) return Error(saved, "write " + path);
  if (static_cast<size_t>(n) != text.size()) return Error(EIO, "short write to " + path);
  return Ok();
}

}  // namespace berth::base
