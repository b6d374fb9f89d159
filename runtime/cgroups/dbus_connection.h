// A minimal synchronous D-Bus client over a unix socket: SASL EXTERNAL,
// Hello(), method calls with a timeout, and waiting for a signal.
//
// berth talks to systemd through the system bus, as runc does (go-systemd's
// NewSystemConnection), rather than through systemd's private socket
// /run/systemd/private: that socket is root-only and undocumented as an
// interface, while the bus is the supported one and also works where
// policy, not uid, decides access. The cost is Hello() and AddMatch.
#pragma once

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "runtime/base/error.h"
#include "runtime/cgroups/dbus_message.h"

namespace berth::cgroups::dbus {

inline constexpr char kDefaultSystemBusSocket[] = "/run/dbus/system_bus_socket";

// The socket a D-Bus address names: the first "unix:path=..." (or
// "unix:abstract=...", returned with a leading '@') of a ';'-separated list.
// Other transports (tcp, unixexec, ...) are ENOTSUP.
Result<std::string> SocketFromAddress(std::string_view address);

// $DBUS_SYSTEM_BUS_ADDRESS when set, else kDefaultSystemBusSocket.
Result<std::string> SystemBusSocket();

struct ConnectOptions {
  std::string socket;  // a path, or "@name" for an abstract socket
  // Bounds each step: connecting, authenticating, every call, every wait.
  std::chrono::milliseconds timeout{25000};
  // A bus needs Hello() before anything else; a peer-to-peer socket (such
  // as systemd's private one) has no bus driver to say it to.
  bool hello = true;
};

// An ERROR reply as an Error: "<error name>: <text>", with an errno for the
// common names (UnknownMethod -> ENOTSUP, AccessDenied -> EACCES,
// systemd's NoSuchUnit -> ENOENT, UnitExists -> EEXIST, ...; else EIO).
Error ReplyError(const Message& reply);

class Connection {
 public:
  static Result<std::unique_ptr<Connection>> Open(const ConnectOptions& options);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Sends the call and returns its METHOD_RETURN or ERROR. Signals that
  // arrive meanwhile are kept for WaitForSignal; other messages are skipped.
  Result<Message> CallRaw(Message call);
  // CallRaw, with an ERROR reply turned into ReplyError.
  Result<Message> Call(Message call);
  // The first signal, kept or new, for which match is true. Kept signals
  // that do not match are dropped.
  Result<Message> WaitForSignal(const std::function<bool(const Message&)>& match);

  // ":1.42" after Hello(); empty on a peer-to-peer connection.
  const std::string& unique_name() const { return unique_name_; }

 private:
  Connection(int fd, std::chrono::milliseconds timeout) : fd_(fd), timeout_(timeout) {}
  using Deadline = std::chrono::steady_clock::time_point;
  Deadline NewDeadline() const { return std::chrono::steady_clock::now() + timeout_; }

  Status Authenticate();
  Status WriteAll(std::string_view data, Deadline deadline);
  // Reads more bytes into in_; ETIMEDOUT at the deadline, ECONNRESET at EOF.
  Status ReadSome(Deadline deadline);
  Result<std::string> ReadLine(Deadline deadline);
  Result<Message> ReadMessage(Deadline deadline);
  void Keep(Message signal);

  int fd_;
  std::chrono::milliseconds timeout_;
  std::string in_;
  uint32_t next_serial_ = 1;
  std::string unique_name_;
  std::deque<Message> signals_;
};

}  // namespace berth::cgroups::dbus
