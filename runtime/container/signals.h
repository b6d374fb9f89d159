// Signal names as `kill` accepts them: "KILL", "SIGKILL", "9" (runc's rules).
#pragma once

#include <string>
#include <string_view>

#include "runtime/base/error.h"

namespace berth::container {

// "TERM", "SIGTERM", "sigterm", "15", "RTMIN+3", "SIGRTMAX-1" -> the number.
// Error for names the kernel does not know or numbers outside 1..SIGRTMAX.
Result<int> ParseSignal(std::string_view text);

// 15 -> "SIGTERM"; "" for numbers without a name.
std::string SignalName(int signal);

}  // namespace berth::container
