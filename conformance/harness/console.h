// The receiving end of runc's --console-socket protocol: a listening
// AF_UNIX stream socket; the runtime connects and sends the pty master as
// SCM_RIGHTS ancillary data (with the path "/dev/ptmx"-like name as payload).
#pragma once

#include <string>
#include <vector>

#include "runtime/base/error.h"

namespace berth::conformance {

class ConsoleSocket {
 public:
  ConsoleSocket() = default;
  ConsoleSocket(const ConsoleSocket&) = delete;
  ConsoleSocket& operator=(const ConsoleSocket&) = delete;
  ~ConsoleSocket();

  Status Listen(const std::string& path);
  const std::string& path() const { return path_; }
  // Accepts one connection and returns the fd it carried (owned by the
  // caller, O_CLOEXEC), waiting up to timeout_ms.
  Result<int> ReceiveMaster(int timeout_ms);

  // One connection's first message: its payload, the fds it carried, and
  // whether the peer closed the connection right after it.
  struct Message {
    std::string payload;
    std::vector<int> fds;  // owned by the caller, O_CLOEXEC
    bool closed_after = false;
    int socket_type = 0;  // SO_TYPE of the accepted connection
  };
  Result<Message> Receive(int timeout_ms);

 private:
  int fd_ = -1;
  std::string path_;
};

}  // namespace berth::conformance
