// OCI lifecycle hooks (config.md "POSIX-platform Hooks").
#pragma once

#include <string_view>
#include <vector>

#include "runtime/base/error.h"
#include "spec/config.h"

namespace berth::hooks {

// Runs the hooks in order, each to completion, stopping at the first
// failure. Each hook is executed directly (path, with args as argv, args[0]
// being argv[0]; [path] when args is empty) with exactly its env, the state
// JSON on stdin, stdout and stderr captured, in its own process group, and
// with no fd beyond 0-2. A hook running longer than its timeout is killed
// (with its process group): "hook <path> (<phase>) timed out after Ns". A
// non-zero exit or death by signal is an error with the status and the tail
// of its stderr. Whether a failure aborts the container is the caller's call.
Status RunHooks(const std::vector<spec::Hook>& hooks, std::string_view state_json,
                std::string_view phase_name);

// One hook; RunHooks calls this for each.
Status RunHook(const spec::Hook& hook, std::string_view state_json, std::string_view phase_name);

}  // namespace berth::hooks
