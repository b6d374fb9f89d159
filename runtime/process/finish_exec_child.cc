// CHILD side: FinishAndExec (finish_exec.h), the common end of create and exec.
#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

#include "runtime/base/syscalls.h"
#include "runtime/log/log.h"
#include "runtime/process/attributes.h"
#include "runtime/process/capabilities.h"
#include "runtime/process/finish_exec.h"
#include "runtime/process/seccomp.h"

namespace berth::process {
namespace {

int SystemCloseRange(unsigned first, unsigned last, unsigned flags) {
  return sys::CloseRange(first, last, flags);
}

// The open fds >= first, from /proc/self/fd; nullopt without /proc.
std::optional<std::vector<int>> ListOpenFds(int first) {
  DIR* dir = opendir("/proc/self/fd");
  if (!dir) return std::nullopt;
  std::vector<int> fds;
  const int own = dirfd(dir);
  while (struct dirent* e = readdir(dir)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    int fd = std::atoi(e->d_name);
    if (fd >= first && fd != own) fds.push_back(fd);
  }
  closedir(dir);
  return fds;
}

// Closes the fds >= first that are not kept, one close(2) each.
void CloseEachFrom(int first, const std::vector<int>& keep) {
  auto kept = [&](int fd) { return std::find(keep.begin(), keep.end(), fd) != keep.end(); };
  if (auto open = ListOpenFds(first)) {
    for (int fd : *open)
      if (!kept(fd)) close(fd);
    return;
  }
  struct rlimit limit;
  int end = getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY &&
                    limit.rlim_cur < static_cast<rlim_t>(INT_MAX)
                ? static_cast<int>(limit.rlim_cur)
                : 1 << 20;  // the kernel's default nr_open
  for (int fd = first; fd < end; ++fd)
    if (!kept(fd)) close(fd);
}

class Kernel final : public FinalCalls {
 public:
  Status CloseFds(int preserved_fds, const std::vector<int>& keep_fds) override {
    return CloseFdsForExec(preserved_fds, keep_fds);
  }
  Status SetCpuAffinity(const std::string& cpus) override { return ApplyCpuAffinity(cpus); }
  Status SetNoNewPrivileges(bool enabled) override { return ApplyNoNewPrivileges(enabled); }
  Result<int> LoadSeccomp(const SeccompFilter& filter) override { return InstallSeccomp(filter); }
  Status SendNotifyFd(int listener_fd, const std::string& message, int notify_fd) override {
    return SendSeccompNotifyFd(listener_fd, message, notify_fd);
  }
  Status SetCapabilities(const CapabilitySets& sets) override { return SetCapabilitySets(sets); }
  void Execve(const char* path, char* const argv[], char* const envp[]) override { execve(path, argv, envp); }
};

}  // namespace

FinalCalls& KernelFinalCalls() {
  static Kernel kernel;
  return kernel;
}

uint64_t CapabilitiesRetainedForSeccomp(bool has_filter, bool no_new_privileges) {
  return has_filter && !no_new_privileges ? uint64_t{1} << CAP_SYS_ADMIN : 0;
}

Status CloseFdsForExec(int preserved_fds, std::vector<int> keep_fds, CloseRangeCall close_range) {
  if (!close_range) close_range = SystemCloseRange;
  for (int fd = 3; fd < 3 + preserved_fds; ++fd) {
    if (fcntl(fd, F_SETFD, 0) != 0) return Error::Sys("preserved fd " + std::to_string(fd) + " is not open");
  }
  const int first = 3 + preserved_fds;
  std::sort(keep_fds.begin(), keep_fds.end());
  keep_fds.erase(std::remove_if(keep_fds.begin(), keep_fds.end(), [&](int fd) { return fd < first; }),
                 keep_fds.end());
  keep_fds.erase(std::unique(keep_fds.begin(), keep_fds.end()), keep_fds.end());
  // One close_range per gap between kept fds (one or two calls in practice).
  unsigned from = static_cast<unsigned>(first);
  for (size_t i = 0; i <= keep_fds.size(); ++i) {
    unsigned to = i < keep_fds.size() ? static_cast<unsigned>(keep_fds[i]) : UINT_MAX;
    if (from < to) {
      if (close_range(from, to == UINT_MAX ? UINT_MAX : to - 1, 0) != 0) {
        if (errno != ENOSYS && errno != EPERM && errno != EINVAL) return Error::Sys("close_range");
        CloseEachFrom(first, keep_fds);
        return Ok();
      }
    }
    if (to == UINT_MAX) break;
    from = to + 1;
  }
  return Ok();
}

Status FinishAndExec(const FinalSteps& steps, FinalCalls& calls) {
  // Everything that allocates is done here, before the filter.
  std::vector<char*> argv;
  for (const auto& a : *steps.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : *steps.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  // --debug: each step is logged before it runs; nothing is logged after
  // the filter (it may refuse write(2)).
  const bool debug = log::DebugEnabled();
  if (debug) log::Debug("finish-exec: close fds >= " + std::to_string(3 + steps.preserved_fds));
  BERTH_TRY(calls.CloseFds(steps.preserved_fds, steps.keep_fds));
  if (!steps.final_cpus.empty()) {
    if (debug) log::Debug("finish-exec: cpu affinity " + steps.final_cpus);
    BERTH_TRY(calls.SetCpuAffinity(steps.final_cpus));
  }
  if (debug && steps.no_new_privileges) log::Debug("finish-exec: no_new_privs");
  BERTH_TRY(calls.SetNoNewPrivileges(steps.no_new_privileges));
  if (debug) {
    log::Debug(std::string("finish-exec: ") + (steps.seccomp ? "seccomp filter, " : "") +
               (steps.final_capabilities ? "capset, " : "") + "execve " + steps.path);
  }

  if (steps.seccomp) {
    int notify_fd = BERTH_TRY_CTX(calls.LoadSeccomp(*steps.seccomp), "install seccomp");
    if (notify_fd >= 0) {
      // listenerPath is a host path: the caller connected before entering
      // the container. The notify fd (O_CLOEXEC) closes at execve.
      if (steps.listener_fd < 0)
        return Error(EINVAL,
                     "seccomp profile uses SCMP_ACT_NOTIFY but linux.seccomp.listenerPath is not set");
      BERTH_TRY_CTX(calls.SendNotifyFd(steps.listener_fd, steps.listener_message, notify_fd),
                    "send seccomp listener fd");
    }
  }
  if (steps.final_capabilities) BERTH_TRY(calls.SetCapabilities(*steps.final_capabilities));

  calls.Execve(steps.path.c_str(), argv.data(), envp.data());
  return Error::Sys("exec \"" + (*steps.args)[0] + "\"");
}

}  // namespace berth::process
