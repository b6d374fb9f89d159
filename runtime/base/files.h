// Reading whole files: one implementation for the runtime's modules (state
// dir, cgroups, resctrl, the seccomp cache) and the benchmarks.
#pragma once

#include <string>

#include "runtime/base/error.h"

namespace berth::base {

// Appends everything up to end of file from `fd` to `out` (EINTR retried).
Status ReadAll(int fd, std::string& out);

// open(O_RDONLY | O_CLOEXEC) + ReadAll; errors name the path.
Result<std::string> ReadFileText(const std::string& path);

}  // namespace berth::base
