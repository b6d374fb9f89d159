// linux.resources -> cgroup v2 files (V2Manager::Apply).
#include <cerrno>
#include <cstdlib>

#include "runtime/cgroups/device_filter.h"
#include "runtime/cgroups/device_rules.h"
#include "runtime/cgroups/resource_values.h"
#include "runtime/cgroups/v2_manager.h"

namespace berth::cgroups {
namespace {

class V2Writer {
 public:
  V2Writer(const CgroupFs& fs, const std::string& path) : fs_(fs), path_(path) {}
  Status Write(const std::string& file, const std::string& value, const std::string& field) const {
    BERTH_TRY_CTX(fs_.Write(path_, file, value), field);
    return Ok();
  }
  bool Exists(const std::string& file) const { return fs_.FileExists(path_, file); }
  Result<std::string> Read(const std::string& file) const { return fs_.Read(path_, file); }

 private:
  const CgroupFs& fs_;
  const std::string& path_;
};

// The controller a unified key belongs to: "memory.high" -> "memory".
std::string ControllerOf(const std::string& key) { return key.substr(0, key.find('.')); }

std::set<std::string> NeededControllers(const spec::Resources& r, const std::set<std::string>& host) {
  std::set<std::string> need;
  if (r.memory && (r.memory->limit || r.memory->reservation || r.memory->swap)) need.insert("memory");
  if (r.cpu) {
    if (r.cpu->shares || r.cpu->quota || r.cpu->period || r.cpu->burst || r.cpu->idle) need.insert("cpu");
    if (!r.cpu->cpus.empty() || !r.cpu->mems.empty()) need.insert("cpuset");
  }
  if (r.blockIO) {
    const auto& b = *r.blockIO;
    if (b.weight || !b.weightDevice.empty() || !b.throttleReadBpsDevice.empty() ||
        !b.throttleWriteBpsDevice.empty() || !b.throttleReadIOPSDevice.empty() ||
        !b.throttleWriteIOPSDevice.empty())
      need.insert("io");
  }
  if (!r.hugepageLimits.empty()) need.insert("hugetlb");
  if (r.pids) need.insert("pids");
  if (!r.rdma.empty()) need.insert("rdma");
  // Unified keys name their controller; core files ("cgroup.*") and files
  // the host has without the controller (PSI "cpu.pressure") need nothing.
  for (const auto& [key, value] : r.unified) {
    std::string c = ControllerOf(key);
    if (c != "cgroup" && host.count(c)) need.insert(c);
  }
  return need;
}

Status ApplyMemory(const V2Writer& w, const spec::MemoryResources& m) {
  if (m.checkBeforeUpdate && *m.checkBeforeUpdate) {
    // v2 would OOM-kill to meet a limit below usage; the spec asks to
    // refuse. runc's check and messages (best effort: unreadable usage
    // passes).
    auto current = w.Read("memory.current");
    if (current.ok()) {
      long long usage = strtoll(current->c_str(), nullptr, 10);
      if (m.swap && *m.swap > 0) {
        auto swap_current = w.Read("memory.swap.current");
        long long total = usage + (swap_current.ok() ? strtoll(swap_current->c_str(), nullptr, 10) : 0);
        if (*m.swap <= total)
          return Error(EBUSY, "rejecting memory+swap limit " + std::to_string(*m.swap) + " <= usage " +
                                  std::to_string(total));
      }
      if (m.limit && *m.limit > 0 && *m.limit <= usage)
        return Error(EBUSY, "rejecting memory limit " + std::to_string(*m.limit) + " <= usage " +
                                std::to_string(usage));
    }
  }
  auto swap = BERTH_TRY(SwapToV2(m.swap, m.limit));
  if (m.limit) BERTH_TRY(w.Write("memory.max", LimitValue(*m.limit), "linux.resources.memory.limit"));
  if (swap) {
    if (!w.Exists("memory.swap.max"))
      return Error(ENOENT, "linux.resources.memory.swap: swap accounting (memory.swap.max) not available");
    BERTH_TRY(w.Write("memory.swap.max", LimitValue(*swap), "linux.resources.memory.swap"));
  }
  if (m.reservation)
    BERTH_TRY(w.Write("memory.low", LimitValue(*m.reservation), "linux.resources.memory.reservation"));
  // swappiness, disableOOMKiller, kernel, kernelTCP, useHierarchy have no v2
  // file: v2 memory is always hierarchical, kernel memory always accounted.
  return Ok();
}

Status ApplyCpu(const V2Writer& w, const spec::CpuResources& c) {
  if (c.realtimeRuntime || c.realtimePeriod)
    return Error(EINVAL, "linux.resources.cpu.realtimeRuntime/realtimePeriod: not supported by cgroup v2");
  if (c.shares)
    BERTH_TRY(
        w.Write("cpu.weight", std::to_string(CpuSharesToWeight(*c.shares)), "linux.resources.cpu.shares"));
  if (c.quota || c.period) {
    // cpu.max is "QUOTA PERIOD"; a period alone keeps the current quota.
    std::string quota = "max";
    if (c.quota) {
      if (*c.quota > 0) quota = std::to_string(*c.quota);
    } else if (auto current = w.Read("cpu.max"); current.ok()) {
      quota = current->substr(0, current->find(' '));
    }
    std::string value = quota;
    if (c.period) value += " " + std::to_string(*c.period);
    BERTH_TRY(w.Write("cpu.max", value, "linux.resources.cpu.quota"));
  }
  if (c.burst) BERTH_TRY(w.Write("cpu.max.burst", std::to_string(*c.burst), "linux.resources.cpu.burst"));
  if (c.idle) BERTH_TRY(w.Write("cpu.idle", std::to_string(*c.idle), "linux.resources.cpu.idle"));
  if (!c.cpus.empty()) BERTH_TRY(w.Write("cpuset.cpus", c.cpus, "linux.resources.cpu.cpus"));
  if (!c.mems.empty()) BERTH_TRY(w.Write("cpuset.mems", c.mems, "linux.resources.cpu.mems"));
  return Ok();
}

std::string Device(int64_t major, int64_t minor) {
  return std::to_string(major) + ":" + std::to_string(minor);
}

Status ApplyIo(const V2Writer& w, const spec::BlockIoResources& b) {
  // BFQ takes the v1 weight range as is; io.weight needs the conversion.
  const bool bfq = w.Exists("io.bfq.weight");
  const std::string weight_file = bfq ? "io.bfq.weight" : "io.weight";
  auto weight = [&](uint16_t v) { return std::to_string(bfq ? v : BlkioWeightToIoWeight(v)); };
  if (b.weight)
    BERTH_TRY(w.Write(weight_file, bfq ? weight(*b.weight) : "default " + weight(*b.weight),
                      "linux.resources.blockIO.weight"));
  for (const auto& d : b.weightDevice)
    if (d.weight)
      BERTH_TRY(w.Write(weight_file, Device(d.major, d.minor) + " " + weight(*d.weight),
                        "linux.resources.blockIO.weightDevice"));
  // leafWeight has no v2 equivalent.
  struct Throttle {
    const std::vector<spec::ThrottleDevice>& devices;
    const char* key;
    const char* field;
  };
  for (const Throttle& t :
       {Throttle{b.throttleReadBpsDevice, "rbps", "linux.resources.blockIO.throttleReadBpsDevice"},
        Throttle{b.throttleWriteBpsDevice, "wbps", "linux.resources.blockIO.throttleWriteBpsDevice"},
        Throttle{b.throttleReadIOPSDevice, "riops", "linux.resources.blockIO.throttleReadIOPSDevice"},
        Throttle{b.throttleWriteIOPSDevice, "wiops", "linux.resources.blockIO.throttleWriteIOPSDevice"}})
    for (const auto& d : t.devices)
      BERTH_TRY(
          w.Write("io.max", Device(d.major, d.minor) + " " + t.key + "=" + std::to_string(d.rate), t.field));
  return Ok();
}

Status ApplyHugetlb(const V2Writer& w, const std::vector<spec::HugepageLimit>& limits) {
  for (const auto& h : limits) {
    const std::string field = "linux.resources.hugepageLimits[" + h.pageSize + "]";
    std::string file = "hugetlb." + h.pageSize + ".max";
    if (h.pageSize.find('/') != std::string::npos || !w.Exists(file))
      return Error(EINVAL, field + ": huge page size \"" + h.pageSize + "\" is not supported by this host");
    BERTH_TRY(w.Write(file, std::to_string(h.limit), field));
    std::string rsvd = "hugetlb." + h.pageSize + ".rsvd.max";
    if (w.Exists(rsvd)) BERTH_TRY(w.Write(rsvd, std::to_string(h.limit), field));
  }
  return Ok();
}

Status CheckUnifiedKey(const std::string& key) {
  if (key.empty() || key == "." || key == ".." || key.find('/') != std::string::npos ||
      key.find('\0') != std::string::npos)
    return Error(EINVAL, "linux.resources.unified: \"" + key + "\" is not a cgroup file name");
  return Ok();
}

}  // namespace

Status V2Manager::Apply(const spec::Resources& resources, bool device_filter) {
  const spec::Resources r = WithoutUnsetZeros(resources);
  for (const auto& [key, value] : r.unified) BERTH_TRY(CheckUnifiedKey(key));
  if (r.network && (r.network->classID || !r.network->priorities.empty()))
    return Error(ENOENT, "linux.resources.network: cgroup v2 has no net_cls/net_prio controller");

  std::set<std::string> host = BERTH_TRY(HostControllers());
  BERTH_TRY(EnableControllers(NeededControllers(r, host)));

  V2Writer w(*fs_, path_);
  if (r.memory) BERTH_TRY(ApplyMemory(w, *r.memory));
  if (r.cpu) BERTH_TRY(ApplyCpu(w, *r.cpu));
  if (r.blockIO) BERTH_TRY(ApplyIo(w, *r.blockIO));
  BERTH_TRY(ApplyHugetlb(w, r.hugepageLimits));
  if (r.pids) BERTH_TRY(w.Write("pids.max", PidsMaxValue(*r.pids), "linux.resources.pids.limit"));
  for (const auto& [device, limit] : r.rdma) {
    std::string line = BERTH_TRY(RdmaMaxLine(device, limit));
    if (line != device) BERTH_TRY(w.Write("rdma.max", line, "linux.resources.rdma." + device));
  }
  if (device_filter) {
    auto rules = BERTH_TRY(EffectiveDeviceRules(r.devices));
    BERTH_TRY_CTX(fs_->AttachDeviceFilter(path_, CompileDeviceFilter(rules)), "linux.resources.devices");
  }
  // Written last and verbatim, so they override the typed fields.
  for (const auto& [key, value] : r.unified) {
    if (!w.Exists(key)) {
      std::string c = ControllerOf(key);
      if (c != "cgroup" && !host.count(c))
        return Error(ENOENT, "cgroup v2 " + c + " controller not available");
      return Error(ENOENT,
                   "linux.resources.unified: \"" + key + "\" is not a file of cgroup " + fs_->DirPath(path_));
    }
    BERTH_TRY(w.Write(key, value, "linux.resources.unified." + key));
  }
  return Ok();
}

}  // namespace berth::cgroups
