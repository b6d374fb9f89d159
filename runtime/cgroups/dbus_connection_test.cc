// The D-Bus client against the fake bus, and against sockets that refuse,
// stay silent or hang up.
#include "runtime/cgroups/dbus_connection.h"

#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <thread>

#include "runtime/cgroups/testing/fake_systemd_bus.h"
#include "runtime/cgroups/testing/fake_tree.h"

namespace berth::cgroups::dbus {

// Readable gtest output for values.
void PrintTo(const Value& v, std::ostream* os) { *os << Describe(v); }

namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Socket paths must fit sun_path (108 bytes); the test tmpdir may not.
class ShortDir {
 public:
  ShortDir() {
    char tmpl[] = "/tmp/berth-bus.XXXXXX";
    if (mkdtemp(tmpl) == nullptr) abort();
    path_ = tmpl;
  }
  ~ShortDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

int BoundSocket(const std::string& path, bool listening) {
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, path.data(), path.size());
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) abort();
  if (listening && listen(fd, 4) != 0) abort();
  return fd;
}

class DbusConnectionTest : public ::testing::Test {
 protected:
  DbusConnectionTest() : bus_(dir_.path() + "/bus", cgroups_.path()) {
    cgroups::testing::MakeV2Tree(cgroups_.path(), {"memory", "pids"});
  }
  ConnectOptions Options(int timeout_ms = 2000) {
    ConnectOptions o;
    o.socket = bus_.socket();
    o.timeout = std::chrono::milliseconds(timeout_ms);
    return o;
  }

  ShortDir dir_;
  cgroups::testing::TempDir cgroups_;
  cgroups::testing::FakeSystemdBus bus_;
};

TEST(SocketFromAddress, UnixPathAndAbstract) {
  EXPECT_EQ(*SocketFromAddress("unix:path=/run/dbus/system_bus_socket"), "/run/dbus/system_bus_socket");
  EXPECT_EQ(*SocketFromAddress("unix:abstract=/tmp/dbus-X,guid=0123"), "@/tmp/dbus-X");
  EXPECT_EQ(*SocketFromAddress("tcp:host=h,port=1;unix:guid=1,path=/a%20b"), "/a b");
  auto tcp = SocketFromAddress("tcp:host=localhost,port=5555");
  ASSERT_FALSE(tcp.ok());
  EXPECT_EQ(tcp.error().code(), ENOTSUP);
  EXPECT_FALSE(SocketFromAddress("unix:path=/a%2").ok());
}

TEST(SystemBusSocket, EnvironmentOrDefault) {
  const char* saved = getenv("DBUS_SYSTEM_BUS_ADDRESS");
  std::string keep = saved ? saved : "";
  unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
  EXPECT_EQ(*SystemBusSocket(), "/run/dbus/system_bus_socket");
  setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/other/bus", 1);
  EXPECT_EQ(*SystemBusSocket(), "/other/bus");
  setenv("DBUS_SYSTEM_BUS_ADDRESS", "tcp:host=x", 1);
  auto bad = SystemBusSocket();
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().message(), HasSubstr("DBUS_SYSTEM_BUS_ADDRESS"));
  if (saved)
    setenv("DBUS_SYSTEM_BUS_ADDRESS", keep.c_str(), 1);
  else
    unsetenv("DBUS_SYSTEM_BUS_ADDRESS");
}

TEST_F(DbusConnectionTest, HelloGivesAUniqueName) {
  auto conn = Connection::Open(Options());
  ASSERT_TRUE(conn.ok()) << conn.error().ToString();
  EXPECT_EQ((*conn)->unique_name(), ":1.1");
  EXPECT_THAT(bus_.Members(), ElementsAre("Hello"));
}

TEST_F(DbusConnectionTest, ErrorReplyBecomesAnError) {
  auto conn = Connection::Open(Options());
  ASSERT_TRUE(conn.ok()) << conn.error().ToString();
  auto r = (*conn)->Call(Message::MethodCall("org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                             "org.freedesktop.systemd1.Manager", "Reboot"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ENOTSUP);
  EXPECT_EQ(r.error().message(),
            "Reboot: org.freedesktop.DBus.Error.UnknownMethod: Unknown method Reboot or "
            "interface org.freedesktop.systemd1.Manager.");
  // The same reply, unconverted.
  auto raw = (*conn)->CallRaw(Message::MethodCall("org.freedesktop.systemd1", "/", "x.y", "Nope"));
  ASSERT_TRUE(raw.ok()) << raw.error().ToString();
  EXPECT_EQ(raw->type, MessageType::kError);
  EXPECT_EQ(raw->error_name, "org.freedesktop.DBus.Error.UnknownMethod");
}

TEST_F(DbusConnectionTest, SignalsReceivedDuringACallAreKept) {
  auto conn = Connection::Open(Options());
  ASSERT_TRUE(conn.ok()) << conn.error().ToString();
  // The fake sends a PropertiesChanged before every reply, and NameAcquired after Hello.
  ASSERT_TRUE((*conn)
                  ->Call(Message::MethodCall("org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                             "org.freedesktop.systemd1.Manager", "Subscribe"))
                  .ok());
  auto acquired = (*conn)->WaitForSignal([](const Message& m) { return m.member == "NameAcquired"; });
  ASSERT_TRUE(acquired.ok()) << acquired.error().ToString();
  EXPECT_EQ(acquired->body, std::vector<Value>{Value::String(":1.1")});
  auto changed = (*conn)->WaitForSignal([](const Message& m) { return m.member == "PropertiesChanged"; });
  ASSERT_TRUE(changed.ok()) << changed.error().ToString();
  EXPECT_EQ(changed->signature, "sa{sv}as");
}

TEST_F(DbusConnectionTest, RejectedAuthentication) {
  bus_.RejectAuth();
  auto conn = Connection::Open(Options());
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.error().code(), EACCES);
  EXPECT_THAT(conn.error().message(),
              HasSubstr("rejected AUTH EXTERNAL for uid " + std::to_string(getuid())));
}

TEST_F(DbusConnectionTest, UnansweredCallTimesOut) {
  bus_.Hang("Subscribe");
  auto conn = Connection::Open(Options(300));
  ASSERT_TRUE(conn.ok()) << conn.error().ToString();
  auto start = std::chrono::steady_clock::now();
  auto r = (*conn)->Call(Message::MethodCall("org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                             "org.freedesktop.systemd1.Manager", "Subscribe"));
  auto took = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ETIMEDOUT);
  EXPECT_THAT(r.error().message(), HasSubstr("waiting for the reply to Subscribe"));
  EXPECT_GE(took, std::chrono::milliseconds(250));
  EXPECT_LT(took, std::chrono::seconds(5));
}

TEST(DbusConnect, MissingSocket) {
  ShortDir dir;
  ConnectOptions o;
  o.socket = dir.path() + "/nothing";
  auto conn = Connection::Open(o);
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.error().code(), ENOENT);
  EXPECT_THAT(conn.error().message(), HasSubstr("connect to D-Bus socket " + o.socket));
}

TEST(DbusConnect, ConnectionRefused) {
  ShortDir dir;
  int fd = BoundSocket(dir.path() + "/refusing", /*listening=*/false);
  ConnectOptions o;
  o.socket = dir.path() + "/refusing";
  auto conn = Connection::Open(o);
  close(fd);
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.error().code(), ECONNREFUSED);
}

TEST(DbusConnect, SilentPeerTimesOutDuringAuthentication) {
  ShortDir dir;
  int fd = BoundSocket(dir.path() + "/silent", /*listening=*/true);  // never accepts, never answers
  ConnectOptions o;
  o.socket = dir.path() + "/silent";
  o.timeout = std::chrono::milliseconds(200);
  auto conn = Connection::Open(o);
  close(fd);
  ASSERT_FALSE(conn.ok());
  EXPECT_EQ(conn.error().code(), ETIMEDOUT);
  EXPECT_THAT(conn.error().message(), HasSubstr("D-Bus authentication"));
}

TEST(DbusConnect, PeerHangingUpIsAnError) {
  ShortDir dir;
  int fd = BoundSocket(dir.path() + "/rude", /*listening=*/true);
  std::thread closer([fd] {
    int c = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (c >= 0) close(c);
  });
  ConnectOptions o;
  o.socket = dir.path() + "/rude";
  auto conn = Connection::Open(o);
  closer.join();
  close(fd);
  ASSERT_FALSE(conn.ok());
  EXPECT_TRUE(conn.error().code() == ECONNRESET || conn.error().code() == EPIPE) << conn.error().ToString();
}

}  // namespace
}  // namespace berth::cgroups::dbus
