#include "spec/input_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace berth::spec {
namespace {

const char* FileKind(mode_t mode) {
  switch (mode & S_IFMT) {
    case S_IFIFO: return "a FIFO";
    case S_IFCHR: return "a character device";
    case S_IFBLK: return "a block device";
    case S_IFSOCK: return "a socket";
    case S_IFDIR: return "a directory";
    case S_IFLNK: return "a symbolic link";
  }
  return "not a regular file";
}

std::string SizeText(size_t bytes) {
  if (bytes % (1u << 20) == 0) return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Result<std::string> ReadInputFile(const std::string& path, size_t max_bytes) {
  // O_PATH opens nothing: no FIFO rendezvous, no device open routine.
  Fd where(open(path.c_str(), O_PATH | O_CLOEXEC));
  if (where.get() < 0) return Error::Sys("open " + path);
  struct stat st;
  if (fstat(where.get(), &st) != 0) return Error::Sys("stat " + path);
  if (!S_ISREG(st.st_mode))
    return Error(EINVAL, path + " is " + FileKind(st.st_mode) + ", not a regular file");
  if (static_cast<unsigned long long>(st.st_size) > max_bytes)
    return Error(EFBIG, path + " is larger than the " + SizeText(max_bytes) + " limit (" +
                            std::to_string(st.st_size) + " bytes)");
  // Reopened through the checked fd, so the file read is the file checked.
  std::string self = "/proc/self/fd/" + std::to_string(where.get());
  Fd fd(open(self.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (fd.get() < 0) return Error::Sys("open " + path);
  std::string text;
  text.reserve(static_cast<size_t>(st.st_size));
  char buf[65536];
  for (;;) {
    ssize_t n = read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::Sys("read " + path);
    if (n == 0) break;
    // A file growing while it is read is still held to the limit.
    if (text.size() + static_cast<size_t>(n) > max_bytes)
      return Error(EFBIG, path + " is larger than the " + SizeText(max_bytes) + " limit");
    text.append(buf, static_cast<size_t>(n));
  }
  return text;
}

}  // namespace berth::spec
