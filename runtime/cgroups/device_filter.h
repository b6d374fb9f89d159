// cgroup v2 device control: a BPF_PROG_TYPE_CGROUP_DEVICE program built from
// the effective device rules (see device_rules.h), and its attachment.
#pragma once

#include <linux/bpf.h>

#include <vector>

#include "runtime/base/error.h"
#include "spec/config.h"

namespace berth::cgroups {

// Compiles rules (already validated, in kernel order, last match wins) into
// a program returning 1 (allow) or 0 (deny) for a bpf_cgroup_dev_ctx.
// Unmatched accesses are denied. Contains no unreachable instructions (the
// verifier rejects those).
std::vector<bpf_insn> CompileDeviceFilter(const std::vector<spec::DeviceCgroupRule>& rules);

// Loads the program and attaches it to the cgroup directory fd with
// BPF_F_ALLOW_MULTI, then detaches the programs that were attached before,
// so an update never leaves the cgroup without a filter.
Status AttachDeviceProgram(int cgroup_dir_fd, const std::vector<bpf_insn>& program);

}  // namespace berth::cgroups
