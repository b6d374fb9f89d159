// Device access rules: validation, the implicit allow-list every container
// gets, and the cgroup v1 text form.
#pragma once

#include <string>
#include <vector>

#include "runtime/base/error.h"
#include "spec/config.h"

namespace berth::cgroups {

// The allow-list every container gets and cannot remove (security.md,
// "Default hardening"): mknod of any char/block device, the standard
// /dev nodes, pts, console and tun.
const std::vector<spec::DeviceCgroupRule>& ImplicitDeviceRules();

// The rules as the kernel must see them, in order, last match wins:
// deny everything, the config's rules, then the implicit allow-list.
// Checks type (a/c/b or empty), access (subset of "rwm"; empty = "rwm") and
// major/minor (>= 0, or absent for "*").
Result<std::vector<spec::DeviceCgroupRule>> EffectiveDeviceRules(
    const std::vector<spec::DeviceCgroupRule>& config_rules);

// "c 1:3 rwm", "a *:* rwm": the line written to devices.allow/deny.
std::string FormatV1DeviceRule(const spec::DeviceCgroupRule& rule);

}  // namespace berth::cgroups
