// A FinalCalls (finish_exec.h) that runs nothing and records the steps
// FinishAndExec takes, in order, so tests assert the order without a kernel.
#pragma once

#include <string>
#include <vector>

#include "runtime/process/finish_exec.h"

namespace berth::testing {

class RecordingFinalCalls final : public process::FinalCalls {
 public:
  // Step names: "close-fds", "cpu-affinity", "no-new-privs" (only when set),
  // "seccomp", "send-notify-fd", "capset", "execve".
  std::vector<std::string> steps;
  int notify_fd = -1;  // what LoadSeccomp returns

  Status CloseFds(int, const std::vector<int>&) override { return Record("close-fds"); }
  Status SetCpuAffinity(const std::string&) override { return Record("cpu-affinity"); }
  Status SetNoNewPrivileges(bool enabled) override { return enabled ? Record("no-new-privs") : Ok(); }
  Result<int> LoadSeccomp(const process::SeccompFilter&) override {
    steps.push_back("seccomp");
    return notify_fd;
  }
  Status SendNotifyFd(int, const std::string&, int) override { return Record("send-notify-fd"); }
  Status SetCapabilities(const process::CapabilitySets&) override { return Record("capset"); }
  void Execve(const char*, char* const[], char* const[]) override {
    steps.push_back("execve");
    errno = ENOEXEC;  // "returns" like a failed execve, so the test goes on
  }

 private:
  Status Record(const char* step) {
    steps.push_back(step);
    return Ok();
  }
};

}  // namespace berth::testing
