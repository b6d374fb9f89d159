#include "runtime/rootfs/copy_tree.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "runtime/base/unique_fd.h"

namespace berth::rootfs {

using base::UniqueFd;
namespace {

constexpr int kMaxDepth = 128;

Status CopyFileContents(int src_dir, int dst_dir, const char* name, mode_t mode) {
  int in = openat(src_dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (in < 0) return Error::Sys(std::string("open ") + name);
  UniqueFd src(in);
  int out = openat(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
  if (out < 0) return Error::Sys(std::string("create ") + name);
  UniqueFd dst(out);
  char buf[65536];
  for (;;) {
    ssize_t n = read(src.get(), buf, sizeof(buf));
    if (n < 0) return Error::Sys(std::string("read ") + name);
    if (n == 0) break;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(dst.get(), buf + off, static_cast<size_t>(n - off));
      if (w < 0) return Error::Sys(std::string("write ") + name);
      off += w;
    }
  }
  return Ok();
}

// Owner, mode (not for symlinks) and timestamps of one copied entry.
Status CopyAttributes(int dst_dir, const char* name, const struct stat& st) {
  if (fchownat(dst_dir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) != 0)
    return Error::Sys(std::string("chown ") + name);
  if (!S_ISLNK(st.st_mode) && fchmodat(dst_dir, name, st.st_mode & 07777, 0) != 0)
    return Error::Sys(std::string("chmod ") + name);
  const struct timespec times[2] = {st.st_atim, st.st_mtim};
  if (utimensat(dst_dir, name, times, AT_SYMLINK_NOFOLLOW) != 0)
    return Error::Sys(std::string("set times of ") + name);
  return Ok();
}

Status CopyDir(int src_dir, int dst_dir, int depth) {
  if (depth > kMaxDepth) return Error(ELOOP, "copy: directory tree too deep");
  int listing = openat(src_dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (listing < 0) return Error::Sys("open directory to copy");
  DIR* dir = fdopendir(listing);
  if (dir == nullptr) {
    close(listing);
    return Error::Sys("read directory to copy");
  }
  Status status;
  while (struct dirent* entry = readdir(dir)) {
    const char* name = entry->d_name;
    if (std::string_view(name) == "." || std::string_view(name) == "..") continue;
    struct stat st;
    if (fstatat(src_dir, name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      status = Error::Sys(std::string("stat ") + name);
      break;
    }
    if (S_ISDIR(st.st_mode)) {
      if (mkdirat(dst_dir, name, 0700) != 0) {
        status = Error::Sys(std::string("mkdir ") + name);
        break;
      }
      int s = openat(src_dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      int d = openat(dst_dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      UniqueFd sub_src(s), sub_dst(d);
      if (s < 0 || d < 0) {
        status = Error::Sys(std::string("open ") + name);
        break;
      }
      status = CopyDir(sub_src.get(), sub_dst.get(), depth + 1);
    } else if (S_ISREG(st.st_mode)) {
      status = CopyFileContents(src_dir, dst_dir, name, 0600);
    } else if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n = readlinkat(src_dir, name, target.data(), target.size());
      if (n < 0 || static_cast<size_t>(n) >= target.size()) {
        status = Error(n < 0 ? errno : EIO, std::string("readlink ") + name);
        break;
      }
      target.resize(static_cast<size_t>(n));
      if (symlinkat(target.c_str(), dst_dir, name) != 0) status = Error::Sys(std::string("symlink ") + name);
    } else {
      if (mknodat(dst_dir, name, st.st_mode & S_IFMT, st.st_rdev) != 0)
        status = Error::Sys(std::string("mknod ") + name);
    }
    if (status) status = CopyAttributes(dst_dir, name, st);
    if (!status) break;
  }
  closedir(dir);
  return status;
}

}  // namespace

Status CopyTree(int src_dir, int dst_dir) {
  BERTH_TRY(CopyDir(src_dir, dst_dir, 0));
  // The directory itself: owner and mode of the source.
  struct stat st;
  if (fstat(src_dir, &st) != 0) return Error::Sys("stat source directory");
  if (fchownat(dst_dir, "", st.st_uid, st.st_gid, AT_EMPTY_PATH) != 0)
    return Error::Sys("chown copied directory");
  int real = openat(dst_dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (real < 0) return Error::Sys("open copied directory");
  UniqueFd dst(real);
  if (fchmod(dst.get(), st.st_mode & 07777) != 0) return Error::Sys("chmod copied directory");
  return Ok();
}

}  // namespace berth::rootfs
