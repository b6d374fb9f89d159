#include "runtime/hooks/hooks.h"
#include "runtime/base/syscalls.h"
#include "runtime/base/unique_fd.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace berth::hooks {
namespace {

// How much of a hook's output is kept for error messages.
constexpr size_t kKeptOutput = 4096;
constexpr size_t kReportedTail = 200;

using Fd = base::UniqueFd;

struct Pipe {
  Fd read, write;
};

Status MakePipe(Pipe& p) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return Error::Sys("pipe2");
  p.read.Reset(fds[0]);
  p.write.Reset(fds[1]);
  return Ok();
}

int64_t NowMillis() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// Appends what is readable now; returns false at EOF or on error.
bool Drain(int fd, std::string& kept) {
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      kept.append(buf, static_cast<size_t>(n));
      if (kept.size() > kKeptOutput) kept.erase(0, kept.size() - kKeptOutput);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && errno == EAGAIN;
  }
}

std::string Tail(const std::string& s) {
  std::string t = s.size() > kReportedTail ? s.substr(s.size() - kReportedTail) : s;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  return t;
}

// A hook that does not read its stdin makes our write fail with EPIPE; the
// SIGPIPE that comes with it must not kill the runtime. Blocks SIGPIPE for
// this thread and, on destruction, discards a SIGPIPE raised meanwhile.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_);
  }
  ~SigpipeGuard() {
    if (!was_pending_) {
      sigset_t pipe_set;
      sigemptyset(&pipe_set);
      sigaddset(&pipe_set, SIGPIPE);
      struct timespec zero = {0, 0};
      while (sigtimedwait(&pipe_set, nullptr, &zero) == SIGPIPE) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t old_;
  bool was_pending_ = false;
};

std::vector<char*> CStrings(const std::vector<std::string>& v) {
  std::vector<char*> out;
  out.reserve(v.size() + 1);
  for (const auto& s : v) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

}  // namespace

Status RunHook(const spec::Hook& hook, std::string_view state_json, std::string_view phase_name) {
  const std::string name = "hook " + hook.path + " (" + std::string(phase_name) + ")";
  if (hook.path.empty() || hook.path.front() != '/') return Error(EINVAL, name + ": path must be absolute");
  if (hook.timeout && *hook.timeout <= 0) return Error(EINVAL, name + ": timeout must be positive");

  Pipe in, out, err;
  BERTH_TRY_CTX(MakePipe(in), name);
  BERTH_TRY_CTX(MakePipe(out), name);
  BERTH_TRY_CTX(MakePipe(err), name);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, out.write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err.write.get(), 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty, all;
  sigemptyset(&empty);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);  // own group: a timeout kills its children too
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  std::vector<std::string> args = hook.args.empty() ? std::vector<std::string>{hook.path} : hook.args;
  std::vector<char*> argv = CStrings(args);
  std::vector<char*> envp = CStrings(hook.env);
  pid_t pid = -1;
  int spawn_error = posix_spawn(&pid, hook.path.c_str(), &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (spawn_error != 0) return Error(spawn_error, name + ": execute " + hook.path);
  in.read.Reset();
  out.write.Reset();
  err.write.Reset();

  // Knowing when the hook exits does not depend on its output pipes closing:
  // a daemon it left behind may keep them open.
  Fd pidfd(sys::PidfdOpen(pid, 0));
  SigpipeGuard sigpipe_guard;
  for (int fd : {in.write.get(), out.read.get(), err.read.get()})
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);

  std::string out_kept, err_kept;
  size_t written = 0;
  const int64_t deadline = hook.timeout ? NowMillis() + int64_t{*hook.timeout} * 1000 : -1;
  bool exited = false, timed_out = false;
  while (!exited) {
    pollfd fds[4] = {{pidfd.get(), POLLIN, 0},
                     {in.write.get(), POLLOUT, 0},
                     {out.read.get(), POLLIN, 0},
                     {err.read.get(), POLLIN, 0}};
    int timeout_ms = -1;
    if (deadline >= 0) {
      int64_t left = deadline - NowMillis();
      if (left <= 0) {
        timed_out = true;
        break;
      }
      timeout_ms = static_cast<int>(left);
    }
    // Without a pidfd (pre-5.3 kernel), poll for the exit every 10 ms.
    if (pidfd.get() < 0 && (timeout_ms < 0 || timeout_ms > 10)) timeout_ms = 10;
    int n = poll(fds, 4, timeout_ms);
    if (n < 0 && errno != EINTR) {
      Error e = Error::Sys(name + ": poll");
      kill(-pid, SIGKILL);
      waitpid(pid, nullptr, 0);
      return e;
    }
    if (fds[1].revents & (POLLOUT | POLLERR | POLLHUP)) {
      ssize_t w = write(in.write.get(), state_json.data() + written, state_json.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      // Done, or the hook closed its stdin (EPIPE): either way stop writing.
      if (written == state_json.size() || (w < 0 && errno != EAGAIN && errno != EINTR)) in.write.Reset();
    }
    if (fds[2].revents && !Drain(out.read.get(), out_kept)) out.read.Reset();
    if (fds[3].revents && !Drain(err.read.get(), err_kept)) err.read.Reset();
    if (pidfd.get() >= 0) {
      exited = (fds[0].revents & POLLIN) != 0;
    } else {
      siginfo_t info = {};
      exited = waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
               info.si_pid == pid;
    }
  }
  if (timed_out) {
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    return Error(ETIMEDOUT, name + " timed out after " + std::to_string(*hook.timeout) + "s");
  }
  if (out.read.get() >= 0) Drain(out.read.get(), out_kept);
  if (err.read.get() >= 0) Drain(err.read.get(), err_kept);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return Error::Sys(name + ": waitpid");
  }
  std::string tail = Tail(err_kept.empty() ? out_kept : err_kept);
  std::string output = tail.empty() ? "" : ": " + tail;
  if (WIFSIGNALED(status))
    return Error(name + " killed by signal " + std::to_string(WTERMSIG(status)) + output);
  if (WEXITSTATUS(status) != 0)
    return Error(name + " exited with status " + std::to_string(WEXITSTATUS(status)) + output);
  return Ok();
}

Status RunHooks(const std::vector<spec::Hook>& hooks, std::string_view state_json,
                std::string_view phase_name) {
  for (const auto& hook : hooks) BERTH_TRY(RunHook(hook, state_json, phase_name));
  return Ok();
}

}  // namespace berth::hooks
