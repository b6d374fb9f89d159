// Running commands (the runtime under test, hook helpers) with captured
// output and a deadline, and reaping every child.
//
// The harness is a child subreaper, as an engine's shim is: when a runtime's
// `create` returns, the container's init is re-parented to the harness, which
// can then wait for it and learn its exit status. One Reaper owns waitpid()
// so that no status is lost to whichever wait ran first.
#pragma once

#include <sys/types.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "runtime/base/error.h"

namespace berth::conformance {

class Reaper {
 public:
  static Reaper& Get();
  // Makes this process a child subreaper (PR_SET_CHILD_SUBREAPER).
  Status BecomeSubreaper();
  // The raw wait status of pid once it has exited, waiting up to timeout_ms;
  // nullopt on timeout.
  std::optional<int> Wait(pid_t pid, int timeout_ms);
  // Reaps whatever has exited and reports whether pid has.
  std::optional<int> Poll(pid_t pid);

 private:
  void ReapAll();
  std::mutex mu_;
  std::map<pid_t, int> exited_;
};

struct CommandOptions {
  std::string stdin_data;  // written to the command's stdin
  int stdin_fd = -1;       // or this fd (takes precedence when >= 0)
  int stdout_fd = -1;      // >= 0: the command's stdout goes here, not captured
  int stderr_fd = -1;      // >= 0: likewise for stderr
  int timeout_ms = 30000;
  std::vector<std::string> extra_env;  // appended to the harness's environment
};

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal or timed out
  int signal = 0;
  bool timed_out = false;
  std::string out;  // captured stdout (when not redirected)
  std::string err;  // captured stderr (when not redirected)
  std::string command;

  bool ok() const { return exit_code == 0; }
  // "`runc start x` exited 1: <last stderr line>", for failure reasons.
  std::string Describe() const;
};

CommandResult RunCommand(const std::vector<std::string>& argv, const CommandOptions& options = {});

// Converts a wait status to "exit N" / "signal N".
std::string DescribeWaitStatus(int status);

// Small file helpers used across the harness.
Result<std::string> ReadFileText(const std::string& path);
Status WriteFileText(const std::string& path, std::string_view text, int mode = 0644);
// Removes a tree without following symlinks or crossing into other mounts
// (mount points found inside are lazily unmounted first).
void RemoveTree(const std::string& path);

}  // namespace berth::conformance
