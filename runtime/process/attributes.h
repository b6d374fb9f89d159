// Child side: scheduling and other per-process attributes set before execve.
#pragma once

#include <sched.h>

#include <string>
#include <vector>

#include "runtime/base/error.h"
#include "spec/config.h"

namespace berth::process {

// process.oomScoreAdj -> /proc/self/oom_score_adj (nothing when unset).
Status ApplyOomScoreAdj(const spec::Process& process);

// process.scheduler -> sched_setattr(2) (nothing when unset).
Status ApplyScheduler(const spec::Process& process);

// process.ioPriority -> ioprio_set(IOPRIO_WHO_PROCESS, 0) (nothing when unset).
Status ApplyIoPriority(const spec::Process& process);

// linux.personality -> personality(2) (nothing when unset).
Status ApplyPersonality(const spec::Linux& linux_config);

// sched_setaffinity(0) to a cpuset-syntax list ("0-3,7"); nothing when empty.
// Used for execCPUAffinity.initial (early) and .final (just before execve).
Status ApplyCpuAffinity(const std::string& cpus);

// prctl(PR_SET_NO_NEW_PRIVS) when enabled.
Status ApplyNoNewPrivileges(bool enabled);

// linux.memoryPolicy -> set_mempolicy(2) (nothing when unset).
Status ApplyMemoryPolicy(const spec::Linux& linux_config);

// chdir, then make sure the cwd is inside the container's root: a leaked
// host directory fd (cwd "/proc/self/fd/N", CVE-2024-21626) would leave it
// unreachable from "/", which getcwd reports as an error.
Status ChangeDirectoryVerified(const std::string& cwd);

// Parses a cpuset-style list ("0-3,7", whitespace/newline tolerated) into
// ascending, de-duplicated numbers; each <= max_value.
Result<std::vector<unsigned>> ParseCpuList(const std::string& list, unsigned max_value = 65535);

}  // namespace berth::process
