// Resolving the process's executable, as execvp would, inside the container:
// the last lookup before FinishAndExec, for create's init and exec alike.
#pragma once

#include <string>
#include <vector>

#include "runtime/base/error.h"

namespace berth::process {

// The PATH used when process.env has none (runc's and Go's default).
inline constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Resolves `file` with the container's PATH (process.env; kDefaultPath when
// absent). A name with a '/' is taken as is. Result is the path to exec.
Result<std::string> LookPath(const std::string& file, const std::vector<std::string>& env);

}  // namespace berth::process
