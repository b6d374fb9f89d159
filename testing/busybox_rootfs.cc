#include "testing/busybox_rootfs.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>

namespace berth::testing {
namespace {

Status MkdirAll(const std::string& path, mode_t mode) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i != path.size() && path[i] != '/') continue;
    std::string prefix = path.substr(0, i);
    if (mkdir(prefix.c_str(), mode) != 0 && errno != EEXIST) return Error::Sys("mkdir " + prefix);
  }
  return Ok();
}

Status WriteAll(int fd, const char* data, size_t size, const std::string& path) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Error::Sys("write " + path);
    data += n;
    size -= static_cast<size_t>(n);
  }
  return Ok();
}

// Replaces `to` (it may be an applet symlink or a binary a container still
// runs) with a copy of `from`.
Status CopyFile(const std::string& from, const std::string& to, mode_t mode) {
  int in = open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return Error::Sys("open " + from);
  if (unlink(to.c_str()) != 0 && errno != ENOENT) {
    Error e = Error::Sys("unlink " + to);
    close(in);
    return e;
  }
  int out = open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (out < 0) {
    Error e = Error::Sys("create " + to);
    close(in);
    return e;
  }
  Status st = Ok();
  char buf[65536];
  for (;;) {
    ssize_t n = read(in, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) st = Error::Sys("read " + from);
    if (n <= 0) break;
    st = WriteAll(out, buf, static_cast<size_t>(n), to);
    if (!st.ok()) break;
  }
  close(in);
  if (st.ok() && fchmod(out, mode) != 0) st = Error::Sys("chmod " + to);
  if (close(out) != 0 && st.ok()) st = Error::Sys("close " + to);
  return st;
}

Status WriteText(const std::string& path, const std::string& text) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Error::Sys("create " + path);
  Status st = WriteAll(fd, text.data(), text.size(), path);
  if (close(fd) != 0 && st.ok()) st = Error::Sys("close " + path);
  return st;
}

// The output of `busybox --list`: one applet name a line.
Result<std::string> AppletList(const std::string& busybox) {
  int pipe_fds[2];
  if (pipe2(pipe_fds, O_CLOEXEC) != 0) return Error::Sys("pipe");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  std::string list_flag = "--list";
  char* argv[] = {const_cast<char*>(busybox.c_str()), list_flag.data(), nullptr};
  char* envp[] = {nullptr};
  pid_t pid = -1;
  int err = posix_spawn(&pid, busybox.c_str(), &actions, nullptr, argv, envp);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (err != 0) {
    close(pipe_fds[0]);
    return Error(err, "run " + busybox + " --list");
  }
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = read(pipe_fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  close(pipe_fds[0]);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return Error(busybox + " --list failed (wait status " + std::to_string(status) + ")");
  return out;
}

Status Symlink(const std::string& target, const std::string& link) {
  if (symlink(target.c_str(), link.c_str()) != 0 && errno != EEXIST) return Error::Sys("symlink " + link);
  return Ok();
}

}  // namespace

std::string HostBusybox() {
  for (const char* path : {"/bin/busybox", "/usr/bin/busybox"})
    if (access(path, X_OK) == 0) return path;
  return "";
}

Status BuildRootfs(const std::string& dir, const RootfsLayout& layout) {
  BERTH_TRY(MkdirAll(dir, 0755));
  for (const std::string& sub : layout.dirs) {
    std::string path = dir + "/" + sub;
    BERTH_TRY(MkdirAll(path, 0755));
    if ((sub == "tmp" || sub == "var/tmp") && chmod(path.c_str(), 01777) != 0)
      return Error::Sys("chmod " + path);
  }
  if (!layout.busybox.empty()) {
    BERTH_TRY(MkdirAll(dir + "/bin", 0755));
    BERTH_TRY(CopyFile(layout.busybox, dir + "/bin/busybox", 0755));
    if (layout.applets) {
      std::istringstream applets(BERTH_TRY(AppletList(layout.busybox)));
      for (std::string applet; std::getline(applets, applet);) {
        if (applet.empty() || applet == "busybox" || applet.find('/') != std::string::npos) continue;
        BERTH_TRY(Symlink("busybox", dir + "/bin/" + applet));
      }
    } else {
      BERTH_TRY(Symlink("busybox", dir + "/bin/sh"));
    }
  }
  for (const auto& [inside, host] : layout.files) {
    std::string to = dir + "/" + inside;
    BERTH_TRY(MkdirAll(to.substr(0, to.rfind('/')), 0755));
    BERTH_TRY(CopyFile(host, to, 0755));
  }
  if (layout.etc_files) {
    BERTH_TRY(MkdirAll(dir + "/etc", 0755));
    BERTH_TRY(WriteText(dir + "/etc/passwd",
                        "root:x:0:0:root:/root:/bin/sh\n"
                        "nobody:x:65534:65534:nobody:/:/bin/sh\n"));
    BERTH_TRY(WriteText(dir + "/etc/group", "root:x:0:\ntty:x:5:\nnogroup:x:65534:\n"));
    BERTH_TRY(WriteText(dir + "/etc/hosts", "127.0.0.1 localhost\n::1 localhost\n"));
  }
  return Ok();
}

}  // namespace berth::testing
