#include "conformance/harness/runtime.h"

namespace berth::conformance {

namespace json = spec::json;

std::vector<std::string> Runtime::Command(const std::vector<std::string>& args) const {
  std::vector<std::string> argv = prefix_;
  argv.insert(argv.end(), {path_, "--root", root_});
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

CommandResult Runtime::Run(const std::vector<std::string>& args, const CommandOptions& options) const {
  return RunCommand(Command(args), options);
}

CommandResult Runtime::Create(const std::string& id, const std::string& bundle,
                              const CreateOptions& options) const {
  std::vector<std::string> args = {"create", "--bundle", bundle};
  if (!options.pid_file.empty()) args.insert(args.end(), {"--pid-file", options.pid_file});
  if (!options.console_socket.empty()) args.insert(args.end(), {"--console-socket", options.console_socket});
  if (options.no_pivot) args.push_back("--no-pivot");
  args.push_back(id);
  CommandOptions run;
  run.stdin_fd = options.stdin_fd;
  run.stdout_fd = options.stdout_fd;
  run.stderr_fd = options.stderr_fd;
  run.timeout_ms = options.timeout_ms;
  if (options.wrapper.empty()) return Run(args, run);
  std::vector<std::string> argv = options.wrapper;
  for (auto& a : Command(args)) argv.push_back(std::move(a));
  return RunCommand(argv, run);
}

CommandResult Runtime::Start(const std::string& id) const { return Run({"start", id}); }

CommandResult Runtime::Kill(const std::string& id, const std::string& signal, bool all) const {
  if (all) return Run({"kill", "--all", id, signal});
  return Run({"kill", id, signal});
}

CommandResult Runtime::Delete(const std::string& id, bool force) const {
  if (force) return Run({"delete", "--force", id});
  return Run({"delete", id});
}

CommandResult Runtime::State(const std::string& id) const { return Run({"state", id}); }

Result<json::Value> Runtime::StateJson(const std::string& id) const {
  CommandResult r = State(id);
  if (!r.ok()) return Error(r.Describe());
  auto json = json::Parse(r.out);
  if (!json) return std::move(json).error().Context("state output");
  return json;
}

std::string Runtime::Status(const std::string& id) const {
  auto state = StateJson(id);
  if (!state) return "";
  const json::Value* status = state->Find("status");
  return status ? status->as_string() : "";
}

}  // namespace berth::conformance
