// Stats -> runc's types.Stats JSON. Go's encoding/json omitempty: zero
// numbers, empty strings, empty slices and maps are left out; structs never.
#include "runtime/cgroups/stats.h"
#include "spec/json.h"

namespace berth::cgroups {
namespace {

using spec::json::Writer;

void OptUint(Writer& w, const char* key, uint64_t v) {
  if (v == 0) return;
  w.Key(key);
  w.Uint(v);
}
void Uint(Writer& w, const char* key, uint64_t v) {
  w.Key(key);
  w.Uint(v);
}
void OptUints(Writer& w, const char* key, const std::vector<uint64_t>& v) {
  if (v.empty()) return;
  w.Key(key);
  w.BeginArray();
  for (uint64_t x : v) w.Uint(x);
  w.EndArray();
}

void WriteMemoryEntry(Writer& w, const char* key, const MemoryEntry& e) {
  w.Key(key);
  w.BeginObject();
  Uint(w, "limit", e.limit);
  OptUint(w, "usage", e.usage);
  OptUint(w, "max", e.max);
  Uint(w, "failcnt", e.failcnt);
  w.EndObject();
}

void WriteBlkio(Writer& w, const char* key, const std::vector<BlkioEntry>& entries) {
  if (entries.empty()) return;
  w.Key(key);
  w.BeginArray();
  for (const auto& e : entries) {
    w.BeginObject();
    OptUint(w, "major", e.major);
    OptUint(w, "minor", e.minor);
    if (!e.op.empty()) {
      w.Key("op");
      w.String(e.op);
    }
    OptUint(w, "value", e.value);
    w.EndObject();
  }
  w.EndArray();
}

}  // namespace

std::string StatsJson(const Stats& s) {
  Writer w;
  w.BeginObject();
  w.Key("cpu");
  w.BeginObject();
  w.Key("usage");
  w.BeginObject();
  OptUint(w, "total", s.cpu.usage.total);
  OptUints(w, "percpu", s.cpu.usage.percpu);
  OptUints(w, "percpu_kernel", s.cpu.usage.percpu_kernel);
  OptUints(w, "percpu_user", s.cpu.usage.percpu_user);
  Uint(w, "kernel", s.cpu.usage.kernel);
  Uint(w, "user", s.cpu.usage.user);
  w.EndObject();
  w.Key("throttling");
  w.BeginObject();
  OptUint(w, "periods", s.cpu.throttling.periods);
  OptUint(w, "throttledPeriods", s.cpu.throttling.throttled_periods);
  OptUint(w, "throttledTime", s.cpu.throttling.throttled_time);
  w.EndObject();
  w.EndObject();

  w.Key("cpuset");
  w.BeginObject();
  auto list = [&](const char* key, const std::vector<uint16_t>& v) {
    if (v.empty()) return;
    w.Key(key);
    w.BeginArray();
    for (uint16_t x : v) w.Uint(x);
    w.EndArray();
  };
  list("cpus", s.cpuset.cpus);
  Uint(w, "cpu_exclusive", s.cpuset.cpu_exclusive);
  list("mems", s.cpuset.mems);
  Uint(w, "mem_hardwall", s.cpuset.mem_hardwall);
  Uint(w, "mem_exclusive", s.cpuset.mem_exclusive);
  Uint(w, "memory_migrate", s.cpuset.memory_migrate);
  Uint(w, "memory_spread_page", s.cpuset.memory_spread_page);
  Uint(w, "memory_spread_slab", s.cpuset.memory_spread_slab);
  Uint(w, "memory_pressure", s.cpuset.memory_pressure);
  Uint(w, "sched_load_balance", s.cpuset.sched_load_balance);
  w.Key("sched_relax_domain_level");
  w.Int(s.cpuset.sched_relax_domain_level);
  w.EndObject();

  w.Key("memory");
  w.BeginObject();
  OptUint(w, "cache", s.memory.cache);
  WriteMemoryEntry(w, "usage", s.memory.usage);
  WriteMemoryEntry(w, "swap", s.memory.swap);
  WriteMemoryEntry(w, "kernel", s.memory.kernel);
  WriteMemoryEntry(w, "kernelTCP", s.memory.kernel_tcp);
  if (!s.memory.raw.empty()) {
    w.Key("raw");
    w.BeginObject();
    for (const auto& [k, v] : s.memory.raw) Uint(w, k.c_str(), v);
    w.EndObject();
  }
  w.EndObject();

  w.Key("pids");
  w.BeginObject();
  OptUint(w, "current", s.pids.current);
  OptUint(w, "limit", s.pids.limit);
  w.EndObject();

  w.Key("blkio");
  w.BeginObject();
  WriteBlkio(w, "ioServiceBytesRecursive", s.blkio.io_service_bytes_recursive);
  WriteBlkio(w, "ioServicedRecursive", s.blkio.io_serviced_recursive);
  WriteBlkio(w, "ioQueueRecursive", s.blkio.io_queue_recursive);
  WriteBlkio(w, "ioServiceTimeRecursive", s.blkio.io_service_time_recursive);
  WriteBlkio(w, "ioWaitTimeRecursive", s.blkio.io_wait_time_recursive);
  WriteBlkio(w, "ioMergedRecursive", s.blkio.io_merged_recursive);
  WriteBlkio(w, "ioTimeRecursive", s.blkio.io_time_recursive);
  WriteBlkio(w, "sectorsRecursive", s.blkio.sectors_recursive);
  w.EndObject();

  w.Key("hugetlb");
  w.BeginObject();
  for (const auto& [size, h] : s.hugetlb) {
    w.Key(size);
    w.BeginObject();
    OptUint(w, "usage", h.usage);
    OptUint(w, "max", h.max);
    Uint(w, "failcnt", h.failcnt);
    w.EndObject();
  }
  w.EndObject();

  // berth reads no resctrl monitoring data nor interface counters (runc
  // fills network_interfaces only for its own veth configs).
  w.Key("intel_rdt");
  w.BeginObject();
  w.EndObject();
  w.Key("network_interfaces");
  w.Null();
  w.EndObject();
  return w.Take();
}

}  // namespace berth::cgroups
