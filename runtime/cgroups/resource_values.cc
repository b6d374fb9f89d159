#include "runtime/cgroups/resource_values.h"

namespace berth::cgroups {

spec::Resources WithoutUnsetZeros(spec::Resources r) {
  auto drop_zero = [](auto& value) {
    if (value && *value == 0) value.reset();
  };
  if (r.cpu) {
    drop_zero(r.cpu->shares);
    drop_zero(r.cpu->quota);
    drop_zero(r.cpu->period);
    drop_zero(r.cpu->realtimeRuntime);
    drop_zero(r.cpu->realtimePeriod);
  }
  if (r.blockIO) {
    drop_zero(r.blockIO->weight);
    drop_zero(r.blockIO->leafWeight);
    for (auto& d : r.blockIO->weightDevice) {
      drop_zero(d.weight);
      drop_zero(d.leafWeight);
    }
  }
  return r;
}

std::string PidsMaxValue(const spec::PidsResources& p) {
  // 0 is a real limit (config-linux.md#pids): only negative or absent is "max".
  return p.limit && *p.limit >= 0 ? std::to_string(*p.limit) : "max";
}

Result<std::string> RdmaMaxLine(const std::string& device, const spec::RdmaLimit& limit) {
  if (device.empty() || device.find_first_of(" \n/") != std::string::npos)
    return Error(EINVAL, "linux.resources.rdma: invalid device name \"" + device + "\"");
  std::string line = device;
  if (limit.hcaHandles) line += " hca_handle=" + std::to_string(*limit.hcaHandles);
  if (limit.hcaObjects) line += " hca_object=" + std::to_string(*limit.hcaObjects);
  return line;
}

uint64_t CpuSharesToWeight(uint64_t shares) {
  if (shares == 0) return 0;
  if (shares < 2) shares = 2;
  if (shares > 262144) shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

uint64_t BlkioWeightToIoWeight(uint64_t weight) {
  if (weight == 0) return 0;
  if (weight < 10) weight = 10;
  if (weight > 1000) weight = 1000;
  return 1 + ((weight - 10) * 9999) / 990;
}

Result<std::optional<int64_t>> SwapToV2(std::optional<int64_t> swap, std::optional<int64_t> limit) {
  if (!swap) return std::optional<int64_t>();
  // Unlimited memory and no swap asked for: both unlimited, as on v1.
  if (*swap == 0 && limit && *limit == -1) return std::optional<int64_t>(-1);
  if (*swap == -1) return std::optional<int64_t>(-1);
  if (*swap == 0) return std::optional<int64_t>();
  if (*swap < -1) return Error(EINVAL, "linux.resources.memory.swap: invalid value " + std::to_string(*swap));
  if (!limit || *limit <= 0)
    return Error(EINVAL, "linux.resources.memory.swap: a swap limit needs a memory limit on cgroup v2");
  if (*swap < *limit)
    return Error(EINVAL, "linux.resources.memory.swap: " + std::to_string(*swap) +
                             " is below the memory limit " + std::to_string(*limit) +
                             " (swap is memory+swap)");
  return std::optional<int64_t>(*swap - *limit);
}

std::string LimitValue(int64_t v) { return v < 0 ? "max" : std::to_string(v); }

}  // namespace berth::cgroups
