// One container under test, driven through create/start/kill/delete, with
// its stdout/stderr captured in memfds and its init pid read from --pid-file.
// The destructor leaves nothing behind (kill + delete --force).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>

#include "conformance/harness/case.h"

namespace berth::conformance {

namespace json = spec::json;

class Container {
 public:
  // Driven through runtime when given (e.g. the runtime as another user),
  // else through the case's runtime.
  Container(CaseContext& c, Bundle& bundle, const Runtime* runtime = nullptr);
  ~Container();
  Container(const Container&) = delete;
  Container& operator=(const Container&) = delete;

  const std::string& id() const { return bundle_.id; }
  Bundle& bundle() { return bundle_; }

  // Writes config.json and runs create. The returned result's err holds the
  // runtime's stderr (which shares the container's stderr).
  CommandResult Create(CreateOptions options = {});
  CommandResult Start();
  CommandResult Kill(const std::string& signal = "KILL");
  CommandResult Delete(bool force = false);
  std::string Status() const;

  // Init pid from the pid file (0 if unreadable).
  pid_t Pid() const;
  // Waits for the init to exit: its wait status if the harness reaped it,
  // -1 if it is gone but was not our child; nullopt on timeout.
  std::optional<int> WaitExit(int timeout_ms);
  std::string Stdout() const;
  std::string Stderr() const;
  // Parsed probe report from stdout.
  Result<json::Value> Report() const;

  void set_stdin_fd(int fd) { stdin_fd_ = fd; }

 private:
  const Runtime& runtime_;
  Bundle& bundle_;
  int out_fd_ = -1;
  int err_fd_ = -1;
  int stdin_fd_ = -1;
  int null_fd_ = -1;
  std::string pid_file_;
};

struct ProbeRun {
  json::Value report;
  int wait_status = 0;  // raw wait status; -1 when not observable
  std::string stdout_text;
  std::string stderr_text;
};

// create + start + wait for exit + parse + delete (through runtime when
// given, else the case's). The error says which step failed and how.
Result<ProbeRun> RunProbe(CaseContext& c, Bundle& bundle, int timeout_ms = 20000,
                          const Runtime* runtime = nullptr);

}  // namespace berth::conformance
