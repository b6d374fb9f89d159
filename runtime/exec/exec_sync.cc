#include "runtime/exec/exec_sync.h"

#include <cerrno>
#include <string>

namespace berth::container {

Result<pid_t> DecodeExecStarted(std::string_view message) {
  if (message.empty()) return Error(ECHILD, "exec: the intermediate child died");
  if (message[0] == 'E') return Error(0, std::string(message.substr(1)));
  if (message[0] != 'P') return Error(EPROTO, "exec: unexpected sync message");
  return static_cast<pid_t>(std::stol(std::string(message.substr(1))));
}

Status DecodeExecResult(std::string_view message) {
  if (message.empty()) return Ok();
  std::string_view text = message[0] == 'E' ? message.substr(1) : message;
  return Error(0, std::string(text));
}

}  // namespace berth::container
