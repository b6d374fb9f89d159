#include "runtime/cgroups/dbus_connection.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace berth::cgroups::dbus {
namespace {

constexpr size_t kMaxAuthLine = 16384;
constexpr size_t kMaxKeptSignals = 256;

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Address values escape bytes as %xx.
Result<std::string> Unescape(std::string_view value) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '%') {
      out.push_back(value[i]);
      continue;
    }
    if (i + 2 >= value.size() || HexDigit(value[i + 1]) < 0 || HexDigit(value[i + 2]) < 0)
      return Error(EINVAL, "bad %-escape in D-Bus address");
    out.push_back(static_cast<char>(HexDigit(value[i + 1]) * 16 + HexDigit(value[i + 2])));
    i += 2;
  }
  return out;
}

int RemainingMs(std::chrono::steady_clock::time_point deadline) {
  auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  return left.count() <= 0 ? 0 : static_cast<int>(std::min<long long>(left.count(), 1 << 30));
}

Result<int> ConnectUnix(const std::string& socket, std::chrono::steady_clock::time_point deadline) {
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (socket.empty() || socket.size() >= sizeof addr.sun_path)
    return Error(ENAMETOOLONG, "D-Bus socket path \"" + socket + "\" is empty or too long");
  socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + socket.size());
  if (socket[0] == '@') {
    addr.sun_path[0] = '\0';  // abstract: no terminating NUL
    socket.copy(addr.sun_path + 1, socket.size() - 1, 1);
  } else {
    socket.copy(addr.sun_path, socket.size());
    len += 1;
  }
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return Error::Sys("socket");
  for (;;) {
    if (connect(fd, reinterpret_cast<const sockaddr*>(&addr), len) == 0) return fd;
    if (errno == EINTR) continue;
    // A full listen backlog: the bus is busy, not gone; retry until the deadline.
    if (errno == EAGAIN && RemainingMs(deadline) > 0) {
      struct timespec ts = {0, 2L * 1000 * 1000};
      nanosleep(&ts, nullptr);
      continue;
    }
    Error err = Error::Sys("connect to D-Bus socket " + socket);
    close(fd);
    return err;
  }
}

int ErrnoForName(std::string_view name) {
  struct Entry {
    const char* suffix;
    int code;
  };
  static const Entry kEntries[] = {
      {".AccessDenied", EACCES},      {".AuthFailed", EACCES},       {".NoReply", ETIMEDOUT},
      {".Timeout", ETIMEDOUT},        {".TimedOut", ETIMEDOUT},      {".ServiceUnknown", ENOENT},
      {".NameHasNoOwner", ENOENT},    {".UnknownMethod", ENOTSUP},   {".UnknownObject", ENOTSUP},
      {".UnknownInterface", ENOTSUP}, {".UnknownProperty", ENOTSUP}, {".NotSupported", ENOTSUP},
      {".InvalidArgs", EINVAL},       {".NoSuchUnit", ENOENT},       {".UnitExists", EEXIST},
      {".NoMemory", ENOMEM},          {".LimitsExceeded", EAGAIN},
  };
  for (const Entry& e : kEntries) {
    std::string_view suffix = e.suffix;
    if (name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix) return e.code;
  }
  return EIO;
}

}  // namespace

Result<std::string> SocketFromAddress(std::string_view address) {
  size_t start = 0;
  while (start <= address.size()) {
    size_t end = address.find(';', start);
    if (end == std::string_view::npos) end = address.size();
    std::string_view one = address.substr(start, end - start);
    start = end + 1;
    if (one.substr(0, 5) != "unix:") continue;
    std::string_view params = one.substr(5);
    size_t at = 0;
    while (at <= params.size()) {
      size_t comma = params.find(',', at);
      if (comma == std::string_view::npos) comma = params.size();
      std::string_view kv = params.substr(at, comma - at);
      at = comma + 1;
      if (kv.substr(0, 5) == "path=") return Unescape(kv.substr(5));
      if (kv.substr(0, 9) == "abstract=") return "@" + BERTH_TRY(Unescape(kv.substr(9)));
    }
  }
  return Error(ENOTSUP,
               "D-Bus address \"" + std::string(address) + "\" names no unix:path or unix:abstract socket");
}

Result<std::string> SystemBusSocket() {
  const char* env = getenv("DBUS_SYSTEM_BUS_ADDRESS");
  if (env == nullptr || *env == '\0') return std::string(kDefaultSystemBusSocket);
  return BERTH_TRY_CTX(SocketFromAddress(env), "DBUS_SYSTEM_BUS_ADDRESS");
}

Error ReplyError(const Message& reply) {
  std::string text = reply.ErrorText();
  return Error(ErrnoForName(reply.error_name), reply.error_name + (text.empty() ? "" : ": " + text));
}

Result<std::unique_ptr<Connection>> Connection::Open(const ConnectOptions& options) {
  Deadline deadline = std::chrono::steady_clock::now() + options.timeout;
  int fd = BERTH_TRY(ConnectUnix(options.socket, deadline));
  std::unique_ptr<Connection> conn(new Connection(fd, options.timeout));
  BERTH_TRY_CTX(conn->Authenticate(), "D-Bus authentication on " + options.socket);
  if (options.hello) {
    Message hello =
        Message::MethodCall("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello");
    Message reply = BERTH_TRY_CTX(conn->Call(std::move(hello)), "D-Bus Hello on " + options.socket);
    if (reply.body.empty() || reply.body[0].type != 's')
      return Error(EPROTO, "D-Bus Hello on " + options.socket + ": reply carries no unique name");
    conn->unique_name_ = reply.body[0].text;
  }
  return conn;
}

Connection::~Connection() { close(fd_); }

Status Connection::Authenticate() {
  Deadline deadline = NewDeadline();
  // The uid, as decimal text, hex-encoded: what the server checks against
  // the socket's peer credentials.
  std::string uid = std::to_string(getuid()), hex;
  static const char kHex[] = "0123456789abcdef";
  for (unsigned char c : uid) {
    hex.push_back(kHex[c >> 4]);
    hex.push_back(kHex[c & 15]);
  }
  BERTH_TRY(WriteAll(std::string(1, '\0') + "AUTH EXTERNAL " + hex + "\r\n", deadline));
  std::string line = BERTH_TRY(ReadLine(deadline));
  if (line.rfind("OK ", 0) != 0 && line != "OK") {
    if (line.rfind("REJECTED", 0) == 0)
      return Error(EACCES, "the bus rejected AUTH EXTERNAL for uid " + uid + " (\"" + line + "\")");
    return Error(EPROTO, "unexpected SASL reply \"" + line + "\"");
  }
  // Without NEGOTIATE_UNIX_FD: no descriptors are passed either way.
  return WriteAll("BEGIN\r\n", deadline);
}

Status Connection::WriteAll(std::string_view data, Deadline deadline) {
  while (!data.empty()) {
    // MSG_NOSIGNAL: a bus that went away is an error, not SIGPIPE.
    ssize_t n = send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    if (n > 0) {
      data.remove_prefix(static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) return Error::Sys("write to D-Bus socket");
    pollfd p = {fd_, POLLOUT, 0};
    int r = poll(&p, 1, RemainingMs(deadline));
    if (r < 0 && errno != EINTR) return Error::Sys("poll D-Bus socket");
    if (r == 0) return Error(ETIMEDOUT, "timed out writing to the D-Bus socket");
  }
  return Ok();
}

Status Connection::ReadSome(Deadline deadline) {
  for (;;) {
    char buf[16384];
    ssize_t n = read(fd_, buf, sizeof buf);
    if (n > 0) {
      in_.append(buf, static_cast<size_t>(n));
      return Ok();
    }
    if (n == 0) return Error(ECONNRESET, "the D-Bus peer closed the connection");
    if (errno == EINTR) continue;
    if (errno != EAGAIN) return Error::Sys("read from D-Bus socket");
    pollfd p = {fd_, POLLIN, 0};
    int r = poll(&p, 1, RemainingMs(deadline));
    if (r < 0 && errno != EINTR) return Error::Sys("poll D-Bus socket");
    if (r == 0) return Error(ETIMEDOUT, "timed out waiting for the D-Bus peer");
  }
}

Result<std::string> Connection::ReadLine(Deadline deadline) {
  for (;;) {
    size_t end = in_.find("\r\n");
    if (end != std::string::npos) {
      std::string line = in_.substr(0, end);
      in_.erase(0, end + 2);
      return line;
    }
    if (in_.size() > kMaxAuthLine) return Error(EPROTO, "SASL line too long");
    BERTH_TRY(ReadSome(deadline));
  }
}

Result<Message> Connection::ReadMessage(Deadline deadline) {
  while (in_.size() < kFixedHeaderSize) BERTH_TRY(ReadSome(deadline));
  size_t length = BERTH_TRY(MessageLength(in_));
  while (in_.size() < length) BERTH_TRY(ReadSome(deadline));
  Result<Message> message = Unmarshal(std::string_view(in_).substr(0, length));
  in_.erase(0, length);
  return message;
}

void Connection::Keep(Message signal) {
  if (signals_.size() >= kMaxKeptSignals) signals_.pop_front();
  signals_.push_back(std::move(signal));
}

Result<Message> Connection::CallRaw(Message call) {
  Deadline deadline = NewDeadline();
  call.type = MessageType::kMethodCall;
  call.serial = next_serial_++;
  std::string bytes = BERTH_TRY(Marshal(call));
  BERTH_TRY_CTX(WriteAll(bytes, deadline), call.member);
  for (;;) {
    Message m = BERTH_TRY_CTX(ReadMessage(deadline), "waiting for the reply to " + call.member);
    if (m.type == MessageType::kSignal) {
      Keep(std::move(m));
      continue;
    }
    if ((m.type == MessageType::kMethodReturn || m.type == MessageType::kError) &&
        m.reply_serial == call.serial)
      return m;
    // Replies to other serials, and calls to us, are not ours to answer.
  }
}

Result<Message> Connection::Call(Message call) {
  std::string member = call.member;
  Message reply = BERTH_TRY(CallRaw(std::move(call)));
  if (reply.type == MessageType::kError) return ReplyError(reply).Context(member);
  return reply;
}

Result<Message> Connection::WaitForSignal(const std::function<bool(const Message&)>& match) {
  while (!signals_.empty()) {
    Message m = std::move(signals_.front());
    signals_.pop_front();
    if (match(m)) return m;
  }
  Deadline deadline = NewDeadline();
  for (;;) {
    Message m = BERTH_TRY(ReadMessage(deadline));
    if (m.type == MessageType::kSignal && match(m)) return m;
  }
}

}  // namespace berth::cgroups::dbus
