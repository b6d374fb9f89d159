#include "runtime/rootfs/resolve.h"
#include "runtime/base/syscalls.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <unistd.h>

#include <deque>
#include <vector>

namespace berth::rootfs {
namespace {

constexpr int kMaxSymlinks = 40;  // as the kernel's MAXSYMLINKS

std::deque<std::string> SplitComponents(std::string_view path) {
  std::deque<std::string> parts;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.emplace_back(path.substr(i, j - i));
    i = j + 1;
  }
  return parts;
}

}  // namespace

std::string CleanPath(std::string_view path) {
  std::vector<std::string> parts;
  for (auto& part : SplitComponents(path)) {
    if (part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(std::move(part));
  }
  std::string out;
  for (const auto& part : parts) out += "/" + part;
  return out.empty() ? "/" : out;
}

std::string FdPath(int fd) { return "/proc/self/fd/" + std::to_string(fd); }

Result<UniqueFd> OpenInRoot(int root_fd, std::string_view path, int flags, uint64_t extra_resolve) {
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | extra_resolve;
  std::string p(path);
  if (p.empty()) p = "/";
  long fd;
  int tries = 0;
  do {  // EAGAIN: a rename raced with a ".." step; bounded so it cannot spin
    fd = sys::Openat2(root_fd, p.c_str(), &how);
  } while (fd < 0 && errno == EAGAIN && ++tries < 128);
  if (fd < 0) return Error::Sys("open " + p + " in rootfs");
  return UniqueFd(static_cast<int>(fd));
}

Result<UniqueFd> OpenInRootNoSymlinks(int root_fd, std::string_view path, int flags) {
  return OpenInRoot(root_fd, path, flags, RESOLVE_NO_SYMLINKS);
}

Result<UniqueFd> CreateInRoot(int root_fd, std::string_view path, TargetKind kind) {
  // Fast path: the target exists (symlinks resolved within the root).
  {
    auto existing = OpenInRoot(root_fd, path, O_PATH);
    if (existing.ok()) return existing;
    if (existing.error().code() != ENOENT) return existing;
  }
  // Walk component by component; `stack` holds the fds of the directories
  // from the root down, so ".." pops and can never go above the root.
  std::vector<UniqueFd> stack;
  auto current = [&]() { return stack.empty() ? root_fd : stack.back().get(); };
  std::deque<std::string> todo = SplitComponents(path);
  int symlinks = 0;
  int steps = 0;
  const std::string shown(path);
  while (!todo.empty()) {
    if (++steps > 4096)  // components keep changing under us
      return Error(ELOOP, "resolve " + shown + " in rootfs: too many retries");
    std::string name = std::move(todo.front());
    todo.pop_front();
    if (name == ".") continue;
    if (name == "..") {
      if (!stack.empty()) stack.pop_back();
      continue;
    }
    const bool last = todo.empty();
    struct stat st;
    if (fstatat(current(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno != ENOENT) return Error::Sys("stat " + name + " of " + shown + " in rootfs");
      if (last && kind == TargetKind::kFile) {
        int fd = openat(current(), name.c_str(), O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0644);
        if (fd < 0 && errno != EEXIST) return Error::Sys("create " + name + " of " + shown + " in rootfs");
        if (fd >= 0) close(fd);
      } else if (mkdirat(current(), name.c_str(), 0755) != 0 && errno != EEXIST) {
        return Error::Sys("mkdir " + name + " of " + shown + " in rootfs");
      }
      todo.push_front(name);  // look again: now it exists (or raced into a symlink)
      continue;
    }
    if (S_ISLNK(st.st_mode)) {
      if (++symlinks > kMaxSymlinks)
        return Error(ELOOP, "resolve " + shown + " in rootfs: too many symlinks");
      char target[4096];
      ssize_t n = readlinkat(current(), name.c_str(), target, sizeof(target) - 1);
      if (n < 0) return Error::Sys("readlink " + name + " of " + shown + " in rootfs");
      std::string_view t(target, static_cast<size_t>(n));
      if (!t.empty() && t[0] == '/') stack.clear();  // absolute: from the rootfs
      auto parts = SplitComponents(t);
      todo.insert(todo.begin(), parts.begin(), parts.end());
      continue;
    }
    if (!last && !S_ISDIR(st.st_mode))
      return Error(ENOTDIR, "resolve " + shown + " in rootfs: " + name + " is not a directory");
    int fd = openat(current(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return Error::Sys("open " + name + " of " + shown + " in rootfs");
    UniqueFd opened(fd);
    struct stat now;
    if (fstat(fd, &now) != 0) return Error::Sys("stat " + name + " of " + shown);
    if (S_ISLNK(now.st_mode)) {  // swapped for a symlink since fstatat: redo
      todo.push_front(name);
      continue;
    }
    if (last) {
      bool want_dir = kind == TargetKind::kDirectory;
      if (want_dir && !S_ISDIR(now.st_mode))
        return Error(ENOTDIR, "mount target " + shown + " exists and is not a directory");
      if (!want_dir && S_ISDIR(now.st_mode))
        return Error(EISDIR, "mount target " + shown + " exists and is a directory");
      return opened;
    }
    stack.push_back(std::move(opened));
  }
  // The path named the root itself (or resolved back to it).
  if (kind == TargetKind::kFile) return Error(EISDIR, "mount target " + shown + " is the root");
  int fd = stack.empty() ? fcntl(root_fd, F_DUPFD_CLOEXEC, 0) : fcntl(current(), F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return Error::Sys("dup root fd");
  return UniqueFd(fd);
}

}  // namespace berth::rootfs
