// Hands the seccomp notify fd to the agent at linux.seccomp.listenerPath.
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "runtime/base/scm_rights.h"
#include "runtime/process/seccomp.h"
#include "runtime/process/seccomp_internal.h"
#include "spec/config.h"
#include "spec/json.h"
#include "spec/state.h"

namespace berth::process {

std::string ContainerProcessStateJson(const spec::Seccomp& seccomp, int pid, std::string_view state_json) {
  spec::json::Writer w;
  w.BeginObject();
  w.Key("ociVersion");
  w.String(spec::kOciVersion);
  w.Key("fds");
  w.BeginArray();
  w.String("seccompFd");
  w.EndArray();
  w.Key("pid");
  w.Int(pid);
  if (!seccomp.listenerMetadata.empty()) {
    w.Key("metadata");
    w.String(seccomp.listenerMetadata);
  }
  w.EndObject();
  std::string head = w.Take();
  // Splice the state document in verbatim as the last member.
  head.pop_back();  // '}'
  return head + ",\"state\":" + std::string(state_json) + "}";
}

Result<int> ConnectSeccompListener(const spec::Seccomp& seccomp) {
  if (seccomp.listenerPath.empty()) return Error(EINVAL, "seccomp: no listenerPath");
  sockaddr_un addr;
  std::memset(&addr, 0, sizeof(addr));
  addr.sun_family = AF_UNIX;
  if (seccomp.listenerPath.size() >= sizeof(addr.sun_path))
    return Error(ENAMETOOLONG, "seccomp listenerPath " + seccomp.listenerPath);
  std::memcpy(addr.sun_path, seccomp.listenerPath.data(), seccomp.listenerPath.size());
  int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return Error::Sys("socket");
  if (connect(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    Error err = Error::Sys("connect to seccomp listenerPath " + seccomp.listenerPath);
    close(sock);
    return err;
  }
  return sock;
}

std::string ContainerProcessStateMessage(const spec::Seccomp& seccomp, int pid, std::string_view state_json) {
  return ContainerProcessStateJson(seccomp, pid, state_json);
}

Status SendSeccompState(int connected_fd, const spec::Seccomp& seccomp, int notify_fd,
                        std::string_view state_json) {
  auto state = spec::ParseState(state_json);
  if (!state) return std::move(state).error().Context("seccomp listener: state");
  const std::string message = ContainerProcessStateJson(seccomp, state->pid, state_json);
  Status sent = SendSeccompNotifyFd(connected_fd, message, notify_fd);
  if (!sent) return std::move(sent).error().Context(seccomp.listenerPath);
  return Ok();
}

// Nothing but sendmsg(2) on the success path: it runs after the filter.
Status SendSeccompNotifyFd(int connected_fd, std::string_view message, int notify_fd) {
  Status sent = base::SendFd(connected_fd, message, notify_fd);
  if (!sent) return std::move(sent).error().Context("send container process state to the seccomp listener");
  return Ok();
}

Status SendSeccompListenerFd(const spec::Seccomp& seccomp, int notify_fd, std::string_view state_json) {
  int sock = BERTH_TRY(ConnectSeccompListener(seccomp));
  Status sent = SendSeccompState(sock, seccomp, notify_fd, state_json);
  close(sock);  // one state per connection, then closed (config-linux.md)
  return sent;
}

}  // namespace berth::process
