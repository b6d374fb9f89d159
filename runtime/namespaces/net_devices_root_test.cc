// MoveNetDevices for real: a veth end moves into a fresh network namespace,
// renamed and up. Needs root and the veth driver.
#include "runtime/namespaces/net_devices.h"

#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "gtest/gtest.h"

namespace berth::ns {
namespace {

// A child parked in a new network namespace until killed.
struct NetnsChild {
  pid_t pid = -1;
  NetnsChild() {
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) != 0) return;
    pid = fork();
    if (pid == 0) {
      char ok = unshare(CLONE_NEWNET) == 0 ? '1' : '0';
      if (write(ready[1], &ok, 1) != 1) _exit(1);
      pause();
      _exit(0);
    }
    close(ready[1]);
    char ok = '0';
    if (read(ready[0], &ok, 1) != 1 || ok != '1') pid = -1;
    close(ready[0]);
  }
  ~NetnsChild() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
  }
};

// IFF_* flags of `name` inside pid's network namespace; -1 when absent.
int FlagsInNetns(pid_t pid, const std::string& name) {
  pid_t helper = fork();
  if (helper == 0) {
    int fd = open(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0 || setns(fd, CLONE_NEWNET) != 0) _exit(2);
    int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    struct ifreq ifr = {};
    snprintf(ifr.ifr_name, IFNAMSIZ, "%s", name.c_str());
    if (s < 0 || ioctl(s, SIOCGIFFLAGS, &ifr) != 0) _exit(3);
    _exit((ifr.ifr_flags & IFF_UP) ? 10 : 11);
  }
  int status = 0;
  waitpid(helper, &status, 0);
  if (!WIFEXITED(status)) return -1;
  int code = WEXITSTATUS(status);
  return code == 10 ? IFF_UP : code == 11 ? 0 : -1;
}

spec::Linux WithNewNet() {
  spec::Linux l;
  l.namespaces = {{spec::NamespaceType::network, ""}};
  return l;
}

TEST(NetDevicesRootTest, MovesRenamesAndBringsUp) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  std::string dev = "bnd" + std::to_string(getpid() % 100000);
  std::string cmd = "/usr/sbin/ip link add " + dev + " type veth peer name " + dev + "p 2>/dev/null";
  if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "host cannot create a veth pair";
  NetnsChild child;
  ASSERT_GT(child.pid, 0);
  spec::Linux l = WithNewNet();
  l.netDevices[dev].name = "ctr0";
  Status s = MoveNetDevices(child.pid, l);
  EXPECT_TRUE(s.ok()) << (s.ok() ? "" : s.error().ToString());
  EXPECT_EQ(if_nametoindex(dev.c_str()), 0u) << "still on the host";
  EXPECT_EQ(FlagsInNetns(child.pid, "ctr0"), IFF_UP);
  // Best effort: the pair also goes when the child's namespace does.
  int rc = std::system(("/usr/sbin/ip link del " + dev + "p 2>/dev/null").c_str());
  (void)rc;
}

TEST(NetDevicesRootTest, MissingDeviceIsAnErrorNamingIt) {
  NetnsChild child;
  ASSERT_GT(child.pid, 0);
  spec::Linux l = WithNewNet();
  l.netDevices["nosuchdev42"] = {};
  Status s = MoveNetDevices(child.pid, l);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().ToString().find("nosuchdev42"), std::string::npos);
}

TEST(NetDevicesRootTest, NoNewNetworkNamespaceIsAnError) {
  spec::Linux l;
  l.netDevices["lo"] = {};
  Status s = MoveNetDevices(getpid(), l);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().ToString().find("network namespace"), std::string::npos);
  EXPECT_TRUE(MoveNetDevices(getpid(), spec::Linux{}).ok());
}

// A veth pair on the host, deleted (both ends) at scope exit.
struct VethPair {
  std::string name;
  bool ok = false;
  explicit VethPair(const std::string& n) : name(n) {
    std::string cmd = "/usr/sbin/ip link add " + name + " type veth peer name " + name + "p 2>/dev/null";
    ok = std::system(cmd.c_str()) == 0;
  }
  ~VethPair() {
    int rc = std::system(("/usr/sbin/ip link del " + name + "p 2>/dev/null").c_str());
    (void)rc;
  }
};

// The kernel moves a device first and renames it after: a name taken in the
// container (lo here) used to strand the device there, and the refused
// create then destroyed it with the namespace.
TEST(NetDevicesRootTest, NameTakenInTheContainerIsRefusedBeforeTheMove) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  VethPair veth("bnt" + std::to_string(getpid() % 100000));
  if (!veth.ok) GTEST_SKIP() << "host cannot create a veth pair";
  NetnsChild child;
  ASSERT_GT(child.pid, 0);
  spec::Linux l = WithNewNet();
  l.netDevices[veth.name].name = "lo";
  Status s = MoveNetDevices(child.pid, l);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), EEXIST) << s.error().ToString();
  EXPECT_NE(s.error().ToString().find("already taken"), std::string::npos) << s.error().ToString();
  EXPECT_NE(if_nametoindex(veth.name.c_str()), 0u) << "the refused device left the host";
}

// Two devices given the same name, and a second device that fails after the
// first moved: nothing stays in the container's namespace.
TEST(NetDevicesRootTest, AFailedMoveLeavesEveryDeviceOnTheHost) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  std::string base = std::to_string(getpid() % 100000);
  VethPair a("bna" + base), b("bnb" + base);
  if (!a.ok || !b.ok) GTEST_SKIP() << "host cannot create a veth pair";
  NetnsChild child;
  ASSERT_GT(child.pid, 0);
  spec::Linux same = WithNewNet();
  same.netDevices[a.name].name = "ctr0";
  same.netDevices[b.name].name = "ctr0";
  Status s = MoveNetDevices(child.pid, same);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().ToString().find("both named ctr0"), std::string::npos) << s.error().ToString();
  EXPECT_NE(if_nametoindex(a.name.c_str()), 0u);
  EXPECT_NE(if_nametoindex(b.name.c_str()), 0u);
  // An invalid name (too long for IFNAMSIZ) fails in the kernel after the
  // other device moved: that one comes back under its own name.
  spec::Linux bad = WithNewNet();
  bad.netDevices[a.name].name = "ctr0";
  bad.netDevices[b.name].name = "this-name-is-far-too-long";
  s = MoveNetDevices(child.pid, bad);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(if_nametoindex(a.name.c_str()), 0u) << a.name << " stayed in the container";
  EXPECT_NE(if_nametoindex(b.name.c_str()), 0u);
  EXPECT_EQ(FlagsInNetns(child.pid, "ctr0"), -1);
}

}  // namespace
}  // namespace berth::ns
