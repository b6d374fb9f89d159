// Reading whole files: one implementation for the runtime's modules (state
// dir, cgroups, resctrl, the seccomp cache) and the benchmarks.
#pragma once

#include <string>
#include <string_view>

#include "runtime/base/error.h"

namespace berth::base {

// Appends everything up to end of file from `fd` to `out` (EINTR retried).
Status ReadAll(int fd, std::string& out);

// open(O_RDONLY | O_CLOEXEC) + ReadAll; errors name the path.
Result<std::string> ReadFileText(const std::string& path);

// Writes `text` to an existing file in one write(2), as kernel files (id
// maps, cgroup and proc knobs) need: open(O_WRONLY | O_CLOEXEC), no create.
// Errors carry errno and name the path ("write PATH"; EIO on a short write).
Status WriteKernelFile(const std::string& path, std::string_view text);

}  // namespace berth::base
