// What this build and kernel can do with seccomp, for `berth features`
// (features-linux.md: seccomp.archs, seccomp.supportedFlags).
#pragma once

#include <string>
#include <vector>

namespace berth::process {

// The spec's SCMP_ARCH_* names this build's libseccomp can compile for.
std::vector<std::string> SupportedSeccompArchitectures();

// The spec's SECCOMP_FILTER_FLAG_* names the running kernel accepts, probed
// with seccomp(2) on a null program (EFAULT: flag known; EINVAL: unknown).
std::vector<std::string> SupportedSeccompFlags();

}  // namespace berth::process
