// cgroup v2 statistics, converted to runc's (v1-shaped) types.Stats as
// runc's fs2 driver converts them.
#include <sstream>

#include "runtime/cgroups/cgroup_fs.h"
#include "runtime/cgroups/stats.h"

namespace berth::cgroups {
namespace {

using stats_internal::ParseKeyValues;
using stats_internal::ParseUint;

class V2Reader {
 public:
  V2Reader(const CgroupFs& fs, const std::string& path) : fs_(fs), path_(path) {}
  std::string Read(const std::string& file) const {
    auto text = fs_.Read(path_, file);
    return text.ok() ? *text : "";
  }
  bool Exists(const std::string& file) const { return fs_.FileExists(path_, file); }

 private:
  const CgroupFs& fs_;
  const std::string& path_;
};

uint64_t SaturatingAdd(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

void ReadCpu(const V2Reader& r, CpuStats& cpu) {
  auto stat = ParseKeyValues(r.Read("cpu.stat"));
  cpu.usage.total = stat["usage_usec"] * 1000;
  cpu.usage.user = stat["user_usec"] * 1000;
  cpu.usage.kernel = stat["system_usec"] * 1000;
  cpu.throttling.periods = stat["nr_periods"];
  cpu.throttling.throttled_periods = stat["nr_throttled"];
  cpu.throttling.throttled_time = stat["throttled_usec"] * 1000;
}

void ReadMemory(const V2Reader& r, MemoryStats& m) {
  if (!r.Exists("memory.current")) return;
  m.raw = ParseKeyValues(r.Read("memory.stat"));
  m.cache = m.raw.count("file") ? m.raw["file"] : 0;
  m.usage.usage = ParseUint(r.Read("memory.current"));
  m.usage.limit = ParseUint(r.Read("memory.max"));
  m.usage.max = ParseUint(r.Read("memory.peak"));
  m.usage.failcnt = ParseKeyValues(r.Read("memory.events"))["max"];
  // v1's "swap" is memory+swap; report v2 the same way, as runc does.
  if (r.Exists("memory.swap.current")) {
    m.swap.usage = SaturatingAdd(ParseUint(r.Read("memory.swap.current")), m.usage.usage);
    m.swap.limit = SaturatingAdd(ParseUint(r.Read("memory.swap.max")), m.usage.limit);
    m.swap.max = SaturatingAdd(ParseUint(r.Read("memory.swap.peak")), m.usage.max);
    m.swap.failcnt = ParseKeyValues(r.Read("memory.swap.events"))["fail"];
  }
}

// io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" per device.
void ReadIo(const V2Reader& r, BlkioStats& b) {
  std::istringstream in(r.Read("io.stat"));
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string device, kv;
    if (!(fields >> device)) continue;
    size_t colon = device.find(':');
    if (colon == std::string::npos) continue;
    uint64_t major = ParseUint(device.substr(0, colon)), minor = ParseUint(device.substr(colon + 1));
    while (fields >> kv) {
      size_t eq = kv.find('=');
      if (eq == std::string::npos) continue;
      std::string key = kv.substr(0, eq);
      uint64_t value = ParseUint(kv.substr(eq + 1));
      if (key == "rbytes")
        b.io_service_bytes_recursive.push_back({major, minor, "Read", value});
      else if (key == "wbytes")
        b.io_service_bytes_recursive.push_back({major, minor, "Write", value});
      else if (key == "rios")
        b.io_serviced_recursive.push_back({major, minor, "Read", value});
      else if (key == "wios")
        b.io_serviced_recursive.push_back({major, minor, "Write", value});
    }
  }
}

}  // namespace

Status ReadV2HugetlbStats(const CgroupFs& fs, const std::string& path, Stats& out) {
  V2Reader r(fs, path);
  for (const char* size : {"64KB", "2MB", "32MB", "512MB", "1GB", "16GB"}) {
    std::string prefix = std::string("hugetlb.") + size;
    if (!r.Exists(prefix + ".max")) continue;
    HugetlbStats h;
    h.usage = ParseUint(r.Read(prefix + ".current"));
    h.failcnt = ParseKeyValues(r.Read(prefix + ".events"))["max"];
    out.hugetlb[size] = h;
  }
  return Ok();
}

Status ReadV2Stats(const CgroupFs& fs, const std::string& path, Stats& out) {
  V2Reader r(fs, path);
  ReadCpu(r, out.cpu);
  // v2 has only the effective lists (runc reads the same).
  out.cpuset.cpus = stats_internal::ParseCpuList(r.Read("cpuset.cpus.effective"));
  out.cpuset.mems = stats_internal::ParseCpuList(r.Read("cpuset.mems.effective"));
  ReadMemory(r, out.memory);
  out.pids.current = ParseUint(r.Read("pids.current"));
  out.pids.limit = ParseUint(r.Read("pids.max"), 0);
  ReadIo(r, out.blkio);
  return ReadV2HugetlbStats(fs, path, out);
}

}  // namespace berth::cgroups
