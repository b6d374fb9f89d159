// Reading an input file of the user's (config.json, `exec -p` process.json,
// `update -r` resources) safely: a bundle may be hostile.
//
// Symlinks are followed, as runc does (a bundle whose config.json links to
// a regular file elsewhere is legitimate), but the target must be a regular
// file: a FIFO would block the runtime forever, /dev/zero would be read
// until memory runs out, and a device is never opened for reading at all
// (opening some devices has effects, e.g. a watchdog). The file is opened
// O_PATH first, checked with fstat, and only then reopened for reading.
//
// Its size is capped at kMaxInputFileBytes (runc has no limit). 128 MiB is
// far above any real config (annotations of tens of MB are accepted and
// carried to the container's hooks), and low enough that a hostile file
// fails with a clear error rather than exhausting memory.
#pragma once

#include <cstddef>
#include <string>

#include "runtime/base/error.h"

namespace berth::spec {

inline constexpr size_t kMaxInputFileBytes = 128u << 20;

// The whole content of `path`, a regular file of at most max_bytes bytes.
// Errors name the path: EINVAL "... is not a regular file (a FIFO)",
// EFBIG "... is larger than the 128 MiB limit", or the open/read errno.
Result<std::string> ReadInputFile(const std::string& path, size_t max_bytes = kMaxInputFileBytes);

}  // namespace berth::spec
