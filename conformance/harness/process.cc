#include "conformance/harness/process.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <thread>

namespace berth::conformance {

Reaper& Reaper::Get() {
  static Reaper reaper;
  return reaper;
}

Status Reaper::BecomeSubreaper() {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) return Error::Sys("prctl(PR_SET_CHILD_SUBREAPER)");
  return Ok();
}

void Reaper::ReapAll() {
  int status = 0;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) exited_[pid] = status;
}

std::optional<int> Reaper::Poll(pid_t pid) {
  std::lock_guard<std::mutex> lock(mu_);
  ReapAll();
  auto it = exited_.find(pid);
  if (it == exited_.end()) return std::nullopt;
  int status = it->second;
  exited_.erase(it);
  return status;
}

std::optional<int> Reaper::Wait(pid_t pid, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  int sleep_us = 200;
  while (true) {
    if (auto status = Poll(pid)) return status;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(std::chrono::microseconds(sleep_us));
    if (sleep_us < 5000) sleep_us *= 2;
  }
}

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return "signal " + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

namespace {

std::string ReadAllFromStart(int fd) {
  std::string out;
  char buf[8192];
  off_t off = 0;
  ssize_t n;
  while ((n = pread(fd, buf, sizeof buf, off)) > 0) {
    out.append(buf, static_cast<size_t>(n));
    off += n;
  }
  return out;
}

std::string LastLine(const std::string& s) {
  std::string t = s;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  size_t nl = t.rfind('\n');
  std::string line = nl == std::string::npos ? t : t.substr(nl + 1);
  if (line.size() > 300) line = line.substr(0, 300) + "...";
  return line;
}

}  // namespace

std::string CommandResult::Describe() const {
  std::string s = "`" + command + "` ";
  if (timed_out)
    s += "timed out";
  else if (signal)
    s += "killed by signal " + std::to_string(signal);
  else
    s += "exited " + std::to_string(exit_code);
  std::string line = LastLine(err);
  if (line.empty()) line = LastLine(out);
  if (!line.empty()) s += ": " + line;
  return s;
}

CommandResult RunCommand(const std::vector<std::string>& argv, const CommandOptions& options) {
  CommandResult result;
  for (const auto& a : argv) result.command += (result.command.empty() ? "" : " ") + a;
  // memfds rather than pipes: a container started by `create` inherits the
  // runtime's stdio and would hold a pipe open long after the command exits.
  int out_fd = memfd_create("cmd-stdout", MFD_CLOEXEC);
  int err_fd = memfd_create("cmd-stderr", MFD_CLOEXEC);
  int in_fd = memfd_create("cmd-stdin", MFD_CLOEXEC);
  if (out_fd < 0 || err_fd < 0 || in_fd < 0) {
    result.err = std::string("memfd_create: ") + std::strerror(errno);
    for (int fd : {out_fd, err_fd, in_fd})
      if (fd >= 0) close(fd);
    return result;
  }
  if (!options.stdin_data.empty() && write(in_fd, options.stdin_data.data(), options.stdin_data.size()) !=
                                         static_cast<ssize_t>(options.stdin_data.size()))
    result.err = "short write to stdin memfd";
  lseek(in_fd, 0, SEEK_SET);

  std::vector<std::string> env_storage;
  for (char** e = environ; *e; ++e) env_storage.emplace_back(*e);
  for (const auto& e : options.extra_env) env_storage.push_back(e);
  std::vector<char*> envp, args;
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> argv_copy = argv;
  for (auto& a : argv_copy) args.push_back(a.data());
  args.push_back(nullptr);

  int child_in = options.stdin_fd >= 0 ? options.stdin_fd : in_fd;
  int child_out = options.stdout_fd >= 0 ? options.stdout_fd : out_fd;
  int child_err = options.stderr_fd >= 0 ? options.stderr_fd : err_fd;
  pid_t pid = fork();
  if (pid == 0) {
    // dup() first so that dup2 onto 0..2 cannot clobber a source fd.
    int a = fcntl(child_in, F_DUPFD_CLOEXEC, 10), b = fcntl(child_out, F_DUPFD_CLOEXEC, 10),
        c = fcntl(child_err, F_DUPFD_CLOEXEC, 10);
    if (a < 0 || b < 0 || c < 0 || dup2(a, 0) < 0 || dup2(b, 1) < 0 || dup2(c, 2) < 0) _exit(126);
    setpgid(0, 0);
    execve(args[0], args.data(), envp.data());
    _exit(127);
  }
  if (pid < 0) {
    result.err = std::string("fork: ") + std::strerror(errno);
  } else {
    auto status = Reaper::Get().Wait(pid, options.timeout_ms);
    if (!status) {
      result.timed_out = true;
      kill(-pid, SIGKILL);
      kill(pid, SIGKILL);
      status = Reaper::Get().Wait(pid, 5000);
    }
    if (status && WIFEXITED(*status) && !result.timed_out) result.exit_code = WEXITSTATUS(*status);
    if (status && WIFSIGNALED(*status) && !result.timed_out) result.signal = WTERMSIG(*status);
  }
  if (options.stdout_fd < 0) result.out = ReadAllFromStart(out_fd);
  if (options.stderr_fd < 0) result.err += ReadAllFromStart(err_fd);
  close(out_fd);
  close(err_fd);
  close(in_fd);
  return result;
}

Result<std::string> ReadFileText(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::Sys("open " + path);
  std::string out;
  char buf[8192];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  int err = errno;
  close(fd);
  if (n < 0) return Error(err, "read " + path);
  return out;
}

Status WriteFileText(const std::string& path, std::string_view text, int mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Error::Sys("open " + path);
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n <= 0) {
      int err = errno;
      close(fd);
      return Error(err, "write " + path);
    }
    done += static_cast<size_t>(n);
  }
  if (fchmod(fd, static_cast<mode_t>(mode)) != 0) {
    int err = errno;
    close(fd);
    return Error(err, "chmod " + path);
  }
  close(fd);
  return Ok();
}

void RemoveTree(const std::string& path) {
  struct stat top;
  if (lstat(path.c_str(), &top) != 0) return;
  if (!S_ISDIR(top.st_mode)) {
    unlink(path.c_str());
    return;
  }
  DIR* dir = opendir(path.c_str());
  if (dir) {
    std::vector<std::string> children;
    for (struct dirent* e; (e = readdir(dir));)
      if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
        children.push_back(path + "/" + e->d_name);
    closedir(dir);
    for (const auto& child : children) {
      struct stat st;
      if (lstat(child.c_str(), &st) != 0) continue;
      if (S_ISDIR(st.st_mode) && st.st_dev != top.st_dev) {
        // A mount left behind (e.g. by a failed test): detach, never descend.
        umount2(child.c_str(), MNT_DETACH);
        rmdir(child.c_str());
        continue;
      }
      RemoveTree(child);
    }
  }
  rmdir(path.c_str());
}

}  // namespace berth::conformance
