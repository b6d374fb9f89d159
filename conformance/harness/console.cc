#include "conformance/harness/console.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

namespace berth::conformance {

ConsoleSocket::~ConsoleSocket() {
  if (fd_ >= 0) close(fd_);
  if (!path_.empty()) unlink(path_.c_str());
}

Status ConsoleSocket::Listen(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return Error("console socket path too long: " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return Error::Sys("socket");
  if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return Error::Sys("bind " + path);
  path_ = path;
  if (listen(fd_, 4) != 0) return Error::Sys("listen " + path);
  return Ok();
}

Result<ConsoleSocket::Message> ConsoleSocket::Receive(int timeout_ms) {
  pollfd pfd{fd_, POLLIN, 0};
  int ready = poll(&pfd, 1, timeout_ms);
  if (ready < 0) return Error::Sys("poll " + path_);
  if (ready == 0) return Error("no connection on " + path_ + " within " + std::to_string(timeout_ms) + " ms");
  int conn = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (conn < 0) return Error::Sys("accept " + path_);
  Message m;
  socklen_t len = sizeof m.socket_type;
  getsockopt(conn, SOL_SOCKET, SO_TYPE, &m.socket_type, &len);
  // Read the whole stream: the payload may arrive in several sendmsg calls;
  // fds are taken from whichever message carries them.
  while (true) {
    pollfd cpfd{conn, POLLIN, 0};
    if (poll(&cpfd, 1, timeout_ms) <= 0) break;
    char payload[65536];
    iovec iov{payload, sizeof payload};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 16)];
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
    if (n < 0) {
      int err = errno;
      close(conn);
      return Error(err, "recvmsg " + path_);
    }
    for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
      if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
      size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
      for (size_t i = 0; i < count; ++i) {
        int fd;
        std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
        m.fds.push_back(fd);
      }
    }
    if (n == 0) {
      m.closed_after = true;
      break;
    }
    m.payload.append(payload, static_cast<size_t>(n));
  }
  close(conn);
  return m;
}

Result<int> ConsoleSocket::ReceiveMaster(int timeout_ms) {
  pollfd pfd{fd_, POLLIN, 0};
  int ready = poll(&pfd, 1, timeout_ms);
  if (ready < 0) return Error::Sys("poll console socket");
  if (ready == 0)
    return Error("no connection on the console socket within " + std::to_string(timeout_ms) + " ms");
  int conn = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
  if (conn < 0) return Error::Sys("accept console socket");
  char payload[4096];
  iovec iov{payload, sizeof payload};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  pollfd cpfd{conn, POLLIN, 0};
  if (poll(&cpfd, 1, timeout_ms) <= 0) {
    close(conn);
    return Error("console socket: no message");
  }
  ssize_t n = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
  int err = errno;
  close(conn);
  if (n < 0) return Error(err, "recvmsg console socket");
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS && c->cmsg_len >= CMSG_LEN(sizeof(int))) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
      return fd;
    }
  }
  return Error("console socket message carried no file descriptor");
}

}  // namespace berth::conformance
