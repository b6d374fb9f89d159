// `berth run` without --detach: create + start, then stay the init's parent,
// forward signals to it, relay its pty when process.terminal is set and no
// --console-socket was given, reap it and return its exit status (128+signal
// when killed), deleting the container afterwards unless --keep.
#pragma once

#include "runtime/container/container.h"
#include "spec/error.h"

namespace berth::cli {

Result<int> RunForeground(const container::RuntimeOptions& runtime,
                          container::CreateOptions options, bool keep);

}  // namespace berth::cli
