// What /proc/PID/stat says about a process: enough to tell "our init is
// alive" from "the pid was reused" (field 22, start time in clock ticks).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string_view>

#include "runtime/base/error.h"

namespace berth::container {

struct ProcStat {
  char state = '?';         // field 3: R, S, D, Z, T, X, ...
  pid_t ppid = 0;           // field 4
  uint64_t start_time = 0;  // field 22
};

// Parses the text of /proc/PID/stat (the command may contain spaces and ')').
Result<ProcStat> ParseProcStat(std::string_view text);

// Reads /proc/PID/stat; ENOENT when the process does not exist.
Result<ProcStat> ReadProcStat(pid_t pid);

// True when `pid` is a live (not zombie/dead) process that started at
// `start_time`: the init a state dir recorded, not a reused pid.
bool InitIsAlive(pid_t pid, uint64_t start_time);

}  // namespace berth::container
