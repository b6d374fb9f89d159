// --debug on the create side: PrepareInitLogged logs each init step, in the
// order taken, and nothing without --debug.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <sstream>
#include <string>
#include <vector>

#include "runtime/base/files.h"
#include "runtime/container/init_steps.h"
#include "runtime/container/testing/recording_init_steps.h"
#include "runtime/log/log.h"

namespace berth::container {
namespace {

class InitStepsDebugTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/berth-init-debug-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override {
    ASSERT_TRUE(log::Configure("", log::Format::text, false).ok());
    unlink((dir_ + "/init.log").c_str());
    rmdir(dir_.c_str());
  }
  // The steps run and the "init: <step>" names found in the log, in order.
  std::pair<std::vector<std::string>, std::vector<std::string>> Prepare(bool debug) {
    const std::string path = dir_ + "/init.log";
    EXPECT_TRUE(log::Configure(path, log::Format::text, debug).ok());
    InitPlan plan;
    plan.new_user_ns = true;
    plan.new_cgroup_ns = true;
    plan.terminal = true;
    testing::RecordingInitSteps steps;
    EXPECT_TRUE(PrepareInitLogged(plan, steps).ok());
    std::vector<std::string> logged;
    auto text = base::ReadFileText(path);
    std::istringstream lines(text ? *text : "");
    for (std::string line; std::getline(lines, line);) {
      size_t at = line.find("init: ");
      if (at == std::string::npos) continue;
      std::string step = line.substr(at + 6);
      step = step.substr(0, step.find_first_of("\" "));
      logged.push_back(step);
    }
    return {steps.steps, logged};
  }
  std::string dir_;
};

TEST_F(InitStepsDebugTest, EveryStepIsLoggedInOrderWithDebug) {
  auto [ran, logged] = Prepare(true);
  ASSERT_GT(ran.size(), 20u);
  EXPECT_EQ(logged, ran);
}

TEST_F(InitStepsDebugTest, NothingIsLoggedWithoutDebug) {
  auto [ran, logged] = Prepare(false);
  ASSERT_GT(ran.size(), 20u);
  EXPECT_TRUE(logged.empty());
}

}  // namespace
}  // namespace berth::container
