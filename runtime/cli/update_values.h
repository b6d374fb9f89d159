// Values of `update` and `events` flags as runc (Go) parses them.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "runtime/base/error.h"

namespace berth::cli {

// docker/go-units RAMInBytes: "<number>[.<fraction>][ ][k|m|g|t|p][i][b]",
// case-insensitive, binary multiples (64m = 64 MiB). Error: "invalid size: 'x'".
Result<int64_t> RamInBytes(const std::string& size);

// Go's time.ParseDuration: "5s", "1.5m", "1h30m", "100ms", "2us". Error:
// "time: invalid duration \"x\"".
Result<std::chrono::nanoseconds> ParseGoDuration(const std::string& text);

}  // namespace berth::cli
