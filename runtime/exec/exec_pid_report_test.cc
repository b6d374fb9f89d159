// exec's parent reading the intermediate's report (exec.h ReceiveProcessPid)
// over a real sync socketpair: the messages the children may send, in every
// order the protocol allows.
#include <gtest/gtest.h>

#include <utility>

#include "runtime/container/sync.h"
#include "runtime/exec/exec.h"

namespace berth::exec::internal {
namespace {

using container::SyncSocket;
using container::SyncType;

TEST(ReceiveProcessPid, TheReport) {
  auto [parent, child] = SyncSocket::Pair().value();
  ASSERT_TRUE(child.Send(SyncType::kInitPid, "4242").ok());
  pid_t failed = -1;
  auto pid = ReceiveProcessPid(parent, &failed);
  ASSERT_TRUE(pid.ok()) << pid.error().ToString();
  EXPECT_EQ(*pid, 4242);
  EXPECT_EQ(failed, 0);
}

// Without a go, the process can fail before the intermediate's report is
// read: its error is returned and its pid, which follows, is given to reap.
TEST(ReceiveProcessPid, ProcessErrorBeforeTheReport) {
  auto [parent, child] = SyncSocket::Pair().value();
  ASSERT_TRUE(child.SendError(Error(ENOENT, "chdir to cwd (\"/x\"): No such file or directory")).ok());
  ASSERT_TRUE(child.Send(SyncType::kInitPid, "4243").ok());
  pid_t failed = -1;
  auto pid = ReceiveProcessPid(parent, &failed);
  ASSERT_FALSE(pid.ok());
  EXPECT_EQ(pid.error().code(), ENOENT);
  EXPECT_NE(pid.error().ToString().find("/x"), std::string::npos);
  EXPECT_EQ(failed, 4243) << "the failed process would be left unreaped";
}

// The intermediate's own error (setns refused): nothing follows.
TEST(ReceiveProcessPid, IntermediateError) {
  auto [parent, child] = SyncSocket::Pair().value();
  ASSERT_TRUE(child.SendError(Error(EPERM, "setns into the container's namespaces")).ok());
  child.Close();
  pid_t failed = -1;
  auto pid = ReceiveProcessPid(parent, &failed);
  ASSERT_FALSE(pid.ok());
  EXPECT_EQ(pid.error().code(), EPERM);
  EXPECT_EQ(failed, 0);
}

TEST(ReceiveProcessPid, SilentDeathIsEchild) {
  auto [parent, child] = SyncSocket::Pair().value();
  child.Close();
  pid_t failed = -1;
  auto pid = ReceiveProcessPid(parent, &failed);
  ASSERT_FALSE(pid.ok());
  EXPECT_EQ(pid.error().code(), ECHILD);
}

TEST(ReceiveProcessPid, OtherMessagesAreProtocolErrors) {
  auto [parent, child] = SyncSocket::Pair().value();
  ASSERT_TRUE(child.Send(SyncType::kCreated).ok());
  pid_t failed = -1;
  auto pid = ReceiveProcessPid(parent, &failed);
  ASSERT_FALSE(pid.ok());
  EXPECT_EQ(pid.error().code(), EPROTO);
}

}  // namespace
}  // namespace berth::exec::internal
