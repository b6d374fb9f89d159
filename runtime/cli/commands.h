// The command table of the berth CLI: one entry (and one small file) per
// runc command. Each handler parses nothing itself: flags arrive parsed.
#pragma once

#include <string>
#include <vector>

#include "runtime/base/error.h"
#include "runtime/cli/flags.h"
#include "runtime/container/container.h"

namespace berth::cli {

// --debug is not here: it sets the log level (log::Configure), and debug
// lines go through log::Debug.
struct GlobalOptions {
  container::RuntimeOptions runtime;
};

// A handler returns the process exit status, or an Error the CLI logs once.
using Handler = Result<int> (*)(const GlobalOptions&, const ParsedFlags&);

struct Command {
  std::string name;
  std::string summary;
  std::string args_usage;  // e.g. "<container-id>"
  std::vector<FlagSpec> flags;
  Handler handler;
  int min_args = 0;
  int max_args = 0;  // -1: any number
  Positional mode = Positional::kInterleaved;
};

Command CreateCommand();
Command RunCommand();
Command StartCommand();
Command StateCommand();
Command KillCommand();
Command DeleteCommand();
Command ListCommand();
Command SpecCommand();
Command FeaturesCommand();
Command PauseCommand();
Command ResumeCommand();
Command PsCommand();
Command ExecCommand();  // runtime/cli:cmd_exec
Command UpdateCommand();
Command EventsCommand();

std::vector<Command> AllCommands();

}  // namespace berth::cli
