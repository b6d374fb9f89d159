// berth: an OCI runtime with runc's command line. Parses the global flags,
// dispatches to one command, and logs an error exactly once, here.
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "runtime/base/rootless.h"
#include "runtime/base/sealed_self.h"
#include "runtime/cli/commands.h"
#include "runtime/log/log.h"
#include "spec/config.h"

namespace berth::cli {
namespace {

constexpr const char* kVersion = "0.1.0";

std::vector<FlagSpec> GlobalFlags() {
  return {
      {{"debug"}, false, "enable debug logging"},
      {{"log"}, true, "set the log file to write berth logs to (default is '/dev/stderr')"},
      {{"log-format"}, true, "set the log format ('text' (default), or 'json')", "\"text\""},
      {{"root"},
       true,
       "root directory for storage of container state (this should be located in tmpfs)",
       "\"/run/berth\" or \"$XDG_RUNTIME_DIR/berth\" for rootless containers"},
      {{"criu"}, true, "(unsupported) path to the criu binary used for checkpoint and restore"},
      {{"systemd-cgroup"},
       false,
       "enable systemd cgroup support, expects cgroupsPath to be of form \"slice:prefix:name\" for e.g. \"system.slice:runc:434234\""},
      {{"rootless"}, true, "ignore cgroup permission errors ('true', 'false', or 'auto')", "\"auto\""},
      {{"help", "h"}, false, "show help"},
      {{"version", "v"}, false, "print the version"},
  };
}

void PrintVersion() {
  std::printf("berth version %s\nspec: %s\n", kVersion, std::string(spec::kOciVersion).c_str());
}

void PrintHelp(const std::vector<Command>& commands) {
  std::string out =
      "NAME:\n   berth - Open Container Initiative runtime\n\n"
      "USAGE:\n   berth [global options] command [command options] [arguments...]\n\n"
      "VERSION:\n   " +
      std::string(kVersion) + "\nspec: " + std::string(spec::kOciVersion) + "\n\nCOMMANDS:\n";
  for (const auto& c : commands) {
    std::string name = c.name;
    name.resize(12, ' ');
    out += "   " + name + c.summary + "\n";
  }
  out += "\nGLOBAL OPTIONS:\n" + FlagHelp(GlobalFlags());
  std::fputs(out.c_str(), stdout);
}

void PrintCommandHelp(const Command& c) {
  std::string out = "NAME:\n   berth " + c.name + " - " + c.summary + "\n\nUSAGE:\n   berth " + c.name +
                    " [command options] " + c.args_usage + "\n";
  if (!c.flags.empty()) out += "\nOPTIONS:\n" + FlagHelp(c.flags);
  std::fputs(out.c_str(), stdout);
}

// Logs once: to the log (stderr in text form by default); when the log is a
// file, the message is also printed plainly on stderr, as runc does.
void ReportError(const std::string& message) {
  log::Err(message);
  if (log::LogsToFile()) std::fprintf(stderr, "%s\n", message.c_str());
}

void ReportWarning(std::string_view message) { log::Warn(message); }

// CVE-2019-5736: the commands whose processes end up in a container run from a
// read-only view of the berth binary (runtime/base/sealed_self.h); the others
// never put a process in a container and skip the re-exec.
[[maybe_unused]] bool StartsContainerProcesses(const std::string& command) {
  return command == "create" || command == "run" || command == "exec";
}

// Re-executes berth from a protected view of itself when `command` needs it
// (does not return then). Benchmark-only builds (testonly targets of
// bench/startup) leave it out or force the memfd fallback, to measure its
// cost; there is no run-time switch, so a production binary cannot be made
// to skip it.
Status ProtectSelfFor(const std::string& command, char** argv) {
#ifdef BERTH_BENCHMARK_ONLY_UNPROTECTED_BINARY
  (void)command;
  (void)argv;
  return Ok();
#else
#ifdef BERTH_BENCHMARK_ONLY_SEALED_MEMFD
  constexpr base::ReexecMethod kMethod = base::ReexecMethod::kSealedMemfd;
#else
  constexpr base::ReexecMethod kMethod = base::ReexecMethod::kAuto;
#endif
  if (!StartsContainerProcesses(command)) return Ok();
  return base::ReexecFromProtectedSelf(argv, environ, kMethod);
#endif
}

// "auto" as runc: unprivileged, or root of a user namespace (rootless
// podman runs the runtime so). With the systemd driver, runc asks the
// user's bus whether its systemd is rootless and counts an unanswered
// question as not; berth drives no user systemd, so euid 0 means not.
Result<bool> ParseRootless(const std::string& value, bool systemd_cgroup) {
  if (value == "auto" || value.empty()) {
    base::RootlessFacts facts = base::CurrentRootlessFacts();
    if (systemd_cgroup && facts.euid == 0) return false;
    return base::RootlessByDefault(facts);
  }
  if (value == "true") return true;
  if (value == "false") return false;
  return Error(EINVAL, "invalid value for --rootless: " + value);
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  std::vector<Command> commands = AllCommands();
  auto global_flags = ParseFlags(args, GlobalFlags(), Positional::kStopAtFirst);
  if (!global_flags) {
    ReportError(global_flags.error().ToString());
    return 1;
  }
  const ParsedFlags& g = *global_flags;
  auto format = log::ParseFormat(g.Get("log-format", "text"));
  if (!format) {
    ReportError(format.error().ToString());
    return 1;
  }
  if (Status s = log::Configure(g.Get("log"), *format, g.Bool("debug")); !s) {
    ReportError(s.error().ToString());
    return 1;
  }
  container::SetWarningHandler(ReportWarning);
  if (g.Bool("version")) {
    PrintVersion();
    return 0;
  }
  if (g.positional.empty() || g.Bool("help")) {
    PrintHelp(commands);
    return 0;
  }
  GlobalOptions global;
  global.runtime.root = g.Has("root") ? g.Get("root") : DefaultRoot(CurrentRootEnvironment());
  global.runtime.systemd_cgroup = g.Bool("systemd-cgroup");
  auto rootless = ParseRootless(g.Get("rootless", "auto"), global.runtime.systemd_cgroup);
  if (!rootless) {
    ReportError(rootless.error().ToString());
    return 1;
  }
  global.runtime.rootless = *rootless;

  const std::string& name = g.positional[0];
  const Command* command = nullptr;
  for (const auto& c : commands)
    if (c.name == name) command = &c;
  if (!command) {
    ReportError("No help topic for '" + name + "'");
    return 3;
  }
  if (Status s = ProtectSelfFor(name, argv); !s) {
    ReportError(s.error().ToString());
    return 1;
  }
  std::vector<FlagSpec> flag_specs = command->flags;
  flag_specs.push_back({{"help", "h"}, false, "show help"});
  std::vector<std::string> rest(g.positional.begin() + 1, g.positional.end());
  auto flags = ParseFlags(rest, flag_specs, command->mode);
  if (!flags) {
    ReportError(flags.error().ToString());
    return 1;
  }
  if (flags->Bool("help")) {
    PrintCommandHelp(*command);
    return 0;
  }
  int n = static_cast<int>(flags->positional.size());
  if (n < command->min_args || (command->max_args >= 0 && n > command->max_args)) {
    std::string expectation = command->min_args == command->max_args
                                  ? "exactly " + std::to_string(command->min_args)
                              : n < command->min_args ? "minimum " + std::to_string(command->min_args)
                                                      : "maximum " + std::to_string(command->max_args);
    PrintCommandHelp(*command);
    ReportError("berth: \"" + name + "\" requires " + expectation + " argument(s)");
    return 1;
  }
  auto result = command->handler(global, *flags);
  if (!result) {
    ReportError(result.error().ToString());
    return 1;
  }
  return *result;
}

}  // namespace

std::vector<Command> AllCommands() {
  return {CreateCommand(), DeleteCommand(), EventsCommand(), ExecCommand(),  FeaturesCommand(),
          KillCommand(),   ListCommand(),   PauseCommand(),  PsCommand(),    ResumeCommand(),
          RunCommand(),    SpecCommand(),   StartCommand(),  StateCommand(), UpdateCommand()};
}

}  // namespace berth::cli

int main(int argc, char** argv) {
  // Errors are values; an exception is only the standard library's own
  // (std::bad_alloc): said once, not std::terminate's abort.
  try {
    return berth::cli::Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "berth: %s\n", e.what());
    return 1;
  }
}
