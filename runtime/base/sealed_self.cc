#include "runtime/base/sealed_self.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <string>

namespace berth::base {
namespace {

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#ifndef F_SEAL_EXEC
#define F_SEAL_EXEC 0x0020
#endif

constexpr const char* kSelfExe = "/proc/self/exe";
// What makes a memfd a safe place to run from: no write, no size change, and
// no way to remove or add seals later.
constexpr int kRequiredSeals = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;

// Closes the fd when it goes out of scope (every fd here is O_CLOEXEC, so a
// successful execve closes them too).
class ScopedFd {
 public:
  explicit ScopedFd(int fd) : fd_(fd) {}
  ~ScopedFd() {
    if (fd_ >= 0) close(fd_);
  }
  ScopedFd(const ScopedFd&) = delete;
  ScopedFd& operator=(const ScopedFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

Result<ExeProtection> ProtectionOf(int fd) {
  struct statfs fs;
  if (fstatfs(fd, &fs) != 0) return Error::Sys("fstatfs");
  if (fs.f_flags & ST_RDONLY) return ExeProtection::kReadOnlyMount;
  // F_GET_SEALS fails (EINVAL) on files that cannot be sealed, EBADF on O_PATH.
  int seals = fcntl(fd, F_GET_SEALS);
  if (seals >= 0 && (seals & kRequiredSeals) == kRequiredSeals) return ExeProtection::kSealedMemfd;
  return ExeProtection::kNone;
}

Status ExecFrom(int fd, char* const argv[], char* const envp[], ExeProtection expected) {
  // Never exec a view that the next run would not recognise as protected:
  // that would re-exec forever.
  auto got = ProtectionOf(fd);
  if (!got) return std::move(got).error();
  if (*got != expected)
    return Error(std::string("the ") + std::string(ExeProtectionName(expected)) +
                 " view of the binary is not protected");
  execveat(fd, "", argv, envp, AT_EMPTY_PATH);
  return Error::Sys("execveat");
}

// A detached bind mount of the binary alone, made read-only, then exec'd.
Status ReexecFromReadOnlyBind(char* const argv[], char* const envp[]) {
  ScopedFd tree(open_tree(AT_FDCWD, kSelfExe, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
  if (tree.get() < 0) return Error::Sys("open_tree(OPEN_TREE_CLONE) " + std::string(kSelfExe));
  struct mount_attr attr = {};
  attr.attr_set = MOUNT_ATTR_RDONLY;
  if (mount_setattr(tree.get(), "", AT_EMPTY_PATH, &attr, sizeof attr) != 0)
    return Error::Sys("mount_setattr(MOUNT_ATTR_RDONLY) on the bind of " + std::string(kSelfExe));
  return ExecFrom(tree.get(), argv, envp, ExeProtection::kReadOnlyMount);
}

// A memfd copy of the binary, sealed against any change, then exec'd.
Status ReexecFromSealedMemfd(char* const argv[], char* const envp[]) {
  ScopedFd source(open(kSelfExe, O_RDONLY | O_CLOEXEC));
  if (source.get() < 0) return Error::Sys("open " + std::string(kSelfExe));
  struct stat st;
  if (fstat(source.get(), &st) != 0) return Error::Sys("fstat " + std::string(kSelfExe));
  // MFD_EXEC: kernels with vm.memfd_noexec would otherwise make it non-executable.
  int mem = memfd_create("berth", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
  if (mem < 0 && errno == EINVAL) mem = memfd_create("berth", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  ScopedFd copy(mem);
  if (copy.get() < 0) return Error::Sys("memfd_create");
  for (off_t offset = 0; offset < st.st_size;) {
    ssize_t n = sendfile(copy.get(), source.get(), &offset, static_cast<size_t>(st.st_size - offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::Sys("copy " + std::string(kSelfExe) + " into a memfd");
    if (n == 0) return Error(EIO, "copy " + std::string(kSelfExe) + ": short read");
  }
  // F_SEAL_EXEC (6.3+) also freezes the mode; older kernels refuse it.
  if (fcntl(copy.get(), F_ADD_SEALS, kRequiredSeals | F_SEAL_EXEC) != 0 &&
      fcntl(copy.get(), F_ADD_SEALS, kRequiredSeals) != 0)
    return Error::Sys("seal the memfd copy of " + std::string(kSelfExe));
  return ExecFrom(copy.get(), argv, envp, ExeProtection::kSealedMemfd);
}

}  // namespace

std::string_view ExeProtectionName(ExeProtection protection) {
  switch (protection) {
    case ExeProtection::kNone: return "unprotected";
    case ExeProtection::kReadOnlyMount: return "read-only mount";
    case ExeProtection::kSealedMemfd: return "sealed memfd";
  }
  return "?";
}

Result<ExeProtection> CurrentExeProtection() {
  int fd = open(kSelfExe, O_RDONLY | O_CLOEXEC);
  // An execute-only binary cannot be read by a non-root caller: the mount
  // check alone still works on an O_PATH fd.
  if (fd < 0 && errno == EACCES) fd = open(kSelfExe, O_PATH | O_CLOEXEC);
  ScopedFd exe(fd);
  if (exe.get() < 0) return Error::Sys("open " + std::string(kSelfExe));
  auto protection = ProtectionOf(exe.get());
  if (!protection) return std::move(protection).error().Context(kSelfExe);
  return *protection;
}

Status ReexecFromProtectedSelf(char* const argv[], char* const envp[], ReexecMethod method) {
  auto current = CurrentExeProtection();
  if (!current) return std::move(current).error().Context("protect the berth binary (CVE-2019-5736)");
  if (*current != ExeProtection::kNone) return Ok();
  Error bind_error("not tried");
  if (method != ReexecMethod::kSealedMemfd) {
    Status bind = ReexecFromReadOnlyBind(argv, envp);
    if (method == ReexecMethod::kReadOnlyBind)
      return std::move(bind).error().Context("protect the berth binary (CVE-2019-5736)");
    bind_error = std::move(bind).error();
  }
  Status memfd = ReexecFromSealedMemfd(argv, envp);
  std::string why = "protect the berth binary (CVE-2019-5736)";
  if (method == ReexecMethod::kAuto) why += ": read-only bind: " + bind_error.ToString() + "; sealed memfd";
  return std::move(memfd).error().Context(why);
}

}  // namespace berth::base
