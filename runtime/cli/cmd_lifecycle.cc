// `berth start`, `state`, `kill`, `delete`, `pause`, `resume`, `ps`: each one
// library call on an existing container.
#include <unistd.h>

#include <cstdio>

#include "runtime/cli/commands.h"
#include "runtime/cli/state_output.h"
#include "runtime/container/signals.h"
#include "spec/state.h"

namespace berth::cli {
namespace {

const std::string& Id(const ParsedFlags& flags) { return flags.positional.at(0); }

Result<int> RunStart(const GlobalOptions& global, const ParsedFlags& flags) {
  BERTH_TRY(container::Start(global.runtime, Id(flags)));
  return 0;
}

Result<int> RunState(const GlobalOptions& global, const ParsedFlags& flags) {
  container::ListEntry entry = BERTH_TRY(container::Describe(global.runtime, Id(flags)));
  std::string out = RuncStateJson(entry, /*owner=*/"", "  ") + "\n";
  fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

Result<int> RunKill(const GlobalOptions& global, const ParsedFlags& flags) {
  int signal =
      BERTH_TRY(container::ParseSignal(flags.positional.size() > 1 ? flags.positional[1] : "SIGTERM"));
  BERTH_TRY(container::Kill(global.runtime, Id(flags), signal, flags.Bool("all")));
  return 0;
}

Result<int> RunDelete(const GlobalOptions& global, const ParsedFlags& flags) {
  BERTH_TRY(container::Delete(global.runtime, Id(flags), flags.Bool("force")));
  return 0;
}

Result<int> RunPause(const GlobalOptions& global, const ParsedFlags& flags) {
  BERTH_TRY(container::Pause(global.runtime, Id(flags)));
  return 0;
}

Result<int> RunResume(const GlobalOptions& global, const ParsedFlags& flags) {
  BERTH_TRY(container::Resume(global.runtime, Id(flags)));
  return 0;
}

Result<int> RunPs(const GlobalOptions& global, const ParsedFlags& flags) {
  std::vector<pid_t> pids = BERTH_TRY(container::Processes(global.runtime, Id(flags)));
  std::string format = flags.Get("format", "table");
  std::string out;
  if (format == "json") {
    out = "[";
    for (size_t i = 0; i < pids.size(); ++i) out += (i ? "," : "") + std::to_string(pids[i]);
    out += "]\n";
  } else if (format == "table") {
    out = "PID\n";
    for (pid_t pid : pids) out += std::to_string(pid) + "\n";
  } else {
    return Error(EINVAL, "invalid format option");
  }
  fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

Command StartCommand() {
  return {
      "start", "executes the user defined process in a created container", "<container-id>", {}, RunStart, 1,
      1};
}

Command StateCommand() {
  return {"state", "output the state of a container", "<container-id>", {}, RunState, 1, 1};
}

Command KillCommand() {
  return {"kill",
          "kill sends the specified signal (default: SIGTERM) to the container's init process",
          "<container-id> [signal]",
          {{{"all", "a"}, false, "send the specified signal to all processes inside the container"}},
          RunKill,
          1,
          2};
}

Command DeleteCommand() {
  return {"delete",
          "delete any resources held by the container often used with detached container",
          "<container-id>",
          {{{"force", "f"}, false, "Forcibly deletes the container if it is still running (uses SIGKILL)"}},
          RunDelete,
          1,
          1};
}

Command PauseCommand() {
  return {"pause", "pause suspends all processes inside the container", "<container-id>", {}, RunPause, 1, 1};
}

Command ResumeCommand() {
  return {
      "resume", "resumes all processes that have been previously paused", "<container-id>", {}, RunResume, 1,
      1};
}

Command PsCommand() {
  return {"ps",
          "ps displays the processes running inside a container",
          "<container-id>",
          {{{"format", "f"}, true, "select one of: table or json", "table"}},
          RunPs,
          1,
          1};
}

}  // namespace berth::cli
