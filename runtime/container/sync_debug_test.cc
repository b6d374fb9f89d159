// --debug: each sync message is logged (log::Debug), and only with --debug.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

#include "runtime/base/files.h"
#include "runtime/container/sync.h"
#include "runtime/log/log.h"

namespace berth::container {
namespace {

class SyncDebugTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-sync-debug-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    ASSERT_TRUE(log::Configure("", log::Format::text, false).ok());
    unlink((dir_ + "/debug.log").c_str());
    unlink((dir_ + "/quiet.log").c_str());
    rmdir(dir_.c_str());
  }
  // One exchange (setup-done, then an error) with the log at `path`.
  std::string Exchange(const std::string& name, bool debug) {
    std::string path = dir_ + "/" + name;
    EXPECT_TRUE(log::Configure(path, log::Format::text, debug).ok());
    auto pair = SyncSocket::Pair();
    EXPECT_TRUE(pair.ok());
    auto& [parent, child] = *pair;
    EXPECT_TRUE(parent.Send(SyncType::kSetupDone, "state").ok());
    EXPECT_TRUE(child.WaitFor(SyncType::kSetupDone).ok());
    EXPECT_TRUE(child.SendError(Error(ENOENT, "no rootfs")).ok());
    EXPECT_FALSE(parent.WaitFor(SyncType::kRootfsReady).ok());
    auto text = base::ReadFileText(path);
    return text ? *text : std::string("<no log file>");
  }
  std::string dir_;
};

TEST_F(SyncDebugTest, EveryMessageIsLoggedWithDebug) {
  std::string text = Exchange("debug.log", true);
  EXPECT_NE(text.find("sent setup-done (5 bytes)"), std::string::npos) << text;
  EXPECT_NE(text.find("received setup-done"), std::string::npos) << text;
  EXPECT_NE(text.find("sent error errno 2: no rootfs"), std::string::npos) << text;
  EXPECT_NE(text.find("received error errno 2"), std::string::npos) << text;
  EXPECT_NE(text.find("level=debug"), std::string::npos) << text;
}

TEST_F(SyncDebugTest, NothingIsLoggedWithoutDebug) { EXPECT_EQ(Exchange("quiet.log", false), ""); }

}  // namespace
}  // namespace berth::container
