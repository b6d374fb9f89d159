// Unit tests of the harness parts that need no container: command running,
// the schema checker, bundles and the console-socket receiver.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <thread>

#include <gtest/gtest.h>

#include "conformance/harness/bundle.h"
#include "conformance/harness/console.h"
#include "conformance/harness/process.h"
#include "conformance/harness/schema.h"

namespace berth::conformance {

namespace json = spec::json;
namespace {

class TempDir {
 public:
  TempDir() {
    char t[] = "/tmp/harness-test.XXXXXX";
    path_ = mkdtemp(t);
  }
  ~TempDir() { RemoveTree(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(RunCommand, CapturesOutputExitCodeAndStdin) {
  CommandOptions o;
  o.stdin_data = "hello";
  CommandResult r = RunCommand({"/bin/sh", "-c", "cat; echo err >&2; exit 3"}, o);
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_EQ(r.out, "hello");
  EXPECT_EQ(r.err, "err\n");
  EXPECT_NE(r.Describe().find("exited 3: err"), std::string::npos);
}

TEST(RunCommand, TimesOut) {
  CommandOptions o;
  o.timeout_ms = 200;
  CommandResult r = RunCommand({"/bin/sleep", "10"}, o);
  EXPECT_TRUE(r.timed_out);
  EXPECT_FALSE(r.ok());
}

TEST(SchemaChecker, ValidatesTypesRequiredEnumsAndRefs) {
  TempDir dir;
  ASSERT_TRUE(
      WriteFileText(
          dir.path() + "/defs.json",
          R"({"definitions":{"map":{"type":"object","patternProperties":{".{1,}":{"type":"string"}}}}})")
          .ok());
  ASSERT_TRUE(
      WriteFileText(dir.path() + "/s.json",
                    R"({"type":"object","required":["id","status"],"properties":{)"
                    R"("id":{"type":"string"},"status":{"type":"string","enum":["a","b"]},)"
                    R"("pid":{"type":"integer","minimum":0},"ann":{"$ref":"defs.json#/definitions/map"}}})")
          .ok());
  SchemaChecker checker(dir.path());
  auto good = json::Parse(R"({"id":"x","status":"a","pid":3,"ann":{"k":"v"},"extra":1})");
  ASSERT_TRUE(good.ok());
  EXPECT_TRUE(checker.Check(*good, "s.json").empty());
  auto bad = json::Parse(R"({"id":1,"status":"c","pid":-1,"ann":{"k":2}})");
  ASSERT_TRUE(bad.ok());
  auto errors = checker.Check(*bad, "s.json");
  ASSERT_EQ(errors.size(), 4u);
  EXPECT_EQ(errors[0], "$.id: expected string, got 1");
  EXPECT_NE(errors[1].find("not one of"), std::string::npos);
  EXPECT_NE(errors[2].find("below the minimum"), std::string::npos);
  EXPECT_EQ(errors[3], "$.ann.k: expected string, got 2");
  auto missing = json::Parse(R"({"id":"x"})");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(checker.Check(*missing, "s.json"),
            std::vector<std::string>{"$: required property \"status\" missing"});
  EXPECT_FALSE(checker.Check(*good, "absent.json").empty());
}

TEST(Bundle, DefaultConfigAndEdits) {
  Bundle b;
  b.config = DefaultConfig("abc");
  EXPECT_EQ(b.config.At("linux.cgroupsPath")->as_string(), "/conformance/abc");
  EXPECT_EQ(b.config.At("process.args")->items[0].as_string(), "/probe");
  EXPECT_TRUE(b.config.At("root.readonly")->as_bool());
  size_t before = b.config.At("linux.namespaces")->size();
  b.AddNamespace("pid", "/proc/1/ns/pid");  // replaces, does not duplicate
  EXPECT_EQ(b.config.At("linux.namespaces")->size(), before);
  b.RemoveNamespace("network");
  EXPECT_EQ(b.config.At("linux.namespaces")->size(), before - 1);
  EXPECT_EQ(b.config.At("linux.namespaces")->items.back().Find("path")->as_string(), "/proc/1/ns/pid");
}

TEST(Bundle, TemplateRootfsCopies) {
  if (access("/bin/busybox", X_OK) != 0) GTEST_SKIP() << "busybox-static not installed";
  TempDir dir;
  ASSERT_TRUE(WriteFileText(dir.path() + "/fake-probe", "#!/bin/sh\n", 0755).ok());
  std::string tmpl = dir.path() + "/template";
  Status s = BuildTemplateRootfs(tmpl, "/bin/busybox", dir.path() + "/fake-probe");
  ASSERT_TRUE(s.ok()) << s.error().ToString();
  ASSERT_TRUE(CopyRootfs(tmpl, dir.path() + "/copy").ok());
  char target[64] = {0};
  ASSERT_GT(readlink((dir.path() + "/copy/bin/sh").c_str(), target, sizeof target - 1), 0);
  EXPECT_STREQ(target, "busybox");
  struct stat a, b;
  ASSERT_EQ(stat((tmpl + "/bin/busybox").c_str(), &a), 0);
  ASSERT_EQ(stat((dir.path() + "/copy/bin/busybox").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);  // hard-linked
  ASSERT_EQ(stat((dir.path() + "/copy/tmp").c_str(), &b), 0);
  EXPECT_EQ(b.st_mode & 07777, 01777u);
}

TEST(ConsoleSocket, ReceivesPassedDescriptor) {
  TempDir dir;
  ConsoleSocket sock;
  ASSERT_TRUE(sock.Listen(dir.path() + "/console.sock").ok());
  std::thread sender([&] {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strcpy(addr.sun_path, sock.path().c_str());
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    int passed = open("/dev/null", O_RDONLY | O_CLOEXEC);
    char name[] = "/dev/ptmx";
    iovec iov{name, sizeof name};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    std::memcpy(CMSG_DATA(c), &passed, sizeof passed);
    EXPECT_GT(sendmsg(fd, &msg, 0), 0);
    close(passed);
    close(fd);
  });
  auto fd = sock.ReceiveMaster(5000);
  sender.join();
  ASSERT_TRUE(fd.ok()) << fd.error().ToString();
  char link[64] = {0};
  ASSERT_GT(readlink(("/proc/self/fd/" + std::to_string(*fd)).c_str(), link, sizeof link - 1), 0);
  EXPECT_STREQ(link, "/dev/null");
  EXPECT_EQ(fcntl(*fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
  close(*fd);
}

TEST(ConsoleSocket, TimesOutWithoutConnection) {
  TempDir dir;
  ConsoleSocket sock;
  ASSERT_TRUE(sock.Listen(dir.path() + "/c.sock").ok());
  EXPECT_FALSE(sock.ReceiveMaster(50).ok());
}

}  // namespace
}  // namespace berth::conformance
