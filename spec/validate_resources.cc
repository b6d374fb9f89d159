// Validation of config.json "linux.resources".
#include "spec/json_read.h"
#include "spec/validate_internal.h"

namespace berth::spec::validate {

namespace {

// Memory limits: a positive number of bytes, 0 (unset) or -1 (unlimited).
void CheckBytes(Report& r, const std::string& path, const std::optional<int64_t>& v) {
  if (v && *v < -1) r.Add(path, "must be -1 (unlimited) or >= 0");
}

void CheckWeight(Report& r, const std::string& path, const std::optional<uint16_t>& w) {
  if (w && *w != 0 && (*w < 10 || *w > 1000)) r.Add(path, "must be in [10, 1000]");
}

bool IsPageSize(std::string_view s) {
  if (s.size() < 3 || s.back() != 'B') return false;
  char unit = s[s.size() - 2];
  if (unit != 'K' && unit != 'M' && unit != 'G') return false;
  if (s[0] == '0') return false;
  for (size_t i = 0; i + 2 < s.size(); ++i)
    if (s[i] < '0' || s[i] > '9') return false;
  return true;
}

}  // namespace

void CheckResources(Report& r, const std::string& path, const Resources& res) {
  for (size_t i = 0; i < res.devices.size(); ++i) {
    const DeviceCgroupRule& d = res.devices[i];
    std::string at = At(path + ".devices", i);
    if (!d.type.empty()) CheckName(r, at + ".type", kDeviceCgroupTypeSet, d.type);
    if (d.access.find_first_not_of("rwm") != std::string::npos)
      r.Add(at + ".access", "must be a subset of \"rwm\"");
    // -1 is the wildcard "*" (as docker writes it); absent means the same.
    if ((d.major && *d.major < -1) || (d.minor && *d.minor < -1))
      r.Add(at, "major and minor must be >= 0, or -1 or absent for \"*\"");
  }
  if (res.memory) {
    const MemoryResources& m = *res.memory;
    std::string at = path + ".memory";
    CheckBytes(r, at + ".limit", m.limit);
    CheckBytes(r, at + ".reservation", m.reservation);
    CheckBytes(r, at + ".swap", m.swap);
    CheckBytes(r, at + ".kernel", m.kernel);
    CheckBytes(r, at + ".kernelTCP", m.kernelTCP);
    if (m.swappiness && *m.swappiness > 100) r.Add(at + ".swappiness", "must be in [0, 100]");
    // swap is the memory+swap limit: it cannot be below the memory limit.
    if (m.limit && m.swap && *m.limit > 0 && *m.swap > 0 && *m.swap < *m.limit)
      r.Add(at + ".swap", "must not be less than memory.limit (it limits memory+swap)");
  }
  if (res.cpu) {
    const CpuResources& c = *res.cpu;
    std::string at = path + ".cpu";
    if (c.quota && *c.quota != -1 && *c.quota != 0 && *c.quota < 1000)
      r.Add(at + ".quota", "must be -1 (unlimited) or at least 1000 microseconds");
    if (c.period && *c.period != 0 && (*c.period < 1000 || *c.period > 1000000))
      r.Add(at + ".period", "must be in [1000, 1000000] microseconds");
    if (c.burst && c.quota && *c.quota > 0 && *c.burst > static_cast<uint64_t>(*c.quota))
      r.Add(at + ".burst", "must not exceed quota");
    if (c.idle && *c.idle != 0 && *c.idle != 1) r.Add(at + ".idle", "must be 0 or 1");
    if (!c.cpus.empty() && !IsCpuList(c.cpus)) r.Add(at + ".cpus", "must be a CPU list like \"0-3,7\"");
    if (!c.mems.empty() && !IsCpuList(c.mems)) r.Add(at + ".mems", "must be a node list like \"0-1\"");
  }
  if (res.blockIO) {
    const BlockIoResources& b = *res.blockIO;
    std::string at = path + ".blockIO";
    CheckWeight(r, at + ".weight", b.weight);
    CheckWeight(r, at + ".leafWeight", b.leafWeight);
    for (size_t i = 0; i < b.weightDevice.size(); ++i) {
      const WeightDevice& d = b.weightDevice[i];
      std::string dat = At(at + ".weightDevice", i);
      if (!d.weight && !d.leafWeight) r.Add(dat, "needs weight or leafWeight");
      CheckWeight(r, dat + ".weight", d.weight);
      CheckWeight(r, dat + ".leafWeight", d.leafWeight);
      if (d.major < 0 || d.minor < 0) r.Add(dat, "major and minor must not be negative");
    }
    for (const auto& [name, list] : {std::pair{".throttleReadBpsDevice", &b.throttleReadBpsDevice},
                                     {".throttleWriteBpsDevice", &b.throttleWriteBpsDevice},
                                     {".throttleReadIOPSDevice", &b.throttleReadIOPSDevice},
                                     {".throttleWriteIOPSDevice", &b.throttleWriteIOPSDevice}})
      for (size_t i = 0; i < list->size(); ++i)
        if ((*list)[i].major < 0 || (*list)[i].minor < 0)
          r.Add(At(at + name, i), "major and minor must not be negative");
  }
  for (size_t i = 0; i < res.hugepageLimits.size(); ++i)
    if (!IsPageSize(res.hugepageLimits[i].pageSize))
      r.Add(At(path + ".hugepageLimits", i) + ".pageSize", "must be like \"2MB\" (KB, MB or GB)");
  if (res.network)
    for (size_t i = 0; i < res.network->priorities.size(); ++i)
      if (res.network->priorities[i].name.empty())
        r.Add(At(path + ".network.priorities", i) + ".name", "must not be empty");
  for (const auto& [dev, lim] : res.rdma)
    if (!lim.hcaHandles && !lim.hcaObjects)
      r.Add(json::MemberPath(path + ".rdma", dev), "needs hcaHandles or hcaObjects");
  for (const auto& [file, value] : res.unified)
    if (file.empty() || file.find('/') != std::string::npos || file == "." || file == "..")
      r.Add(json::MemberPath(path + ".unified", file), "must be a cgroup file name");
}

}  // namespace berth::spec::validate
