// `berth update`: runc's update command, flag for flag.
#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>

#include "runtime/base/files.h"
#include "runtime/cli/commands.h"
#include "runtime/cli/update_values.h"
#include "runtime/container/update.h"
#include "spec/config_json.h"

namespace berth::cli {
namespace {

Result<std::string> ReadResourcesText(const std::string& where) {
  if (where != "-") return base::ReadFileText(where);
  std::string text;
  BERTH_TRY_CTX(base::ReadAll(STDIN_FILENO, text), "read resources from standard input");
  return text;
}

template <typename T>
Result<std::optional<T>> Number(const ParsedFlags& flags, const char* name) {
  if (!flags.Has(name) || flags.Get(name).empty()) return std::optional<T>();
  std::string s = flags.Get(name);
  T v{};
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size())
    return Error(EINVAL, std::string("invalid value for ") + name + ": strconv.Parse" +
                             (std::is_signed_v<T> ? "Int" : "Uint") + ": parsing \"" + s +
                             "\": invalid syntax");
  return std::optional<T>(v);
}

Result<std::optional<int64_t>> Memory(const ParsedFlags& flags, const char* name) {
  if (!flags.Has(name) || flags.Get(name).empty()) return std::optional<int64_t>();
  std::string s = flags.Get(name);
  if (s == "-1") return std::optional<int64_t>(-1);
  auto bytes = RamInBytes(s);
  if (!bytes) return Error(EINVAL, std::string("invalid value for ") + name + ": " + bytes.error().message());
  return std::optional<int64_t>(*bytes);
}

// What the flags ask for when --resources is not given (runc's update.go).
Result<spec::Resources> ResourcesFromFlags(const ParsedFlags& flags) {
  spec::Resources r;
  auto& cpu = r.cpu.emplace();
  auto& memory = r.memory.emplace();
  if (auto w = BERTH_TRY(Number<int64_t>(flags, "blkio-weight")); w && *w != 0)
    r.blockIO.emplace().weight = static_cast<uint16_t>(*w);
  cpu.cpus = flags.Get("cpuset-cpus");
  cpu.mems = flags.Get("cpuset-mems");
  cpu.idle = BERTH_TRY(Number<int64_t>(flags, "cpu-idle"));
  cpu.burst = BERTH_TRY(Number<uint64_t>(flags, "cpu-burst"));
  cpu.period = BERTH_TRY(Number<uint64_t>(flags, "cpu-period"));
  cpu.realtimePeriod = BERTH_TRY(Number<uint64_t>(flags, "cpu-rt-period"));
  cpu.shares = BERTH_TRY(Number<uint64_t>(flags, "cpu-share"));
  cpu.quota = BERTH_TRY(Number<int64_t>(flags, "cpu-quota"));
  cpu.realtimeRuntime = BERTH_TRY(Number<int64_t>(flags, "cpu-rt-runtime"));
  memory.limit = BERTH_TRY(Memory(flags, "memory"));
  memory.swap = BERTH_TRY(Memory(flags, "memory-swap"));
  memory.reservation = BERTH_TRY(Memory(flags, "memory-reservation"));
  for (const char* ignored : {"kernel-memory", "kernel-memory-tcp"})
    if (!flags.Get(ignored).empty())
      container::Warn(std::string("Setting --") + ignored + " is ignored and will be removed");
  if (auto pids = BERTH_TRY(Number<int64_t>(flags, "pids-limit")); pids && *pids != 0)
    r.pids.emplace().limit = *pids;
  return r;
}

Result<int> RunUpdate(const GlobalOptions& global, const ParsedFlags& flags) {
  container::UpdateRequest request;
  if (std::string where = flags.Get("resources"); !where.empty()) {
    // runc: with --resources, every other resource flag is ignored.
    std::string text = BERTH_TRY(ReadResourcesText(where));
    request.resources = BERTH_TRY_CTX(spec::ParseResources(text), "resources");
  } else {
    request.resources = BERTH_TRY(ResourcesFromFlags(flags));
  }
  request.l3_cache_schema = flags.Get("l3-cache-schema");
  request.mem_bw_schema = flags.Get("mem-bw-schema");
  BERTH_TRY(container::Update(global.runtime, flags.positional.at(0), request));
  return 0;
}

}  // namespace

Command UpdateCommand() {
  return {
      "update",
      "update container resource constraints",
      "<container-id>",
      {
          {{"resources", "r"},
           true,
           "path to the file containing the resources to update or '-' to read from the standard input "
           "(a LinuxResources object; unchanged values can be omitted); with it, the other resource "
           "options are ignored"},
          {{"blkio-weight"}, true, "Specifies per cgroup weight, range is from 10 to 1000", "0"},
          {{"cpu-period"},
           true,
           "CPU CFS period to be used for hardcapping (in usecs). 0 to use system default"},
          {{"cpu-quota"}, true, "CPU CFS hardcap limit (in usecs). Allowed cpu time in a given period"},
          {{"cpu-burst"},
           true,
           "CPU CFS hardcap burst limit (in usecs). Allowed accumulated cpu time additionally for burst a given period"},
          {{"cpu-share"}, true, "CPU shares (relative weight vs. other containers)"},
          {{"cpu-rt-period"},
           true,
           "CPU realtime period to be used for hardcapping (in usecs). 0 to use system default"},
          {{"cpu-rt-runtime"},
           true,
           "CPU realtime hardcap limit (in usecs). Allowed cpu time in a given period"},
          {{"cpuset-cpus"}, true, "CPU(s) to use"},
          {{"cpuset-mems"}, true, "Memory node(s) to use"},
          {{"kernel-memory"}, true, "(obsoleted; do not use)"},
          {{"kernel-memory-tcp"}, true, "(obsoleted; do not use)"},
          {{"memory"}, true, "Memory limit (in bytes)"},
          {{"cpu-idle"}, true, "set cgroup SCHED_IDLE or not, 0: default behavior, 1: SCHED_IDLE"},
          {{"memory-reservation"}, true, "Memory reservation or soft_limit (in bytes)"},
          {{"memory-swap"}, true, "Total memory usage (memory + swap); set '-1' to enable unlimited swap"},
          {{"pids-limit"}, true, "Maximum number of pids allowed in the container", "0"},
          {{"l3-cache-schema"}, true, "The string of Intel RDT/CAT L3 cache schema"},
          {{"mem-bw-schema"}, true, "The string of Intel RDT/MBA memory bandwidth schema"},
      },
      RunUpdate,
      1,
      1};
}

}  // namespace berth::cli
