#include "bench/startup/command.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <poll.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char** environ;

namespace berth::bench {

namespace {

constexpr size_t kOutputTail = 2048;
int g_timeout_ms = 60000;

// Waits up to timeout_ms for pid to exit (pidfd + poll); kills it when the
// time is up. Returns false on timeout.
Result<bool> WaitExitWithin(pid_t pid, int timeout_ms) {
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) return Error::Sys("pidfd_open " + std::to_string(pid));
  struct pollfd p = {pidfd, POLLIN, 0};
  int64_t deadline = MonotonicNanos() + static_cast<int64_t>(timeout_ms) * 1000000;
  int rc;
  for (;;) {
    int left = static_cast<int>((deadline - MonotonicNanos()) / 1000000);
    rc = poll(&p, 1, left > 0 ? left : 0);
    if (rc >= 0 || errno != EINTR) break;
  }
  close(pidfd);
  if (rc < 0) return Error::Sys("poll pidfd");
  if (rc == 0) {
    kill(pid, SIGKILL);
    return false;
  }
  return true;
}

Result<CommandResult> Wait(pid_t pid, int64_t start_ns, bool with_timeout) {
  bool timed_out = false;
  if (with_timeout && g_timeout_ms > 0) timed_out = !BERTH_TRY(WaitExitWithin(pid, g_timeout_ms));
  CommandResult result;
  struct rusage usage {};
  pid_t got;
  do {
    got = wait4(pid, &result.wait_status, 0, &usage);
  } while (got < 0 && errno == EINTR);
  if (got < 0) return Error::Sys("wait4 " + std::to_string(pid));
  if (timed_out)
    return Error(ETIMEDOUT, "killed after " + std::to_string(g_timeout_ms) + " ms");
  result.wall_ms = static_cast<double>(MonotonicNanos() - start_ns) / 1e6;
  result.max_rss_kib = usage.ru_maxrss;
  return result;
}

std::string ReadTail(int fd) {
  off_t size = lseek(fd, 0, SEEK_END);
  if (size <= 0) return "";
  off_t from = size > static_cast<off_t>(kOutputTail) ? size - kOutputTail : 0;
  std::string out(static_cast<size_t>(size - from), '\0');
  ssize_t n = pread(fd, out.data(), out.size(), from);
  out.resize(n > 0 ? static_cast<size_t>(n) : 0);
  return out;
}

}  // namespace

void SetCommandTimeoutMs(int timeout_ms) { g_timeout_ms = timeout_ms; }

int64_t MonotonicNanos() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

bool CommandResult::Succeeded() const {
  return WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0;
}

std::string CommandResult::Describe() const {
  std::string how;
  if (WIFEXITED(wait_status))
    how = "exit " + std::to_string(WEXITSTATUS(wait_status));
  else if (WIFSIGNALED(wait_status))
    how = "killed by signal " + std::to_string(WTERMSIG(wait_status));
  else
    how = "wait status " + std::to_string(wait_status);
  std::string text = output;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  // Keep the tail, where runtimes print the error.
  std::string tail = text.size() > 400 ? "..." + text.substr(text.size() - 400) : text;
  return tail.empty() ? how : how + ": " + tail;
}

namespace {

constexpr size_t kChildStack = 64 * 1024;

struct NsChild {
  char** argv;
  int null_fd, output_fd, mount_ns_fd;
  int error;  // written by the child; memory is shared (CLONE_VM)
  const char* failed_step;
};

// Runs in a CLONE_VM|CLONE_VFORK child: only system calls, no allocation.
int NsChildMain(void* arg) {
  auto* c = static_cast<NsChild*>(arg);
  c->failed_step = "setns";
  if (setns(c->mount_ns_fd, CLONE_NEWNS) != 0) goto fail;
  c->failed_step = "dup2";
  if (dup2(c->null_fd, 0) < 0 || dup2(c->output_fd, 1) < 0 || dup2(c->output_fd, 2) < 0)
    goto fail;
  c->failed_step = "exec";
  execve(c->argv[0], c->argv, environ);
fail:
  c->error = errno;
  _exit(127);
}

// Like posix_spawn (a vfork-style clone, so the cost is the same) plus setns.
Status SpawnInMountNamespace(Spawned& s, char** argv, int mount_ns_fd) {
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (null_fd < 0) return Error::Sys("open /dev/null");
  void* stack = mmap(nullptr, kChildStack, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) {
    Error e = Error::Sys("mmap clone stack");
    close(null_fd);
    return e;
  }
  NsChild child{argv, null_fd, s.output_fd, mount_ns_fd, 0, ""};
  s.start_ns = MonotonicNanos();
  s.pid = clone(NsChildMain, static_cast<char*>(stack) + kChildStack,
                CLONE_VM | CLONE_VFORK | SIGCHLD, &child);
  int clone_errno = errno;
  munmap(stack, kChildStack);
  close(null_fd);
  if (s.pid < 0) return Error(clone_errno, "clone");
  if (child.error != 0) {
    int status;
    (void)waitpid(s.pid, &status, 0);
    return Error(child.error, std::string(child.failed_step) + " " + argv[0]);
  }
  return Ok();
}

}  // namespace

Result<Spawned> Spawn(const std::vector<std::string>& argv, int mount_ns_fd) {
  if (argv.empty()) return Error(EINVAL, "spawn: empty argv");
  Spawned s;
  s.output_fd = memfd_create("bench-output", MFD_CLOEXEC);
  if (s.output_fd < 0) return Error::Sys("memfd_create");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  if (mount_ns_fd >= 0) {
    if (auto st = SpawnInMountNamespace(s, args.data(), mount_ns_fd); !st) {
      close(s.output_fd);
      return std::move(st).error();
    }
    return s;
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, s.output_fd, 1);
  posix_spawn_file_actions_adddup2(&actions, s.output_fd, 2);

  s.start_ns = MonotonicNanos();
  int rc = posix_spawn(&s.pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    close(s.output_fd);
    return Error(rc, "spawn " + argv[0]);
  }
  return s;
}

Result<CommandResult> Reap(Spawned spawned) {
  auto result = Wait(spawned.pid, spawned.start_ns, true);
  if (result) result->output = ReadTail(spawned.output_fd);
  close(spawned.output_fd);
  return result;
}

Result<size_t> WaitAny(const std::vector<Spawned>& running) {
  if (running.empty()) return Error(EINVAL, "wait: nothing running");
  std::vector<struct pollfd> fds;
  Status st;
  for (const auto& r : running) {
    int pidfd = static_cast<int>(syscall(SYS_pidfd_open, r.pid, 0));
    if (pidfd < 0) {
      st = Error::Sys("pidfd_open " + std::to_string(r.pid));
      break;
    }
    fds.push_back({pidfd, POLLIN, 0});
  }
  int rc = 0;
  if (st) {
    int64_t deadline = MonotonicNanos() + static_cast<int64_t>(g_timeout_ms) * 1000000;
    for (;;) {
      int left = static_cast<int>((deadline - MonotonicNanos()) / 1000000);
      rc = poll(fds.data(), fds.size(), g_timeout_ms <= 0 ? -1 : (left > 0 ? left : 0));
      if (rc >= 0 || errno != EINTR) break;
    }
    if (rc < 0) st = Error::Sys("poll pidfds");
  }
  for (const auto& p : fds) close(p.fd);
  if (!st) return std::move(st).error();
  if (rc == 0) {
    for (const auto& r : running) kill(r.pid, SIGKILL);
    return Error(ETIMEDOUT, "killed after " + std::to_string(g_timeout_ms) + " ms");
  }
  for (size_t i = 0; i < fds.size(); ++i)
    if (fds[i].revents) return i;
  return Error("poll: no pidfd ready");
}

Result<CommandResult> RunCommand(const std::vector<std::string>& argv, int mount_ns_fd) {
  Spawned s = BERTH_TRY(Spawn(argv, mount_ns_fd));
  return Reap(s);
}

namespace {

struct FloorChild {
  const char* path;
};

int FloorChildMain(void* arg) {
  const char* path = static_cast<FloorChild*>(arg)->path;
  char* const args[] = {const_cast<char*>(path), nullptr};
  char* const env[] = {nullptr};
  execve(path, args, env);
  _exit(127);
}

}  // namespace

Result<CommandResult> RunInNewNamespaces(uint64_t clone_flags, const std::string& path) {
  // The child only calls execve, so a small stack is plenty.
  constexpr size_t kStack = kChildStack;
  void* stack = mmap(nullptr, kStack, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  if (stack == MAP_FAILED) return Error::Sys("mmap clone stack");
  FloorChild child{path.c_str()};
  int64_t start = MonotonicNanos();
  pid_t pid = clone(FloorChildMain, static_cast<char*>(stack) + kStack,
                    static_cast<int>(clone_flags) | SIGCHLD, &child);
  if (pid < 0) {
    Error e = Error::Sys("clone");
    munmap(stack, kStack);
    return e;
  }
  auto result = Wait(pid, start, false);
  munmap(stack, kStack);
  return result;
}

}  // namespace berth::bench
