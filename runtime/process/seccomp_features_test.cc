#include "runtime/process/seccomp_features.h"

#include <sys/prctl.h>

#include <gtest/gtest.h>
#include <algorithm>

namespace berth::process {
namespace {

bool Has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(SeccompFeatures, ArchitecturesAreThoseLibseccompKnows) {
  auto archs = SupportedSeccompArchitectures();
  EXPECT_TRUE(Has(archs, "SCMP_ARCH_X86_64"));
  EXPECT_TRUE(Has(archs, "SCMP_ARCH_X86"));
  EXPECT_TRUE(Has(archs, "SCMP_ARCH_X32"));
  EXPECT_TRUE(Has(archs, "SCMP_ARCH_AARCH64"));
  // libseccomp 2.5.4 predates these (added in 2.6): claiming them would be a lie.
  EXPECT_FALSE(Has(archs, "SCMP_ARCH_SH"));
  EXPECT_FALSE(Has(archs, "SCMP_ARCH_M68K"));
}

TEST(SeccompFeatures, FlagsProbedFromTheKernelWithoutInstallingAFilter) {
  auto flags = SupportedSeccompFlags();
  // Linux 6.18: all four exist (WAIT_KILLABLE_RECV since 5.19).
  EXPECT_TRUE(Has(flags, "SECCOMP_FILTER_FLAG_TSYNC"));
  EXPECT_TRUE(Has(flags, "SECCOMP_FILTER_FLAG_LOG"));
  EXPECT_TRUE(Has(flags, "SECCOMP_FILTER_FLAG_SPEC_ALLOW"));
  EXPECT_TRUE(Has(flags, "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"));
  EXPECT_EQ(prctl(PR_GET_SECCOMP, 0, 0, 0, 0), 0) << "probing installed a filter";
}

}  // namespace
}  // namespace berth::process
