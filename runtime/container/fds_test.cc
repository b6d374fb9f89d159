#include "runtime/container/fds.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>

#include "gtest/gtest.h"

namespace berth::container {
namespace {

TEST(FdsTest, ListenFdsCountOnlyForThisPid) {
  setenv("LISTEN_FDS", "2", 1);
  setenv("LISTEN_PID", std::to_string(getpid()).c_str(), 1);
  EXPECT_EQ(CountExtraFds(3).listen_fds, 2);
  EXPECT_EQ(CountExtraFds(3).total(), 5);
  setenv("LISTEN_PID", "1", 1);
  EXPECT_EQ(CountExtraFds(3).listen_fds, 0);
  unsetenv("LISTEN_FDS");
  unsetenv("LISTEN_PID");
  EXPECT_EQ(CountExtraFds(-1).total(), 0);
}

}  // namespace
}  // namespace berth::container
