#include "runtime/exec/exec_sync.h"

#include <cerrno>
#include <charconv>
#include <string>

namespace berth::container {
namespace {

// The child's error text; never empty, since it is all the user reads.
Error ChildError(std::string_view text) {
  if (text.empty()) return Error(0, "exec: the child reported an error without a message");
  return Error(0, std::string(text));
}

}  // namespace

Result<pid_t> DecodeExecStarted(std::string_view message) {
  if (message.empty()) return Error(ECHILD, "exec: the intermediate child died");
  if (message[0] == 'E') return ChildError(message.substr(1));
  if (message[0] != 'P') return Error(EPROTO, "exec: unexpected sync message");
  // Decimal digits only, as the child writes them (std::to_string of a pid).
  std::string_view digits = message.substr(1);
  pid_t pid = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), pid);
  if (digits.empty() || digits[0] == '-' || digits[0] == '0' || ec != std::errc() ||
      end != digits.data() + digits.size() || pid <= 0)
    return Error(EPROTO, "exec: bad pid in sync message \"" + std::string(message) + "\"");
  return pid;
}

Status DecodeExecResult(std::string_view message) {
  if (message.empty()) return Ok();
  return ChildError(message[0] == 'E' ? message.substr(1) : message);
}

}  // namespace berth::container
