#include "runtime/container/sync.h"

#include <sys/socket.h>
#include <unistd.h>

#include <climits>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "runtime/log/log.h"

namespace berth::container {
namespace {

struct Header {
  uint32_t type;
  int32_t error_code;
  uint32_t flags;  // kSyncMore: another packet of the same message follows
};

// One packet, read whole whatever its size (peeked first). ECONNRESET on EOF.
Result<std::vector<char>> ReceivePacket(int fd, int flags) {
  ssize_t size;
  do {
    size = recv(fd, nullptr, 0, MSG_PEEK | MSG_TRUNC | flags);
  } while (size < 0 && errno == EINTR);
  if (size < 0) return Error::Sys("sync: receive");
  if (size == 0) return Error(ECONNRESET, "sync: peer exited");
  std::vector<char> packet(size);
  ssize_t n;
  do {
    n = recv(fd, packet.data(), packet.size(), flags);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return Error::Sys("sync: receive");
  packet.resize(n);
  return packet;
}

// --debug: one line per message (runc logs its sync messages the same way).
void LogMessage(const char* direction, const SyncMessage& message) {
  std::string line = "sync: pid " + std::to_string(getpid()) + " " + direction + " " +
                     std::string(SyncTypeName(message.type));
  if (message.type == SyncType::kError)
    line += " errno " + std::to_string(message.error_code) + ": " + message.payload;
  else if (!message.payload.empty())
    line += " (" + std::to_string(message.payload.size()) + " bytes)";
  log::Debug(line);
}

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

Result<SyncPacket> DecodeSyncPacket(std::string_view packet) {
  if (packet.size() < sizeof(Header)) return Error(EPROTO, "sync: short message");
  Header header;
  std::memcpy(&header, packet.data(), sizeof header);
  if (header.type < static_cast<uint32_t>(SyncType::kSetupDone) ||
      header.type > static_cast<uint32_t>(SyncType::kInCgroup))
    return Error(EPROTO, "sync: unknown message type " + std::to_string(header.type));
  if ((header.flags & ~kSyncMore) != 0)
    return Error(EPROTO, "sync: unknown flags " + std::to_string(header.flags));
  SyncPacket out;
  out.type = static_cast<SyncType>(header.type);
  out.error_code = header.error_code;
  out.more = (header.flags & kSyncMore) != 0;
  out.payload = packet.substr(sizeof header);
  return out;
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
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) return Error::Sys("sync: socketpair");
  return std::make_pair(SyncSocket(fds[0]), SyncSocket(fds[1]));
}

Status SyncSocket::Send(const SyncMessage& message) {
  const std::string& payload = message.payload;
  if (payload.size() > kSyncMaxPayloadBytes)
    return Error(EMSGSIZE, "sync: " + std::string(SyncTypeName(message.type)) + " payload of " +
                               std::to_string(payload.size()) + " bytes is too large");
  std::vector<char> packet;
  size_t offset = 0;
  do {
    size_t slice = std::min(kSyncChunkBytes, payload.size() - offset);
    bool more = offset + slice < payload.size();
    Header header{static_cast<uint32_t>(message.type), message.error_code, more ? kSyncMore : 0};
    packet.resize(sizeof header + slice);
    std::memcpy(packet.data(), &header, sizeof header);
    std::memcpy(packet.data() + sizeof header, payload.data() + offset, slice);
    ssize_t n;
    do {
      n = send(fd_, packet.data(), packet.size(), MSG_NOSIGNAL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
      Error sent = Error::Sys("sync: send " + std::string(SyncTypeName(message.type)));
      // The peer is gone: what it reported before going is the real error.
      if (errno == EPIPE || errno == ECONNRESET) {
        if (auto reported = PendingPeerError()) return *reported;
      }
      return sent;
    }
    offset += slice;
  } while (offset < payload.size());
  if (log::DebugEnabled()) LogMessage("sent", message);
  return Ok();
}

Status SyncSocket::Send(SyncType type, std::string payload) {
  return Send(SyncMessage{type, 0, std::move(payload)});
}

Status SyncSocket::SendError(const Error& error) {
  return Send(SyncMessage{SyncType::kError, error.code(), error.message()});
}

Result<SyncMessage> SyncSocket::Receive() {
  SyncMessage message;
  for (bool first = true;; first = false) {
    std::vector<char> packet = BERTH_TRY(ReceivePacket(fd_, 0));
    SyncPacket decoded = BERTH_TRY(DecodeSyncPacket(std::string_view(packet.data(), packet.size())));
    if (first) {
      message.type = decoded.type;
      message.error_code = decoded.error_code;
    } else if (decoded.type != message.type) {
      return Error(EPROTO, "sync: " + std::string(SyncTypeName(decoded.type)) + " packet inside a " +
                               std::string(SyncTypeName(message.type)) + " message");
    }
    if (message.payload.size() + decoded.payload.size() > kSyncMaxPayloadBytes)
      return Error(EMSGSIZE, "sync: " + std::string(SyncTypeName(message.type)) + " message is too large");
    message.payload.append(decoded.payload);
    if (!decoded.more) {
      if (log::DebugEnabled()) LogMessage("received", message);
      return message;
    }
  }
}

std::optional<Error> SyncSocket::PendingPeerError() {
  // Messages still queued are read in order; a kError is always one packet
  // in practice, but a long one is reassembled like any other.
  for (;;) {
    auto packet = ReceivePacket(fd_, MSG_DONTWAIT | MSG_PEEK);
    if (!packet) return std::nullopt;
    auto decoded = DecodeSyncPacket(std::string_view(packet->data(), packet->size()));
    if (!decoded) return std::nullopt;
    auto message = Receive();  // the packet is there: this does not block on it
    if (!message) return std::nullopt;
    if (message->type == SyncType::kError) return Error(message->error_code, message->payload);
  }
}

Result<SyncMessage> SyncSocket::WaitFor(SyncType expected) {
  auto received = Receive();
  if (!received) {
    return std::move(received).error().Context("waiting for " + std::string(SyncTypeName(expected)));
  }
  SyncMessage message = std::move(received).value();
  if (message.type == SyncType::kError) {
    // The peer's text is all the user will read about the failure.
    if (message.payload.empty())
      return Error(message.error_code, "sync: error from the peer without a message");
    return Error(message.error_code, message.payload);
  }
  if (message.type != expected) {
    return Error(EPROTO, "sync: expected " + std::string(SyncTypeName(expected)) + ", got " +
                             std::string(SyncTypeName(message.type)));
  }
  return message;
}

Result<pid_t> ParseReportedPid(const SyncMessage& message) {
  const std::string& text = message.payload;
  // Canonical decimal only: no sign, space or leading zero.
  if (text.empty() || text[0] < '1' || text[0] > '9')
    return Error(EPROTO, "sync: bad pid \"" + text + "\" in " + std::string(SyncTypeName(message.type)));
  char* end = nullptr;
  errno = 0;
  long pid = std::strtol(text.c_str(), &end, 10);
  // The whole payload is the number: strtol stops at an embedded NUL.
  if (pid <= 0 || errno != 0 || end != text.c_str() + text.size() || pid > INT_MAX)
    return Error(EPROTO, "sync: bad pid \"" + text + "\" in " + std::string(SyncTypeName(message.type)));
  return static_cast<pid_t>(pid);
}

}  // namespace berth::container
