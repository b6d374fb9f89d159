// Hostile bundles (issue 9 item 4), through the berth binary: config.json
// that is /dev/zero or a FIFO, a config of tens of MB, a namespace path that
// does not exist. Each must fail clearly (or work) and leave nothing behind.
// Needs root; exclusive.
#include <sys/stat.h>
#include <unistd.h>

#include "gtest/gtest.h"
#include "runtime/tests/harness.h"
#include "spec/json.h"
#include "spec/state.h"

namespace berth::testing {
namespace {

class HostileBundleTest : public ContainerTest {
 protected:
  void SetUp() override {
    ContainerTest::SetUp();
    // berth under `timeout`: a berth that blocks (a FIFO opened for reading)
    // fails the test instead of hanging it.
    berth_command_ = {"/usr/bin/timeout", "60", BerthPath()};
  }
  // Unique per test process: cgroups are /berth/<id> whatever the state
  // root, and other suites on the host may use the same short ids.
  std::string UseUnique(const std::string& name) {
    return Use("hostile-" + name + "-" + std::to_string(getpid()));
  }
};

TEST_F(HostileBundleTest, ConfigSymlinkedToDevZeroIsRefused) {
  Bundle bundle;
  std::string config = bundle.dir() + "/config.json";
  ASSERT_EQ(unlink(config.c_str()), 0);
  ASSERT_EQ(symlink("/dev/zero", config.c_str()), 0);
  std::string id = UseUnique("zero");
  CommandResult r = B({"create", "-b", bundle.dir(), id});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("config.json is a character device, not a regular file"), std::string::npos) << r.err;
  ExpectNothingLeft(id, bundle);
}

TEST_F(HostileBundleTest, ConfigThatIsAFifoIsRefusedWithoutBlocking) {
  Bundle bundle;
  std::string config = bundle.dir() + "/config.json";
  ASSERT_EQ(unlink(config.c_str()), 0);
  ASSERT_EQ(mkfifo(config.c_str(), 0600), 0);
  std::string id = UseUnique("fifo");
  CommandResult r = B({"create", "-b", bundle.dir(), id});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("config.json is a FIFO, not a regular file"), std::string::npos) << r.err;
  ExpectNothingLeft(id, bundle);
}

TEST_F(HostileBundleTest, ExecProcessJsonThatIsAFifoIsRefused) {
  Bundle bundle;
  bundle.SetArgs({"sleep", "100"});
  std::string id = UseUnique("execfifo");
  ASSERT_EQ(B({"create", "-b", bundle.dir(), id}).exit_code, 0);
  std::string process = bundle.dir() + "/process.json";
  ASSERT_EQ(mkfifo(process.c_str(), 0600), 0);
  CommandResult r = B({"exec", "-p", process, id});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("process.json is a FIFO, not a regular file"), std::string::npos) << r.err;
  EXPECT_EQ(B({"delete", "-f", id}).exit_code, 0);
  ExpectNothingLeft(id, bundle);
}

TEST_F(HostileBundleTest, ConfigOfTensOfMegabytesCreatesStartsAndDeletes) {
  Bundle bundle;
  bundle.config().process->args = {"sleep", "100"};
  // 40 annotations of 1 MB: the state JSON the init's hooks receive is as big.
  for (int i = 0; i < 40; ++i)
    bundle.config().annotations["big" + std::to_string(i)] =
        std::string(1 << 20, static_cast<char>('a' + i % 26));
  bundle.Save();
  std::string id = UseUnique("big");
  CommandResult created = B({"create", "-b", bundle.dir(), id});
  ASSERT_EQ(created.exit_code, 0) << created.err;
  ASSERT_EQ(B({"start", id}).exit_code, 0);
  CommandResult state = B({"state", id});
  ASSERT_EQ(state.exit_code, 0) << state.err;
  auto parsed = spec::ParseState(state.out);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->status, spec::ContainerStatus::running);
  EXPECT_EQ(parsed->annotations.size(), 40u);
  EXPECT_EQ(parsed->annotations["big39"], std::string(1 << 20, 'a' + 39 % 26));
  EXPECT_EQ(B({"delete", "-f", id}).exit_code, 0);
  ExpectNothingLeft(id, bundle);
}

TEST_F(HostileBundleTest, BadNamespacePathReportsTheInitsErrorWithThePath) {
  Bundle bundle;
  for (auto& ns : bundle.config().linux_->namespaces)
    if (ns.type == spec::NamespaceType::network) ns.path = "/nonexistent/netns";
  bundle.Save();
  std::string id = UseUnique("badns");
  CommandResult r = B({"create", "-b", bundle.dir(), id});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("/nonexistent/netns"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("Broken pipe"), std::string::npos) << r.err;
  ExpectNothingLeft(id, bundle);
}

}  // namespace
}  // namespace berth::testing
