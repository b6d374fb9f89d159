// linux.resources as systemd unit properties, sent with StartTransientUnit.
//
// As runc's systemd driver does, the limits systemd knows are given to the
// unit too, so that systemd, when it re-applies a unit's settings (on
// daemon-reload, or when a sibling unit changes), re-applies the
// container's limits instead of resetting them to the unit's defaults.
// Every field is still written through cgroupfs as well (ApplyResources),
// which covers the ones systemd has no property for.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/error.h"
#include "runtime/cgroups/dbus_message.h"
#include "spec/config.h"

namespace berth::cgroups {

// "0-2,7" as systemd's CPU/NUMA-node bitmask (ay): bit n of byte n/8.
Result<std::vector<uint8_t>> CpuListBitmask(std::string_view list);

// CPUQuotaPerSecUSec for quota/period (µs); runc's rounding: up to a
// multiple of 10 ms, which is systemd's own granularity.
uint64_t CpuQuotaPerSecUSec(int64_t quota, uint64_t period);

// The properties, for a cgroup v1 or hybrid host (unified = false: runc's
// v1 set: MemoryLimit, CPUShares, CPUQuotaPerSecUSec (+CPUQuotaPeriodUSec),
// BlockIOWeight, TasksMax, AllowedCPUs/AllowedMemoryNodes) or a v2 host
// (MemoryMax, MemoryLow, CPUWeight, CPUQuotaPerSecUSec, IOWeight, TasksMax,
// AllowedCPUs/AllowedMemoryNodes). Device rules are not sent (see
// systemd_properties.cc). EINVAL for a cpus/mems list that does not parse.
Result<std::vector<dbus::Value>> ResourceProperties(const spec::Resources& resources, bool unified);

// The properties to send back to undo `applied`: for each of its names,
// the one in `previous` if there is one, else the value that clears it
// (infinity for MemoryLimit/MemoryMax/TasksMax/CPUQuotaPerSecUSec, 0 for
// MemoryLow, systemd's "unset" (UINT64_MAX, an empty mask) for the rest).
std::vector<dbus::Value> RestoringProperties(const std::vector<dbus::Value>& applied,
                                             const std::vector<dbus::Value>& previous);

}  // namespace berth::cgroups
