// Passing one file descriptor over a unix socket (SCM_RIGHTS), the one
// implementation behind the console socket (runc's protocol), the seccomp
// listener and a foreground run/exec's pty relay.
#pragma once

#include <string_view>

#include "runtime/base/error.h"

namespace berth::base {

// Sends `fd` with the first sendmsg of `payload` (which must not be empty:
// the fd needs a byte to travel with); a long payload on a stream socket
// follows in further sends. Nothing but sendmsg(2) on the success path, no
// allocation: safe after a seccomp filter that allows sendmsg.
Status SendFd(int socket_fd, std::string_view payload, int fd);

// Receives one message and the fd it carries, O_CLOEXEC (payload up to 4 KiB,
// ignored). EAGAIN when nothing is queued and !wait; EPROTO when the message
// has no fd.
Result<int> ReceiveFd(int socket_fd, bool wait);

}  // namespace berth::base
