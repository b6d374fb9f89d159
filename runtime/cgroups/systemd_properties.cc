#include "runtime/cgroups/systemd_properties.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <limits>

// Device rules stay with the cgroupfs managers. runc sends them as
// DevicePolicy=strict plus DeviceAllow= entries naming /dev/char/M:m or
// char-<driver> wildcards; systemd resolves those against the host's /dev
// and /proc/devices, so a rule for a device node the host lacks, or a
// wildcard major, cannot be expressed exactly. Without DevicePolicy=, the
// devices controller is not one systemd manages for the unit: it never
// writes the unit's devices cgroup, so it cannot undo berth's rules either.

namespace berth::cgroups {
namespace {

using dbus::Value;

constexpr uint64_t kInfinity = std::numeric_limits<uint64_t>::max();

Value Property(std::string name, Value value) {
  return Value::Struct({Value::String(std::move(name)), Value::Variant(std::move(value))});
}

Value Bytes(const std::vector<uint8_t>& bytes) {
  std::vector<Value> items;
  items.reserve(bytes.size());
  for (uint8_t b : bytes) items.push_back(Value::Byte(b));
  return Value::Array("y", std::move(items));
}

Result<unsigned> ParseIndex(std::string_view text, std::string_view list) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value > 8191)
    return Error(EINVAL, "invalid cpu/node list \"" + std::string(list) + "\"");
  return value;
}

// cgroup v1 cpu.shares (2..262144) to v2 cpu.weight (1..10000), the
// kernel's and runc's conversion.
uint64_t SharesToWeight(uint64_t shares) {
  if (shares == 0) return 0;
  if (shares < 2) shares = 2;
  if (shares > 262144) shares = 262144;
  return 1 + ((shares - 2) * 9999) / 262142;
}

}  // namespace

Result<std::vector<uint8_t>> CpuListBitmask(std::string_view list) {
  std::vector<uint8_t> mask;
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    std::string_view item =
        list.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    pos = comma == std::string_view::npos ? list.size() + 1 : comma + 1;
    if (item.empty()) {
      if (list.empty()) break;
      return Error(EINVAL, "invalid cpu/node list \"" + std::string(list) + "\"");
    }
    size_t dash = item.find('-');
    unsigned first = BERTH_TRY(ParseIndex(item.substr(0, dash), list));
    unsigned last =
        dash == std::string_view::npos ? first : BERTH_TRY(ParseIndex(item.substr(dash + 1), list));
    if (last < first) return Error(EINVAL, "invalid cpu/node list \"" + std::string(list) + "\"");
    if (mask.size() < last / 8 + 1) mask.resize(last / 8 + 1, 0);
    for (unsigned n = first; n <= last; ++n) mask[n / 8] |= static_cast<uint8_t>(1u << (n % 8));
  }
  return mask;
}

uint64_t CpuQuotaPerSecUSec(int64_t quota, uint64_t period) {
  if (quota <= 0) return kInfinity;
  if (period == 0) period = 100000;  // the kernel's default period
  uint64_t per_sec = static_cast<uint64_t>(quota) * 1000000 / period;
  if (per_sec % 10000 != 0) per_sec = (per_sec / 10000 + 1) * 10000;
  return per_sec;
}

Result<std::vector<Value>> ResourceProperties(const spec::Resources& r, bool unified) {
  std::vector<Value> props;
  if (r.memory && r.memory->limit && *r.memory->limit != 0) {
    uint64_t limit = *r.memory->limit < 0 ? kInfinity : static_cast<uint64_t>(*r.memory->limit);
    props.push_back(Property(unified ? "MemoryMax" : "MemoryLimit", Value::Uint64(limit)));
  }
  if (unified && r.memory && r.memory->reservation && *r.memory->reservation > 0)
    props.push_back(Property("MemoryLow", Value::Uint64(static_cast<uint64_t>(*r.memory->reservation))));
  if (r.cpu) {
    const spec::CpuResources& cpu = *r.cpu;
    if (cpu.shares && *cpu.shares != 0) {
      if (unified)
        props.push_back(Property("CPUWeight", Value::Uint64(SharesToWeight(*cpu.shares))));
      else
        props.push_back(Property("CPUShares", Value::Uint64(*cpu.shares)));
    }
    const int64_t quota = cpu.quota.value_or(0);
    const uint64_t period = cpu.period.value_or(0);
    if (period != 0) props.push_back(Property("CPUQuotaPeriodUSec", Value::Uint64(period)));
    if (quota != 0 || period != 0)
      props.push_back(Property("CPUQuotaPerSecUSec", Value::Uint64(CpuQuotaPerSecUSec(quota, period))));
    if (!cpu.cpus.empty())
      props.push_back(Property("AllowedCPUs",
                               Bytes(BERTH_TRY_CTX(CpuListBitmask(cpu.cpus), "linux.resources.cpu.cpus"))));
    if (!cpu.mems.empty())
      props.push_back(Property("AllowedMemoryNodes",
                               Bytes(BERTH_TRY_CTX(CpuListBitmask(cpu.mems), "linux.resources.cpu.mems"))));
  }
  if (r.blockIO && r.blockIO->weight && *r.blockIO->weight != 0) {
    // v1 blkio.weight 10..1000; v2 io.weight 1..10000 (runc's conversion).
    uint64_t weight = *r.blockIO->weight;
    if (unified) weight = weight <= 10 ? 1 : 1 + (weight - 10) * 9999 / 990;
    props.push_back(Property(unified ? "IOWeight" : "BlockIOWeight", Value::Uint64(weight)));
  }
  if (r.pids && r.pids->limit) {
    // 0 is left to the cgroupfs write, as runc's driver leaves it.
    int64_t limit = *r.pids->limit;
    if (limit > 0 || limit < 0)
      props.push_back(Property("TasksMax", Value::Uint64(limit < 0 ? kInfinity : limit)));
  }
  return props;
}

std::vector<Value> RestoringProperties(const std::vector<Value>& applied,
                                       const std::vector<Value>& previous) {
  std::vector<Value> restore;
  for (const Value& property : applied) {
    const std::string& name = property.items[0].text;
    auto old = std::find_if(previous.begin(), previous.end(),
                            [&name](const Value& p) { return p.items[0].text == name; });
    if (old != previous.end()) {
      restore.push_back(*old);
    } else if (name == "AllowedCPUs" || name == "AllowedMemoryNodes") {
      restore.push_back(Property(name, Value::Array("y", {})));
    } else if (name == "MemoryLow") {
      restore.push_back(Property(name, Value::Uint64(0)));
    } else {
      // Limits: infinity; weights, shares and the period: systemd's unset.
      restore.push_back(Property(name, Value::Uint64(kInfinity)));
    }
  }
  return restore;
}

}  // namespace berth::cgroups
