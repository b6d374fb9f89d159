// The messages of `exec`'s sync socket, PARENT side decoding. The
// intermediate child (exec_child.cc) sends "P<pid>" once the process is
// cloned in the container, or "E<error text>"; after the parent's "G", end of
// file (close-on-exec: execve succeeded) or "E<error text>".
#pragma once

#include <sys/types.h>

#include <string_view>

#include "spec/error.h"

namespace berth::container {

// The first message: the pid of the exec'd process, or the child's error.
// An empty message means the intermediate child died.
Result<pid_t> DecodeExecStarted(std::string_view message);

// The message after "G": empty (end of file) is success, else the error.
Status DecodeExecResult(std::string_view message);

}  // namespace berth::container
