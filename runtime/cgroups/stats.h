// A container cgroup's statistics, in the shape of runc's types.Stats (the
// `events` JSON): readers for v1 (stats_v1.cc) and v2 (stats_v2.cc), and the
// JSON writer (stats_json.cc). Absent files leave their fields at zero, as
// runc does, so one reader serves kernels with and without a feature.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "runtime/base/error.h"

namespace berth::cgroups {

class CgroupFs;

struct CpuUsageStats {
  uint64_t total = 0;  // nanoseconds
  std::vector<uint64_t> percpu, percpu_kernel, percpu_user;
  uint64_t kernel = 0, user = 0;
};
struct ThrottlingStats {
  uint64_t periods = 0, throttled_periods = 0, throttled_time = 0;  // ns
};
struct CpuStats {
  CpuUsageStats usage;
  ThrottlingStats throttling;
};
struct CpusetStats {
  std::vector<uint16_t> cpus, mems;  // "0-2,4" expanded
  uint64_t cpu_exclusive = 0, mem_hardwall = 0, mem_exclusive = 0, memory_migrate = 0, memory_spread_page = 0,
           memory_spread_slab = 0, memory_pressure = 0, sched_load_balance = 0;
  int64_t sched_relax_domain_level = 0;
};
struct MemoryEntry {
  uint64_t limit = 0, usage = 0, max = 0, failcnt = 0;
};
struct MemoryStats {
  uint64_t cache = 0;
  MemoryEntry usage, swap, kernel, kernel_tcp;
  std::map<std::string, uint64_t> raw;  // memory.stat
};
struct PidsStats {
  uint64_t current = 0, limit = 0;  // limit 0: unlimited
};
struct BlkioEntry {
  uint64_t major = 0, minor = 0;
  std::string op;
  uint64_t value = 0;
};
struct BlkioStats {
  std::vector<BlkioEntry> io_service_bytes_recursive, io_serviced_recursive, io_queue_recursive,
      io_service_time_recursive, io_wait_time_recursive, io_merged_recursive, io_time_recursive,
      sectors_recursive;
};
struct HugetlbStats {
  uint64_t usage = 0, max = 0, failcnt = 0;
};

struct Stats {
  CpuStats cpu;
  CpusetStats cpuset;
  MemoryStats memory;
  PidsStats pids;
  BlkioStats blkio;
  std::map<std::string, HugetlbStats> hugetlb;  // page size ("2MB") -> stats
};

// v1: `paths` maps controller directory name -> the container's cgroup in it.
Status ReadV1Stats(const CgroupFs& fs, const std::map<std::string, std::string>& paths, Stats& out);
// v2: the cgroup `path` of the unified hierarchy.
Status ReadV2Stats(const CgroupFs& fs, const std::string& path, Stats& out);
// Only the hugetlb part of v2 (hybrid hosts whose hugetlb is on unified).
Status ReadV2HugetlbStats(const CgroupFs& fs, const std::string& path, Stats& out);

// runc's types.Stats JSON ("cpu", "memory", "pids", "blkio", "hugetlb",
// "intel_rdt", "network_interfaces"), with Go's omitempty rules.
std::string StatsJson(const Stats& stats);

// Parsing helpers shared by the readers (stats_v1.cc).
namespace stats_internal {
// "key value" lines -> map (memory.stat, cpu.stat, memory.events).
std::map<std::string, uint64_t> ParseKeyValues(const std::string& text);
// One number; "max" reads as `max_value`; nullopt-like 0 on garbage.
uint64_t ParseUint(const std::string& text, uint64_t max_value = UINT64_MAX);
// Space-separated numbers (cpuacct.usage_percpu).
std::vector<uint64_t> ParseUints(const std::string& text);
// A cpu/memory-node list ("0-2,4") expanded; empty on malformed text.
std::vector<uint16_t> ParseCpuList(const std::string& text);
}  // namespace stats_internal

}  // namespace berth::cgroups
