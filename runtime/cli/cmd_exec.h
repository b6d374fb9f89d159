// `berth exec` for the CLI's command table (runtime/cli/main.cc AllCommands).
#pragma once

#include "runtime/cli/commands.h"
#include "runtime/exec/exec.h"

namespace berth::cli {

// ExecCommand() is declared with the other commands in commands.h.
Result<int> RunExec(const GlobalOptions& global, const ParsedFlags& flags);
Result<exec::ExecOptions> ExecOptionsFrom(const ParsedFlags& flags);

}  // namespace berth::cli
