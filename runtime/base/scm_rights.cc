#include "runtime/base/scm_rights.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace berth::base {

Status SendFd(int socket_fd, std::string_view payload, int fd) {
  if (payload.empty()) return Error(EINVAL, "SCM_RIGHTS: an fd needs a payload byte");
  iovec iov;
  iov.iov_base = const_cast<char*>(payload.data());
  iov.iov_len = payload.size();
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  std::memset(control, 0, sizeof control);
  msghdr msg;
  std::memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  cmsghdr* cmsg = CMSG_FIRSTHDR(&msg);
  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(cmsg), &fd, sizeof(int));

  size_t sent = 0;
  while (sent < payload.size()) {
    ssize_t n = sendmsg(socket_fd, &msg, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Error::Sys("sendmsg with SCM_RIGHTS");
    }
    if (n == 0) return Error(EIO, "sendmsg with SCM_RIGHTS: nothing sent");
    sent += static_cast<size_t>(n);
    iov.iov_base = const_cast<char*>(payload.data()) + sent;
    iov.iov_len = payload.size() - sent;
    msg.msg_control = nullptr;  // the fd went with the first part
    msg.msg_controllen = 0;
  }
  return Ok();
}

Result<int> ReceiveFd(int socket_fd, bool wait) {
  char payload[4096];
  iovec iov{payload, sizeof payload};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = recvmsg(socket_fd, &msg, MSG_CMSG_CLOEXEC | (wait ? 0 : MSG_DONTWAIT));
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Error::Sys("receive an fd (SCM_RIGHTS)");
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
      return fd;
    }
  }
  return Error(EPROTO, "socket message without a file descriptor");
}

}  // namespace berth::base
