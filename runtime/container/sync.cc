#include "runtime/container/sync.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <vector>

namespace berth::container {
namespace {

struct Header {
  uint32_t type;
  int32_t error_code;
};

}  // namespace

std::string_view SyncTypeName(SyncType type) {
  switch (type) {
    case SyncType::kSetupDone: return "setup-done";
    case SyncType::kRootfsReady: return "rootfs-ready";
    case SyncType::kHooksDone: return "hooks-done";
    case SyncType::kCreated: return "created";
    case SyncType::kError: return "error";
    case SyncType::kUnshared: return "unshared";
    case SyncType::kMappingsDone: return "mappings-done";
    case SyncType::kInitPid: return "init-pid";
    case SyncType::kInCgroup: return "in-cgroup";
  }
  return "unknown";
}

SyncSocket& SyncSocket::operator=(SyncSocket&& other) noexcept {
  if (this != &other) {
    Close();
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

SyncSocket::~SyncSocket() { Close(); }

void SyncSocket::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

Result<std::pair<SyncSocket, SyncSocket>> SyncSocket::Pair() {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0)
    return Error::Sys("sync: socketpair");
  return std::make_pair(SyncSocket(fds[0]), SyncSocket(fds[1]));
}

Status SyncSocket::Send(const SyncMessage& message) {
  Header header{static_cast<uint32_t>(message.type), message.error_code};
  std::vector<char> packet(sizeof header + message.payload.size());
  std::memcpy(packet.data(), &header, sizeof header);
  std::memcpy(packet.data() + sizeof header, message.payload.data(), message.payload.size());
  ssize_t n;
  do {
    n = send(fd_, packet.data(), packet.size(), MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Error::Sys("sync: send " + std::string(SyncTypeName(message.type)));
  return Ok();
}

Status SyncSocket::Send(SyncType type, std::string payload) {
  return Send(SyncMessage{type, 0, std::move(payload)});
}

Status SyncSocket::SendError(const Error& error) {
  return Send(SyncMessage{SyncType::kError, error.code(), error.message()});
}

Result<SyncMessage> SyncSocket::Receive() {
  // Peek the packet's size first so payloads of any size arrive whole.
  ssize_t size;
  do {
    size = recv(fd_, nullptr, 0, MSG_PEEK | MSG_TRUNC);
  } while (size < 0 && errno == EINTR);
  if (size < 0) return Error::Sys("sync: receive");
  if (size == 0) return Error(ECONNRESET, "sync: peer exited");
  std::vector<char> packet(size);
  ssize_t n;
  do {
    n = recv(fd_, packet.data(), packet.size(), 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Error::Sys("sync: receive");
  if (static_cast<size_t>(n) < sizeof(Header)) return Error(EPROTO, "sync: short message");
  Header header;
  std::memcpy(&header, packet.data(), sizeof header);
  if (header.type < static_cast<uint32_t>(SyncType::kSetupDone) ||
      header.type > static_cast<uint32_t>(SyncType::kInCgroup))
    return Error(EPROTO, "sync: unknown message type " + std::to_string(header.type));
  SyncMessage message;
  message.type = static_cast<SyncType>(header.type);
  message.error_code = header.error_code;
  message.payload.assign(packet.data() + sizeof header, n - sizeof header);
  return message;
}

Result<SyncMessage> SyncSocket::WaitFor(SyncType expected) {
  auto received = Receive();
  if (!received) {
    return std::move(received).error().Context("waiting for " +
                                               std::string(SyncTypeName(expected)));
  }
  SyncMessage message = std::move(received).value();
  if (message.type == SyncType::kError) return Error(message.error_code, message.payload);
  if (message.type != expected) {
    return Error(EPROTO, "sync: expected " + std::string(SyncTypeName(expected)) + ", got " +
                             std::string(SyncTypeName(message.type)));
  }
  return message;
}

}  // namespace berth::container
