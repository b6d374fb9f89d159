// linux.resources -> cgroup v1 files.
#include <cerrno>
#include <limits>

#include "runtime/cgroups/device_rules.h"
#include "runtime/cgroups/resource_values.h"
#include "runtime/cgroups/v1_manager.h"

namespace berth::cgroups {
namespace {

// The kernel's ENOTSUPP (524), which the deprecated kmem files return.
constexpr int kKernelEnotsupp = 524;

class V1Writer {
 public:
  V1Writer(const CgroupFs& fs, const std::map<std::string, std::string>& paths) : fs_(fs), paths_(paths) {}

  Result<std::string> Need(const std::string& controller) const {
    auto it = paths_.find(controller);
    if (it == paths_.end()) return Error(ENOENT, "cgroup v1 " + controller + " controller not available");
    return controller + it->second;
  }
  bool Has(const std::string& controller) const { return paths_.count(controller) != 0; }

  Status Write(const std::string& controller, const std::string& file, const std::string& value,
               const std::string& field) const {
    std::string cgroup = BERTH_TRY_CTX(Need(controller), field);
    BERTH_TRY_CTX(fs_.Write(cgroup, file, value), field);
    return Ok();
  }
  bool FileExists(const std::string& controller, const std::string& file) const {
    auto it = paths_.find(controller);
    return it != paths_.end() && fs_.FileExists(controller + it->second, file);
  }
  Result<std::string> Read(const std::string& controller, const std::string& file) const {
    std::string cgroup = BERTH_TRY(Need(controller));
    return fs_.Read(cgroup, file);
  }

 private:
  const CgroupFs& fs_;
  const std::map<std::string, std::string>& paths_;
};

// -1 means unlimited; compare with it as the largest value.
int64_t AsLimit(int64_t v) { return v < 0 ? std::numeric_limits<int64_t>::max() : v; }

std::optional<int64_t> ParseLimit(const Result<std::string>& text) {
  if (!text.ok()) return std::nullopt;
  errno = 0;
  char* end = nullptr;
  long long v = strtoll(text->c_str(), &end, 10);
  if (errno != 0 || end == text->c_str()) return std::nullopt;
  return v;
}

// EBUSY: the kernel could not reclaim down to a limit below the usage;
// said as runc says it.
Status WriteMemoryLimit(const V1Writer& w, int64_t limit) {
  Status s =
      w.Write("memory", "memory.limit_in_bytes", std::to_string(limit), "linux.resources.memory.limit");
  if (s.ok() || s.error().code() != EBUSY) return s;
  auto number = [&](const char* file) {
    auto text = w.Read("memory", file);
    return text.ok() ? strtoull(text->c_str(), nullptr, 10) : 0ULL;
  };
  return Error(EBUSY, "unable to set memory limit to " + std::to_string(limit) +
                          " (current usage: " + std::to_string(number("memory.usage_in_bytes")) +
                          ", peak usage: " + std::to_string(number("memory.max_usage_in_bytes")) + ")");
}

Status ApplyMemory(const V1Writer& w, spec::MemoryResources m) {
  const std::string mem = "memory";
  // Without swap accounting (swapaccount=0) there is no memsw file; engines
  // routinely send swap = 2 * limit, so the swap limit is dropped, as runc does.
  if (m.swap && w.Has(mem) && !w.FileExists(mem, "memory.memsw.limit_in_bytes")) m.swap.reset();
  if (m.limit && m.swap) {
    // The kernel keeps limit <= memsw at every step: write the limit first
    // unless the new limit exceeds the current memsw limit.
    std::optional<int64_t> old_memsw = ParseLimit(w.Read(mem, "memory.memsw.limit_in_bytes"));
    bool limit_first = !old_memsw || AsLimit(*m.limit) <= AsLimit(*old_memsw);
    if (limit_first) {
      BERTH_TRY(WriteMemoryLimit(w, *m.limit));
      BERTH_TRY(w.Write(mem, "memory.memsw.limit_in_bytes", std::to_string(*m.swap),
                        "linux.resources.memory.swap"));
    } else {
      BERTH_TRY(w.Write(mem, "memory.memsw.limit_in_bytes", std::to_string(*m.swap),
                        "linux.resources.memory.swap"));
      BERTH_TRY(WriteMemoryLimit(w, *m.limit));
    }
  } else if (m.limit) {
    BERTH_TRY(WriteMemoryLimit(w, *m.limit));
  } else if (m.swap) {
    BERTH_TRY(
        w.Write(mem, "memory.memsw.limit_in_bytes", std::to_string(*m.swap), "linux.resources.memory.swap"));
  }
  if (m.reservation)
    BERTH_TRY(w.Write(mem, "memory.soft_limit_in_bytes", std::to_string(*m.reservation),
                      "linux.resources.memory.reservation"));
  // Kernel memory limits are deprecated (spec) and gone from recent kernels,
  // which answer ENOTSUPP/EOPNOTSUPP or lack the file: not an error.
  auto deprecated = [&](const std::optional<int64_t>& value, const char* file, const char* field) -> Status {
    if (!value) return Ok();
    Status s = w.Write(mem, file, std::to_string(*value), field);
    if (s.ok() || s.error().code() == kKernelEnotsupp || s.error().code() == EOPNOTSUPP ||
        s.error().code() == ENOENT)
      return Ok();
    return s;
  };
  BERTH_TRY(deprecated(m.kernel, "memory.kmem.limit_in_bytes", "linux.resources.memory.kernel"));
  BERTH_TRY(deprecated(m.kernelTCP, "memory.kmem.tcp.limit_in_bytes", "linux.resources.memory.kernelTCP"));
  if (m.swappiness) {
    if (*m.swappiness > 100)
      return Error(EINVAL,
                   "linux.resources.memory.swappiness: " + std::to_string(*m.swappiness) + " is above 100");
    BERTH_TRY(w.Write(mem, "memory.swappiness", std::to_string(*m.swappiness),
                      "linux.resources.memory.swappiness"));
  }
  if (m.disableOOMKiller)
    BERTH_TRY(w.Write(mem, "memory.oom_control", *m.disableOOMKiller ? "1" : "0",
                      "linux.resources.memory.disableOOMKiller"));
  if (m.useHierarchy)
    BERTH_TRY(w.Write(mem, "memory.use_hierarchy", *m.useHierarchy ? "1" : "0",
                      "linux.resources.memory.useHierarchy"));
  return Ok();
}

Status ApplyCpu(const V1Writer& w, const spec::CpuResources& c) {
  if (c.shares)
    BERTH_TRY(w.Write("cpu", "cpu.shares", std::to_string(*c.shares), "linux.resources.cpu.shares"));
  if (c.period)
    BERTH_TRY(w.Write("cpu", "cpu.cfs_period_us", std::to_string(*c.period), "linux.resources.cpu.period"));
  if (c.quota)
    BERTH_TRY(w.Write("cpu", "cpu.cfs_quota_us", std::to_string(*c.quota), "linux.resources.cpu.quota"));
  if (c.burst)
    BERTH_TRY(w.Write("cpu", "cpu.cfs_burst_us", std::to_string(*c.burst), "linux.resources.cpu.burst"));
  // The runtime may only be raised after the period it is a share of.
  if (c.realtimePeriod)
    BERTH_TRY(w.Write("cpu", "cpu.rt_period_us", std::to_string(*c.realtimePeriod),
                      "linux.resources.cpu.realtimePeriod"));
  if (c.realtimeRuntime)
    BERTH_TRY(w.Write("cpu", "cpu.rt_runtime_us", std::to_string(*c.realtimeRuntime),
                      "linux.resources.cpu.realtimeRuntime"));
  if (c.idle) BERTH_TRY(w.Write("cpu", "cpu.idle", std::to_string(*c.idle), "linux.resources.cpu.idle"));
  if (!c.cpus.empty()) BERTH_TRY(w.Write("cpuset", "cpuset.cpus", c.cpus, "linux.resources.cpu.cpus"));
  if (!c.mems.empty()) BERTH_TRY(w.Write("cpuset", "cpuset.mems", c.mems, "linux.resources.cpu.mems"));
  return Ok();
}

std::string DevicePrefix(int64_t major, int64_t minor) {
  return std::to_string(major) + ":" + std::to_string(minor) + " ";
}

Status ApplyBlockIo(const V1Writer& w, const spec::BlockIoResources& b) {
  // With the BFQ scheduler (no CFQ), the weight files are blkio.bfq.*.
  const bool bfq = !w.FileExists("blkio", "blkio.weight") && w.FileExists("blkio", "blkio.bfq.weight");
  const std::string weight_file = bfq ? "blkio.bfq.weight" : "blkio.weight";
  const std::string weight_device_file = bfq ? "blkio.bfq.weight_device" : "blkio.weight_device";
  if (b.weight)
    BERTH_TRY(w.Write("blkio", weight_file, std::to_string(*b.weight), "linux.resources.blockIO.weight"));
  if (b.leafWeight)
    BERTH_TRY(w.Write("blkio", "blkio.leaf_weight", std::to_string(*b.leafWeight),
                      "linux.resources.blockIO.leafWeight"));
  for (const auto& d : b.weightDevice) {
    if (d.weight)
      BERTH_TRY(w.Write("blkio", weight_device_file,
                        DevicePrefix(d.major, d.minor) + std::to_string(*d.weight),
                        "linux.resources.blockIO.weightDevice"));
    if (d.leafWeight)
      BERTH_TRY(w.Write("blkio", "blkio.leaf_weight_device",
                        DevicePrefix(d.major, d.minor) + std::to_string(*d.leafWeight),
                        "linux.resources.blockIO.weightDevice.leafWeight"));
  }
  struct Throttle {
    const std::vector<spec::ThrottleDevice>& devices;
    const char* file;
    const char* field;
  };
  for (const Throttle& t : {Throttle{b.throttleReadBpsDevice, "blkio.throttle.read_bps_device",
                                     "linux.resources.blockIO.throttleReadBpsDevice"},
                            Throttle{b.throttleWriteBpsDevice, "blkio.throttle.write_bps_device",
                                     "linux.resources.blockIO.throttleWriteBpsDevice"},
                            Throttle{b.throttleReadIOPSDevice, "blkio.throttle.read_iops_device",
                                     "linux.resources.blockIO.throttleReadIOPSDevice"},
                            Throttle{b.throttleWriteIOPSDevice, "blkio.throttle.write_iops_device",
                                     "linux.resources.blockIO.throttleWriteIOPSDevice"}})
    for (const auto& d : t.devices)
      BERTH_TRY(w.Write("blkio", t.file, DevicePrefix(d.major, d.minor) + std::to_string(d.rate), t.field));
  return Ok();
}

Status ApplyHugetlb(const V1Writer& w, const std::vector<spec::HugepageLimit>& limits) {
  for (const auto& h : limits) {
    const std::string field = "linux.resources.hugepageLimits[" + h.pageSize + "]";
    BERTH_TRY_CTX(w.Need("hugetlb"), field);
    std::string file = "hugetlb." + h.pageSize + ".limit_in_bytes";
    if (h.pageSize.find('/') != std::string::npos || !w.FileExists("hugetlb", file))
      return Error(EINVAL, field + ": huge page size \"" + h.pageSize + "\" is not supported by this host");
    BERTH_TRY(w.Write("hugetlb", file, std::to_string(h.limit), field));
    // Reservations are charged separately when the kernel accounts them.
    std::string rsvd = "hugetlb." + h.pageSize + ".rsvd.limit_in_bytes";
    if (w.FileExists("hugetlb", rsvd)) BERTH_TRY(w.Write("hugetlb", rsvd, std::to_string(h.limit), field));
  }
  return Ok();
}

Status ApplyNetwork(const V1Writer& w, const spec::NetworkResources& n) {
  if (n.classID)
    BERTH_TRY(
        w.Write("net_cls", "net_cls.classid", std::to_string(*n.classID), "linux.resources.network.classID"));
  for (const auto& p : n.priorities)
    BERTH_TRY(w.Write("net_prio", "net_prio.ifpriomap", p.name + " " + std::to_string(p.priority),
                      "linux.resources.network.priorities"));
  return Ok();
}

}  // namespace

Status ApplyV1Resources(const CgroupFs& fs, const std::map<std::string, std::string>& paths,
                        const spec::Resources& resources, bool skip_hugetlb, bool devices) {
  const spec::Resources r = WithoutUnsetZeros(resources);
  V1Writer w(fs, paths);
  if (r.memory) BERTH_TRY(ApplyMemory(w, *r.memory));
  if (r.cpu) BERTH_TRY(ApplyCpu(w, *r.cpu));
  if (r.blockIO) BERTH_TRY(ApplyBlockIo(w, *r.blockIO));
  if (!skip_hugetlb) BERTH_TRY(ApplyHugetlb(w, r.hugepageLimits));
  if (r.network) BERTH_TRY(ApplyNetwork(w, *r.network));
  if (r.pids) BERTH_TRY(w.Write("pids", "pids.max", PidsMaxValue(*r.pids), "linux.resources.pids.limit"));
  for (const auto& [device, limit] : r.rdma) {
    std::string line = BERTH_TRY(RdmaMaxLine(device, limit));
    if (line != device) BERTH_TRY(w.Write("rdma", "rdma.max", line, "linux.resources.rdma." + device));
  }
  // The device allow-list is a security boundary: it is always applied when
  // the devices hierarchy exists, and asking for rules without it is an error.
  // (update passes devices = false: it never changes the allow-list.)
  if (devices && (w.Has("devices") || !r.devices.empty())) {
    auto rules = BERTH_TRY(EffectiveDeviceRules(r.devices));
    for (const auto& rule : rules)
      BERTH_TRY(w.Write("devices", rule.allow ? "devices.allow" : "devices.deny", FormatV1DeviceRule(rule),
                        "linux.resources.devices"));
  }
  return Ok();
}

}  // namespace berth::cgroups
