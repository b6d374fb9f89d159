#include "runtime/tests/real_systemd.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

namespace berth::testing {
namespace {

struct State {
  std::string fixture;  // the script
  std::string dir;      // shared with the namespaces; holds the fixture's files too
  std::string unavailable;
  bool host_cannot = false;
  bool started = false;
};

State& state() {
  static State s;
  return s;
}

std::string FixturePath() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  if (srcdir && workspace) return std::string(srcdir) + "/" + workspace + "/tools/systemd/fixture";
  return "tools/systemd/fixture";
}

class RealSystemdEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    State& s = state();
    s.fixture = FixturePath();
    if (!IsRoot()) {
      s.host_cannot = true;
      s.unavailable = "needs root (a pid + mount namespace for systemd)";
      return;
    }
    if (access("/lib/systemd/systemd", X_OK) != 0 || access("/usr/bin/nsenter", X_OK) != 0) {
      s.host_cannot = true;
      s.unavailable = "systemd or nsenter is not installed";
      return;
    }
    // Bazel's TEST_TMPDIR is outside /tmp; the fixture hides the host's /tmp.
    const char* tmp = std::getenv("TEST_TMPDIR");
    std::string parent = tmp && std::string(tmp).rfind("/tmp", 0) != 0 ? tmp : "/var/lib";
    std::string tmpl = parent + "/berth-systemd-XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) {
      s.unavailable = "mkdtemp under " + parent + " failed";
      return;
    }
    s.dir = tmpl;
    CommandResult started = RunProgram({s.fixture, "start", s.dir + "/fixture", std::to_string(getpid())});
    if (started.exit_code != 0) {
      s.unavailable = "tools/systemd/fixture start failed: " + started.err;
      return;
    }
    s.started = true;
  }

  void TearDown() override {
    State& s = state();
    if (s.started) {
      CommandResult stopped = RunProgram({s.fixture, "stop", s.dir + "/fixture"});
      EXPECT_EQ(stopped.exit_code, 0) << "the fixture left systemd's cgroups behind: " << stopped.err;
      s.started = false;
    }
    if (!s.dir.empty()) RunProgram({"/bin/rm", "-rf", s.dir});
  }
};

}  // namespace

const std::string& RealSystemd::unavailable() { return state().unavailable; }
bool RealSystemd::host_cannot() { return state().host_cannot; }
const std::string& RealSystemd::dir() { return state().dir; }

CommandResult RealSystemd::Run(const std::vector<std::string>& argv) {
  std::vector<std::string> full = {state().fixture, "run", state().dir + "/fixture"};
  full.insert(full.end(), argv.begin(), argv.end());
  return RunProgram(full);
}

CommandResult RealSystemd::Berth(const std::string& root, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {BerthPath(), "--root", root, "--systemd-cgroup"};
  argv.insert(argv.end(), args.begin(), args.end());
  return Run(argv);
}

std::string RealSystemd::Show(const std::string& unit, const std::string& property) {
  return Trim(Run({"systemctl", "show", unit, "-p", property, "--value"}).out);
}

void AddRealSystemdEnvironment() { ::testing::AddGlobalTestEnvironment(new RealSystemdEnvironment); }

}  // namespace berth::testing
