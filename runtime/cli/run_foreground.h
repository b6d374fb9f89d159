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

// Receives one fd sent with SCM_RIGHTS on a unix socket (runc's console
// socket protocol); the payload is ignored. -1 with EAGAIN when none is queued.
Result<int> ReceiveFd(int socket_fd, bool wait);

}  // namespace berth::cli
