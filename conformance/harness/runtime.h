// Drives one runc-compatible runtime binary the way an engine does: a
// private --root, and one command per lifecycle operation.
#pragma once

#include <signal.h>

#include <string>
#include <vector>

#include "conformance/harness/process.h"
#include "spec/json.h"

namespace berth::conformance {

namespace json = spec::json;

struct CreateOptions {
  std::string pid_file;        // --pid-file
  std::string console_socket;  // --console-socket
  bool no_pivot = false;       // --no-pivot
  int stdin_fd = -1;           // container stdio (runc passes its own through)
  int stdout_fd = -1;
  int stderr_fd = -1;
  int timeout_ms = 30000;
  // Run the runtime through this command prefix (e.g. a shell that changes
  // an inherited attribute first, then execs "$0" "$@").
  std::vector<std::string> wrapper;
};

class Runtime {
 public:
  // prefix: a command every runtime call goes through (e.g. setpriv to run
  // it as an unprivileged user), empty for a direct call.
  Runtime(std::string path, std::string root, std::vector<std::string> prefix = {})
      : path_(std::move(path)), root_(std::move(root)), prefix_(std::move(prefix)) {}

  const std::string& path() const { return path_; }
  const std::string& root() const { return root_; }

  // `[PREFIX...] RUNTIME --root ROOT args...`
  CommandResult Run(const std::vector<std::string>& args, const CommandOptions& options = {}) const;
  CommandResult Create(const std::string& id, const std::string& bundle,
                       const CreateOptions& options = {}) const;
  CommandResult Start(const std::string& id) const;
  CommandResult Kill(const std::string& id, const std::string& signal = "KILL", bool all = false) const;
  CommandResult Delete(const std::string& id, bool force = false) const;
  CommandResult State(const std::string& id) const;
  // `state` parsed; an error carries the command's failure.
  Result<json::Value> StateJson(const std::string& id) const;
  // The "status" of the container, or "" if state fails.
  std::string Status(const std::string& id) const;

 private:
  std::vector<std::string> Command(const std::vector<std::string>& args) const;

  std::string path_;
  std::string root_;
  std::vector<std::string> prefix_;
};

}  // namespace berth::conformance
