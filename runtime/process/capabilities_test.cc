#include "runtime/process/capabilities.h"

#include <linux/capability.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <cstdio>
#include <fstream>
#include <utility>

#include "runtime/process/testing/fork_child.h"
#include "runtime/process/user.h"

namespace berth::process {
namespace {

using berth::testing::ProcStatusField;
using berth::testing::RunInChild;

std::string Hex(uint64_t mask) {
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(mask));
  return buf;
}

constexpr uint64_t Bit(int cap) { return uint64_t{1} << cap; }

// Applies caps (after becoming uid/gid `uid` when non-zero) in a child and
// returns "Inh Prm Eff Bnd Amb" from /proc/self/status, or the error.
std::string ApplyAndRead(const std::optional<spec::Capabilities>& caps, uint32_t uid) {
  auto outcome = RunInChild([&] {
    if (uid != 0) {
      spec::User user;
      user.uid = uid;
      user.gid = uid;
      if (Status s = SetUser(user); !s) return "error: " + s.error().ToString();
    }
    if (Status s = ApplyCapabilities(caps); !s) return "error: " + s.error().ToString();
    std::string out;
    for (const char* f : {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"})
      out += (out.empty() ? "" : " ") + ProcStatusField(f);
    return out;
  });
  if (outcome.exit_code != 0) return "child failed";
  return outcome.output;
}

bool HostBoundingHas(int cap) { return prctl(PR_CAPBSET_READ, cap, 0, 0, 0) == 1; }

TEST(CapabilityFromName, KnowsEveryCapabilityOfThisKernel) {
  // Each name against linux/capability.h's number for it.
  const std::pair<const char*, int> names[] = {
      {"CAP_CHOWN", CAP_CHOWN},
      {"CAP_DAC_OVERRIDE", CAP_DAC_OVERRIDE},
      {"CAP_DAC_READ_SEARCH", CAP_DAC_READ_SEARCH},
      {"CAP_FOWNER", CAP_FOWNER},
      {"CAP_FSETID", CAP_FSETID},
      {"CAP_KILL", CAP_KILL},
      {"CAP_SETGID", CAP_SETGID},
      {"CAP_SETUID", CAP_SETUID},
      {"CAP_SETPCAP", CAP_SETPCAP},
      {"CAP_LINUX_IMMUTABLE", CAP_LINUX_IMMUTABLE},
      {"CAP_NET_BIND_SERVICE", CAP_NET_BIND_SERVICE},
      {"CAP_NET_BROADCAST", CAP_NET_BROADCAST},
      {"CAP_NET_ADMIN", CAP_NET_ADMIN},
      {"CAP_NET_RAW", CAP_NET_RAW},
      {"CAP_IPC_LOCK", CAP_IPC_LOCK},
      {"CAP_IPC_OWNER", CAP_IPC_OWNER},
      {"CAP_SYS_MODULE", CAP_SYS_MODULE},
      {"CAP_SYS_RAWIO", CAP_SYS_RAWIO},
      {"CAP_SYS_CHROOT", CAP_SYS_CHROOT},
      {"CAP_SYS_PTRACE", CAP_SYS_PTRACE},
      {"CAP_SYS_PACCT", CAP_SYS_PACCT},
      {"CAP_SYS_ADMIN", CAP_SYS_ADMIN},
      {"CAP_SYS_BOOT", CAP_SYS_BOOT},
      {"CAP_SYS_NICE", CAP_SYS_NICE},
      {"CAP_SYS_RESOURCE", CAP_SYS_RESOURCE},
      {"CAP_SYS_TIME", CAP_SYS_TIME},
      {"CAP_SYS_TTY_CONFIG", CAP_SYS_TTY_CONFIG},
      {"CAP_MKNOD", CAP_MKNOD},
      {"CAP_LEASE", CAP_LEASE},
      {"CAP_AUDIT_WRITE", CAP_AUDIT_WRITE},
      {"CAP_AUDIT_CONTROL", CAP_AUDIT_CONTROL},
      {"CAP_SETFCAP", CAP_SETFCAP},
      {"CAP_MAC_OVERRIDE", CAP_MAC_OVERRIDE},
      {"CAP_MAC_ADMIN", CAP_MAC_ADMIN},
      {"CAP_SYSLOG", CAP_SYSLOG},
      {"CAP_WAKE_ALARM", CAP_WAKE_ALARM},
      {"CAP_BLOCK_SUSPEND", CAP_BLOCK_SUSPEND},
      {"CAP_AUDIT_READ", CAP_AUDIT_READ},
      {"CAP_PERFMON", CAP_PERFMON},
      {"CAP_BPF", CAP_BPF},
      {"CAP_CHECKPOINT_RESTORE", CAP_CHECKPOINT_RESTORE},
  };
  for (const auto& [name, number] : names) {
    auto cap = CapabilityFromName(name);
    ASSERT_TRUE(cap.ok()) << name << ": " << cap.error().ToString();
    EXPECT_EQ(*cap, number) << name;
  }
  EXPECT_GE(LastCapability(), 40);
  std::ifstream proc("/proc/sys/kernel/cap_last_cap");
  int from_proc = -1;
  if (proc >> from_proc) {
    EXPECT_EQ(LastCapability(), from_proc);
  }
}

TEST(CapabilityFromName, RejectsUnknownAndMisspelledNamesByName) {
  for (const char* bad : {"CAP_NOT_A_CAP", "cap_kill", "KILL", "5", "CAP_", "CAP_5", ""}) {
    auto cap = CapabilityFromName(bad);
    ASSERT_FALSE(cap.ok()) << bad;
    EXPECT_NE(cap.error().message().find(std::string("\"") + bad + "\""), std::string::npos)
        << cap.error().message();
  }
}

TEST(ApplyCapabilities, SetsExactlyTheListedSetsForANonRootUser) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  spec::Capabilities caps;
  caps.bounding = {"CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_AUDIT_WRITE"};
  caps.effective = {"CAP_KILL", "CAP_NET_BIND_SERVICE"};
  caps.permitted = {"CAP_KILL", "CAP_NET_BIND_SERVICE"};
  caps.ambient = {"CAP_KILL"};  // not inheritable: skipped, as runc
  const uint64_t bnd = Bit(5) | Bit(10) | Bit(29), prm = Bit(5) | Bit(10);
  EXPECT_EQ(ApplyAndRead(caps, 1000),
            Hex(0) + " " + Hex(prm) + " " + Hex(prm) + " " + Hex(bnd) + " " + Hex(0));
}

TEST(ApplyCapabilities, RaisesAmbientWhenPermittedAndInheritable) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  spec::Capabilities caps;
  caps.bounding = {"CAP_KILL", "CAP_CHOWN"};
  caps.effective = {"CAP_KILL", "CAP_CHOWN"};
  caps.permitted = {"CAP_KILL", "CAP_CHOWN"};
  caps.inheritable = {"CAP_KILL"};
  caps.ambient = {"CAP_KILL"};
  const uint64_t both = Bit(0) | Bit(5);
  EXPECT_EQ(ApplyAndRead(caps, 1000),
            Hex(Bit(5)) + " " + Hex(both) + " " + Hex(both) + " " + Hex(both) + " " + Hex(Bit(5)));
}

TEST(ApplyCapabilities, RootWithDefaultTemplateKeepsInheritableAndAmbientEmpty) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  spec::Capabilities caps;
  caps.bounding = caps.effective = caps.permitted =
      caps.ambient = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE"};
  const uint64_t set = Bit(5) | Bit(10) | Bit(29);
  EXPECT_EQ(ApplyAndRead(caps, 0), Hex(0) + " " + Hex(set) + " " + Hex(set) + " " + Hex(set) + " " + Hex(0));
}

TEST(ApplyCapabilities, NoCapabilitiesObjectEmptiesEverySet) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  EXPECT_EQ(ApplyAndRead(std::nullopt, 0),
            Hex(0) + " " + Hex(0) + " " + Hex(0) + " " + Hex(0) + " " + Hex(0));
}

TEST(ApplyCapabilities, CapabilityMissingFromHostBoundingSet) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  if (HostBoundingHas(24)) GTEST_SKIP() << "host bounding set has CAP_SYS_RESOURCE";
  // Only in bounding: silently absent, as runc.
  spec::Capabilities caps;
  caps.bounding = {"CAP_KILL", "CAP_SYS_RESOURCE"};
  caps.effective = caps.permitted = {"CAP_KILL"};
  EXPECT_EQ(ApplyAndRead(caps, 0),
            Hex(0) + " " + Hex(Bit(5)) + " " + Hex(Bit(5)) + " " + Hex(Bit(5)) + " " + Hex(0));
  // Asked for in permitted: an error naming it (runc 1.1.5 fails too, with
  // "unable to apply caps: operation not permitted").
  caps.effective = caps.permitted = {"CAP_KILL", "CAP_SYS_RESOURCE"};
  std::string got = ApplyAndRead(caps, 0);
  EXPECT_NE(got.find("error: capabilities CAP_SYS_RESOURCE requested in effective/permitted"),
            std::string::npos)
      << got;
  caps.effective = caps.permitted = {"CAP_KILL"};
  caps.inheritable = {"CAP_SYS_RESOURCE"};
  got = ApplyAndRead(caps, 0);
  EXPECT_NE(got.find("CAP_SYS_RESOURCE requested in inheritable"), std::string::npos) << got;
}

TEST(ApplyCapabilities, EffectiveOutsidePermittedIsAnErrorNamingIt) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  spec::Capabilities caps;
  caps.bounding = caps.permitted = {"CAP_KILL"};
  caps.effective = {"CAP_KILL", "CAP_CHOWN"};
  std::string got = ApplyAndRead(caps, 0);
  EXPECT_EQ(got,
            "error: capabilities CAP_CHOWN requested in effective but not in permitted: "
            "Operation not permitted");
}

// config.md: a capability that cannot be mapped to the kernel is a warning
// (the caller logs it), not an error; a malformed name is still an error.
TEST(ApplyCapabilities, UnknownWellFormedNameIsSkipped) {
  spec::Capabilities caps;
  caps.bounding = {"CAP_KILL", "CAP_FLY"};
  std::string got = ApplyAndRead(caps, 0);
  EXPECT_EQ(got.rfind("error:", 0), std::string::npos) << got;
}

TEST(ApplyCapabilities, MalformedNameIsAnErrorNamingIt) {
  spec::Capabilities caps;
  caps.bounding = {"CAP_KILL", "fly"};
  std::string got = ApplyAndRead(caps, 0);
  EXPECT_EQ(got.rfind("error:", 0), 0u) << got;
  EXPECT_NE(got.find("fly"), std::string::npos) << got;
}

}  // namespace
}  // namespace berth::process
