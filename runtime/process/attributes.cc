#include "runtime/process/attributes.h"
#include "runtime/base/syscalls.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <string>
#include <utility>

#include "runtime/process/procfs_file.h"

namespace berth::process {
namespace {

template <size_t N>
Result<uint64_t> Lookup(const std::array<std::pair<std::string_view, uint64_t>, N>& table,
                        std::string_view name, std::string_view what) {
  for (const auto& [n, v] : table)
    if (n == name) return v;
  return Error(EINVAL, "unknown " + std::string(what) + " \"" + std::string(name) + "\"");
}

// Values from include/uapi/linux/sched.h (SCHED_ISO is reserved, never
// implemented by mainline kernels: sched_setattr rejects it with EINVAL).
constexpr std::array<std::pair<std::string_view, uint64_t>, 7> kSchedPolicies = {{
    {"SCHED_OTHER", 0},
    {"SCHED_FIFO", 1},
    {"SCHED_RR", 2},
    {"SCHED_BATCH", 3},
    {"SCHED_ISO", 4},
    {"SCHED_IDLE", 5},
    {"SCHED_DEADLINE", 6},
}};

constexpr std::array<std::pair<std::string_view, uint64_t>, 7> kSchedFlags = {{
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},
    {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},
    {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},
    {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40},
}};

constexpr std::array<std::pair<std::string_view, uint64_t>, 3> kIoprioClasses = {{
    {"IOPRIO_CLASS_RT", 1},
    {"IOPRIO_CLASS_BE", 2},
    {"IOPRIO_CLASS_IDLE", 3},
}};

// include/uapi/linux/mempolicy.h
constexpr std::array<std::pair<std::string_view, uint64_t>, 7> kMempolicyModes = {{
    {"MPOL_DEFAULT", 0},
    {"MPOL_PREFERRED", 1},
    {"MPOL_BIND", 2},
    {"MPOL_INTERLEAVE", 3},
    {"MPOL_LOCAL", 4},
    {"MPOL_PREFERRED_MANY", 5},
    {"MPOL_WEIGHTED_INTERLEAVE", 6},
}};

constexpr std::array<std::pair<std::string_view, uint64_t>, 3> kMempolicyFlags = {{
    {"MPOL_F_STATIC_NODES", 1 << 15},
    {"MPOL_F_RELATIVE_NODES", 1 << 14},
    {"MPOL_F_NUMA_BALANCING", 1 << 13},
}};

// The kernel's struct sched_attr (SCHED_ATTR_SIZE_VER1); glibc 2.36 has no
// wrapper for sched_setattr.
struct SchedAttr {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
  uint32_t sched_util_min;
  uint32_t sched_util_max;
};

Status WriteProcFile(const char* path, const std::string& value) {
  int fd = BERTH_TRY(OpenVerifiedProcFile(path, O_WRONLY));
  ssize_t n = write(fd, value.data(), value.size());
  int saved = errno;
  close(fd);
  if (n != static_cast<ssize_t>(value.size()))
    return Error(n < 0 ? saved : EIO, std::string("write ") + value + " to " + path);
  return Ok();
}

Result<unsigned> ParseNumber(std::string_view text, const std::string& list) {
  if (text.empty() || text.size() > 9 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return Error(EINVAL, "invalid list \"" + list + "\"");
  unsigned value = 0;
  for (char c : text) value = value * 10 + static_cast<unsigned>(c - '0');
  return value;
}

}  // namespace

Result<std::vector<unsigned>> ParseCpuList(const std::string& list, unsigned max_value) {
  std::vector<unsigned> out;
  std::string_view rest(list);
  auto trim = [](std::string_view s) {
    while (!s.empty() && std::strchr(" \t\n", s.front())) s.remove_prefix(1);
    while (!s.empty() && std::strchr(" \t\n", s.back())) s.remove_suffix(1);
    return s;
  };
  rest = trim(rest);
  if (rest.empty()) return out;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view item = trim(rest.substr(0, comma));
    size_t dash = item.find('-');
    unsigned first = BERTH_TRY(ParseNumber(trim(item.substr(0, dash)), list));
    unsigned last = first;
    if (dash != std::string_view::npos) last = BERTH_TRY(ParseNumber(trim(item.substr(dash + 1)), list));
    if (last < first) return Error(EINVAL, "invalid range in list \"" + list + "\"");
    if (last > max_value) return Error(EINVAL, "list \"" + list + "\" exceeds " + std::to_string(max_value));
    for (unsigned v = first; v <= last; ++v) out.push_back(v);
    if (comma == std::string_view::npos) break;
    rest = rest.substr(comma + 1);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Status ApplyOomScoreAdj(const spec::Process& process) {
  if (!process.oomScoreAdj) return Ok();
  int value = *process.oomScoreAdj;
  if (value < -1000 || value > 1000)
    return Error(EINVAL, "oomScoreAdj " + std::to_string(value) + " outside [-1000, 1000]");
  Status s = WriteProcFile("/proc/self/oom_score_adj", std::to_string(value));
  if (!s && s.error().code() == EACCES)
    return Error(EACCES, "set oomScoreAdj " + std::to_string(value) + ": lowering it needs CAP_SYS_RESOURCE");
  if (!s) return std::move(s).error().Context("set oomScoreAdj");
  return Ok();
}

Status ApplyScheduler(const spec::Process& process) {
  if (!process.scheduler) return Ok();
  const spec::Scheduler& sched = *process.scheduler;
  SchedAttr attr;
  std::memset(&attr, 0, sizeof(attr));
  attr.size = sizeof(attr);
  attr.sched_policy =
      static_cast<uint32_t>(BERTH_TRY(Lookup(kSchedPolicies, sched.policy, "scheduler policy")));
  for (const auto& flag : sched.flags)
    attr.sched_flags |= BERTH_TRY(Lookup(kSchedFlags, flag, "scheduler flag"));
  attr.sched_nice = sched.nice.value_or(0);
  attr.sched_priority = static_cast<uint32_t>(sched.priority.value_or(0));
  attr.sched_runtime = sched.runtime.value_or(0);
  attr.sched_deadline = sched.deadline.value_or(0);
  attr.sched_period = sched.period.value_or(0);
  if (sys::SchedSetattr(0, &attr, 0) != 0)
    return Error::Sys("sched_setattr policy " + sched.policy + " nice " + std::to_string(attr.sched_nice) +
                      " priority " + std::to_string(attr.sched_priority));
  return Ok();
}

Status ApplyIoPriority(const spec::Process& process) {
  if (!process.ioPriority) return Ok();
  const spec::IoPriority& io = *process.ioPriority;
  uint64_t cls = BERTH_TRY(Lookup(kIoprioClasses, io.class_, "ioPriority class"));
  if (io.priority < 0 || io.priority > 7)
    return Error(EINVAL, "ioPriority priority " + std::to_string(io.priority) + " outside [0, 7]");
  constexpr int kIoprioWhoProcess = 1;
  constexpr int kIoprioClassShift = 13;
  int value = static_cast<int>(cls << kIoprioClassShift) | io.priority;
  if (sys::IoprioSet(kIoprioWhoProcess, 0, value) != 0)
    return Error::Sys("ioprio_set " + io.class_ + " " + std::to_string(io.priority));
  return Ok();
}

Status ApplyPersonality(const spec::Linux& linux_config) {
  if (!linux_config.personality) return Ok();
  const spec::Personality& p = *linux_config.personality;
  unsigned long persona;
  if (p.domain == "LINUX")
    persona = PER_LINUX;
  else if (p.domain == "LINUX32")
    persona = PER_LINUX32;
  else
    return Error(EINVAL, "unknown personality domain \"" + p.domain + "\"");
  // The spec defines no flag values yet; refusing them beats ignoring them.
  if (!p.flags.empty()) return Error(EINVAL, "personality flag \"" + p.flags.front() + "\" is not supported");
  if (personality(persona) < 0) return Error::Sys("personality " + p.domain);
  return Ok();
}

Status ApplyCpuAffinity(const std::string& cpus) {
  std::vector<unsigned> list = BERTH_TRY_CTX(ParseCpuList(cpus), "execCPUAffinity");
  if (list.empty()) return Ok();
  const int count = static_cast<int>(list.back()) + 1;
  cpu_set_t* set = CPU_ALLOC(count);
  if (!set) return Error::Sys("CPU_ALLOC");
  const size_t size = CPU_ALLOC_SIZE(count);
  CPU_ZERO_S(size, set);
  for (unsigned cpu : list) CPU_SET_S(cpu, size, set);
  int rc = sched_setaffinity(0, size, set);
  int saved = errno;
  CPU_FREE(set);
  if (rc != 0) return Error(saved, "sched_setaffinity \"" + cpus + "\"");
  return Ok();
}

Status ApplyNoNewPrivileges(bool enabled) {
  if (!enabled) return Ok();
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return Error::Sys("prctl(PR_SET_NO_NEW_PRIVS)");
  return Ok();
}

Status ApplyMemoryPolicy(const spec::Linux& linux_config) {
  if (!linux_config.memoryPolicy) return Ok();
  const spec::MemoryPolicy& mp = *linux_config.memoryPolicy;
  uint64_t mode = BERTH_TRY(Lookup(kMempolicyModes, mp.mode, "memoryPolicy mode"));
  for (const auto& flag : mp.flags) mode |= BERTH_TRY(Lookup(kMempolicyFlags, flag, "memoryPolicy flag"));
  constexpr unsigned kMaxNode = 1023;
  std::vector<unsigned> nodes = BERTH_TRY_CTX(ParseCpuList(mp.nodes, kMaxNode), "memoryPolicy nodes");
  constexpr size_t kBits = 8 * sizeof(unsigned long);
  std::vector<unsigned long> mask((kMaxNode + 1) / kBits, 0);
  for (unsigned n : nodes) mask[n / kBits] |= 1UL << (n % kBits);
  // maxnode counts bits; the kernel ignores the last one (historic off-by-one).
  unsigned long maxnode = nodes.empty() ? 0 : kMaxNode + 2;
  if (sys::SetMempolicy(static_cast<int>(mode), nodes.empty() ? nullptr : mask.data(), maxnode) != 0)
    return Error::Sys("set_mempolicy " + mp.mode + " nodes \"" + mp.nodes + "\"");
  return Ok();
}

Status ChangeDirectoryVerified(const std::string& cwd) {
  // runc's words, for create and exec alike.
  if (chdir(cwd.c_str()) != 0) return Error::Sys("chdir to cwd (\"" + cwd + "\") set in config.json");
  char buf[PATH_MAX];
  if (getcwd(buf, sizeof buf) == nullptr || buf[0] != '/')
    return Error(errno ? errno : ENOENT,
                 "current working directory is outside of container mount namespace root");
  return Ok();
}

}  // namespace berth::process
