// Opening a file under /proc for writing only when it is what it claims to
// be: on procfs, and not overmounted by something else (CVE-2019-16884,
// CVE-2023-28642, CVE-2025-52881: a planted or racing mount redirects writes
// of labels and process attributes).
#pragma once

#include <string>

#include "runtime/base/error.h"

namespace berth::process {

// open(path, flags | O_NOFOLLOW | O_CLOEXEC), then checks the fd is on procfs
// and on the same mount as proc_root. Errors name the path (EXDEV for a
// failed check).
Result<int> OpenVerifiedProcFile(const std::string& path, int flags, const std::string& proc_root = "/proc");

}  // namespace berth::process
