// cgroup v1 statistics, read as runc's fs driver reads them.
#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "runtime/cgroups/cgroup_fs.h"
#include "runtime/cgroups/stats.h"

namespace berth::cgroups {
namespace stats_internal {

std::map<std::string, uint64_t> ParseKeyValues(const std::string& text) {
  std::map<std::string, uint64_t> out;
  std::istringstream in(text);
  std::string key, value;
  while (in >> key >> value) out[key] = ParseUint(value);
  return out;
}

uint64_t ParseUint(const std::string& text, uint64_t max_value) {
  std::string s = text;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  if (s == "max") return max_value;
  char* end = nullptr;
  errno = 0;
  unsigned long long v = strtoull(s.c_str(), &end, 10);
  if (errno != 0 || end == s.c_str() || s[0] == '-') return 0;
  return v;
}

std::vector<uint64_t> ParseUints(const std::string& text) {
  std::vector<uint64_t> out;
  std::istringstream in(text);
  std::string word;
  while (in >> word) out.push_back(ParseUint(word));
  return out;
}

std::vector<uint16_t> ParseCpuList(const std::string& text) {
  std::vector<uint16_t> out;
  std::string s = text;
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  size_t i = 0;
  while (i < s.size()) {
    size_t comma = s.find(',', i);
    if (comma == std::string::npos) comma = s.size();
    std::string range = s.substr(i, comma - i);
    i = comma + 1;
    size_t dash = range.find('-');
    char* end = nullptr;
    unsigned long first = strtoul(range.c_str(), &end, 10);
    unsigned long last = first;
    if (dash != std::string::npos) last = strtoul(range.c_str() + dash + 1, &end, 10);
    if (range.empty() || *end != '\0' || last < first || last > 65535) return {};
    for (unsigned long c = first; c <= last; ++c) out.push_back(static_cast<uint16_t>(c));
  }
  return out;
}

}  // namespace stats_internal

namespace {

using stats_internal::ParseCpuList;
using stats_internal::ParseKeyValues;
using stats_internal::ParseUint;
using stats_internal::ParseUints;

class V1Reader {
 public:
  V1Reader(const CgroupFs& fs, const std::map<std::string, std::string>& paths) : fs_(fs), paths_(paths) {}
  bool Has(const std::string& controller) const { return paths_.count(controller) != 0; }
  // The file's text, "" when the controller or the file is absent.
  std::string Read(const std::string& controller, const std::string& file) const {
    auto it = paths_.find(controller);
    if (it == paths_.end()) return "";
    auto text = fs_.Read(controller + it->second, file);
    return text.ok() ? *text : "";
  }
  uint64_t Uint(const std::string& controller, const std::string& file) const {
    return ParseUint(Read(controller, file));
  }
  bool Exists(const std::string& controller, const std::string& file) const {
    auto it = paths_.find(controller);
    return it != paths_.end() && fs_.FileExists(controller + it->second, file);
  }
  // Hugetlb page sizes offered: the middle of hugetlb.<size>.limit_in_bytes.
  std::vector<std::string> HugePageSizes(const std::string& suffix) const;

 private:
  const CgroupFs& fs_;
  const std::map<std::string, std::string>& paths_;
};

void ReadCpu(const V1Reader& r, CpuStats& cpu) {
  // cpuacct may be co-mounted as "cpu,cpuacct"; berth knows it as "cpuacct".
  cpu.usage.total = r.Uint("cpuacct", "cpuacct.usage");
  cpu.usage.percpu = ParseUints(r.Read("cpuacct", "cpuacct.usage_percpu"));
  // cpuacct.stat is in USER_HZ ticks.
  auto stat = ParseKeyValues(r.Read("cpuacct", "cpuacct.stat"));
  const uint64_t ns_per_tick = 1000000000ULL / static_cast<uint64_t>(sysconf(_SC_CLK_TCK));
  cpu.usage.user = stat["user"] * ns_per_tick;
  cpu.usage.kernel = stat["system"] * ns_per_tick;
  // cpuacct.usage_all: "cpu user system" header, then one line per cpu.
  std::istringstream all(r.Read("cpuacct", "cpuacct.usage_all"));
  std::string line;
  std::getline(all, line);
  while (std::getline(all, line)) {
    std::vector<uint64_t> v = ParseUints(line);
    if (v.size() != 3) continue;
    cpu.usage.percpu_user.push_back(v[1]);
    cpu.usage.percpu_kernel.push_back(v[2]);
  }
  auto throttle = ParseKeyValues(r.Read("cpu", "cpu.stat"));
  cpu.throttling.periods = throttle["nr_periods"];
  cpu.throttling.throttled_periods = throttle["nr_throttled"];
  cpu.throttling.throttled_time = throttle["throttled_time"];
}

void ReadCpuset(const V1Reader& r, CpusetStats& c) {
  if (!r.Has("cpuset")) return;
  c.cpus = ParseCpuList(r.Read("cpuset", "cpuset.cpus"));
  c.mems = ParseCpuList(r.Read("cpuset", "cpuset.mems"));
  c.cpu_exclusive = r.Uint("cpuset", "cpuset.cpu_exclusive");
  c.mem_hardwall = r.Uint("cpuset", "cpuset.mem_hardwall");
  c.mem_exclusive = r.Uint("cpuset", "cpuset.mem_exclusive");
  c.memory_migrate = r.Uint("cpuset", "cpuset.memory_migrate");
  c.memory_spread_page = r.Uint("cpuset", "cpuset.memory_spread_page");
  c.memory_spread_slab = r.Uint("cpuset", "cpuset.memory_spread_slab");
  c.memory_pressure = r.Uint("cpuset", "cpuset.memory_pressure");
  c.sched_load_balance = r.Uint("cpuset", "cpuset.sched_load_balance");
  c.sched_relax_domain_level =
      strtoll(r.Read("cpuset", "cpuset.sched_relax_domain_level").c_str(), nullptr, 10);
}

MemoryEntry ReadMemoryEntry(const V1Reader& r, const std::string& prefix) {
  MemoryEntry e;
  e.usage = r.Uint("memory", prefix + ".usage_in_bytes");
  e.max = r.Uint("memory", prefix + ".max_usage_in_bytes");
  e.failcnt = r.Uint("memory", prefix + ".failcnt");
  e.limit = r.Uint("memory", prefix + ".limit_in_bytes");
  return e;
}

void ReadMemory(const V1Reader& r, MemoryStats& m) {
  if (!r.Has("memory")) return;
  m.raw = ParseKeyValues(r.Read("memory", "memory.stat"));
  m.cache = m.raw.count("cache") ? m.raw["cache"] : 0;
  m.usage = ReadMemoryEntry(r, "memory");
  m.swap = ReadMemoryEntry(r, "memory.memsw");
  m.kernel = ReadMemoryEntry(r, "memory.kmem");
  m.kernel_tcp = ReadMemoryEntry(r, "memory.kmem.tcp");
}

// "8:0 Read 4096" lines; "Total N" and malformed lines are skipped.
std::vector<BlkioEntry> ParseBlkio(const std::string& text) {
  std::vector<BlkioEntry> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string device, op, value, extra;
    if (!(fields >> device)) continue;
    size_t colon = device.find(':');
    if (colon == std::string::npos) continue;
    BlkioEntry e;
    e.major = ParseUint(device.substr(0, colon));
    e.minor = ParseUint(device.substr(colon + 1));
    if (!(fields >> op)) continue;
    if (fields >> value) {
      e.op = op;
      e.value = ParseUint(value);
    } else {
      e.value = ParseUint(op);  // "8:0 1234" (blkio.time, blkio.sectors)
    }
    out.push_back(e);
  }
  return out;
}

void ReadBlkio(const V1Reader& r, BlkioStats& b) {
  if (!r.Has("blkio")) return;
  // CFQ's files, else BFQ's (no CFQ since 5.0), else the throttling layer's.
  std::string prefix = r.Exists("blkio", "blkio.io_service_bytes_recursive")       ? "blkio."
                       : r.Exists("blkio", "blkio.bfq.io_service_bytes_recursive") ? "blkio.bfq."
                                                                                   : "";
  if (prefix.empty()) {
    b.io_service_bytes_recursive = ParseBlkio(r.Read("blkio", "blkio.throttle.io_service_bytes_recursive"));
    b.io_serviced_recursive = ParseBlkio(r.Read("blkio", "blkio.throttle.io_serviced_recursive"));
    return;
  }
  b.io_service_bytes_recursive = ParseBlkio(r.Read("blkio", prefix + "io_service_bytes_recursive"));
  b.io_serviced_recursive = ParseBlkio(r.Read("blkio", prefix + "io_serviced_recursive"));
  b.io_queue_recursive = ParseBlkio(r.Read("blkio", prefix + "io_queued_recursive"));
  b.io_service_time_recursive = ParseBlkio(r.Read("blkio", prefix + "io_service_time_recursive"));
  b.io_wait_time_recursive = ParseBlkio(r.Read("blkio", prefix + "io_wait_time_recursive"));
  b.io_merged_recursive = ParseBlkio(r.Read("blkio", prefix + "io_merged_recursive"));
  b.io_time_recursive = ParseBlkio(r.Read("blkio", prefix + "time_recursive"));
  b.sectors_recursive = ParseBlkio(r.Read("blkio", prefix + "sectors_recursive"));
}

}  // namespace

std::vector<std::string> V1Reader::HugePageSizes(const std::string& suffix) const {
  std::vector<std::string> sizes;
  auto it = paths_.find("hugetlb");
  if (it == paths_.end()) return sizes;
  for (const char* size : {"64KB", "2MB", "32MB", "512MB", "1GB", "16GB"})
    if (fs_.FileExists("hugetlb" + it->second, std::string("hugetlb.") + size + suffix))
      sizes.push_back(size);
  return sizes;
}

Status ReadV1Stats(const CgroupFs& fs, const std::map<std::string, std::string>& paths, Stats& out) {
  V1Reader r(fs, paths);
  ReadCpu(r, out.cpu);
  ReadCpuset(r, out.cpuset);
  ReadMemory(r, out.memory);
  out.pids.current = r.Uint("pids", "pids.current");
  out.pids.limit = ParseUint(r.Read("pids", "pids.max"), 0);
  ReadBlkio(r, out.blkio);
  for (const auto& size : r.HugePageSizes(".limit_in_bytes")) {
    HugetlbStats h;
    h.usage = r.Uint("hugetlb", "hugetlb." + size + ".usage_in_bytes");
    h.max = r.Uint("hugetlb", "hugetlb." + size + ".max_usage_in_bytes");
    h.failcnt = r.Uint("hugetlb", "hugetlb." + size + ".failcnt");
    out.hugetlb[size] = h;
  }
  return Ok();
}

}  // namespace berth::cgroups
