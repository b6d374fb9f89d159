#include "bench/startup/command.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

namespace berth::bench {

namespace {

constexpr size_t kOutputTail = 8192;
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
  if (timed_out) return Error(ETIMEDOUT, "killed after " + std::to_string(g_timeout_ms) + " ms");
  result.wall_ms = static_cast<double>(MonotonicNanos() - start_ns) / 1e6;
  result.max_rss_kib = usage.ru_maxrss;
  return result;
}

std::string ReadTail(int fd) {
  off_t size = lseek(fd, 0, SEEK_END);
  if (size <= 0) return "";
  off_t from = size > static_cast<off_t>(kOutputTail) ? size - static_cast<off_t>(kOutputTail) : 0;
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

bool CommandResult::Succeeded() const { return WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0; }

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

constexpr size_t kChildStack = size_t{64} * 1024;

// What a child that failed before execve reports through the error pipe.
struct ChildFailure {
  int error;
  int step;  // index into kSteps
};
constexpr const char* kSteps[] = {"setns", "dup2", "exec"};

// The forked child: only async-signal-safe calls until execve.
[[noreturn]] void ChildExec(char** argv, int null_fd, int output_fd, int mount_ns_fd, int error_fd) {
  ChildFailure failure{0, 0};
  if (mount_ns_fd >= 0 && setns(mount_ns_fd, CLONE_NEWNS) != 0) {
    failure = {errno, 0};
  } else if (dup2(null_fd, 0) < 0 || dup2(output_fd, 1) < 0 || dup2(output_fd, 2) < 0) {
    failure = {errno, 1};
  } else {
    execve(argv[0], argv, environ);
    failure = {errno, 2};
  }
  ssize_t ignored = write(error_fd, &failure, sizeof failure);
  (void)ignored;
  _exit(127);
}

}  // namespace

// fork, not posix_spawn: a vfork child shares this process's memory, and the
// kernel folds that memory's high-water mark into the child's ru_maxrss at
// execve, which would report this benchmark's own RSS as the runtime's. A
// forked copy only carries this process's few anonymous pages (~0.6 MiB).
Result<Spawned> Spawn(const std::vector<std::string>& argv, int mount_ns_fd) {
  if (argv.empty()) return Error(EINVAL, "spawn: empty argv");
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);

  Spawned s;
  s.output_fd = memfd_create("bench-output", MFD_CLOEXEC);
  if (s.output_fd < 0) return Error::Sys("memfd_create");
  int null_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
  int error_pipe[2] = {-1, -1};
  if (null_fd < 0 || pipe2(error_pipe, O_CLOEXEC) != 0) {
    Error e = Error::Sys(null_fd < 0 ? "open /dev/null" : "pipe2");
    if (null_fd >= 0) close(null_fd);
    close(s.output_fd);
    return e;
  }
  s.start_ns = MonotonicNanos();
  s.pid = fork();
  if (s.pid == 0) ChildExec(args.data(), null_fd, s.output_fd, mount_ns_fd, error_pipe[1]);
  int fork_errno = errno;
  close(error_pipe[1]);
  close(null_fd);
  if (s.pid < 0) {
    close(error_pipe[0]);
    close(s.output_fd);
    return Error(fork_errno, "fork");
  }
  // EOF means execve succeeded (the pipe is close-on-exec).
  ChildFailure failure{0, 0};
  ssize_t n;
  do {
    n = read(error_pipe[0], &failure, sizeof failure);
  } while (n < 0 && errno == EINTR);
  close(error_pipe[0]);
  if (n == static_cast<ssize_t>(sizeof failure)) {
    int status;
    (void)waitpid(s.pid, &status, 0);
    close(s.output_fd);
    return Error(failure.error, std::string(kSteps[failure.step]) + " " + argv[0]);
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
  void* stack = mmap(nullptr, kStack, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
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
