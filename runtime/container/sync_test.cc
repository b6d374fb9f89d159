#include "runtime/container/sync.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "gtest/gtest.h"

namespace berth::container {
namespace {

// Runs `child` in a forked process with the child end; returns its exit code.
template <class F>
int RunChild(SyncSocket& parent, SyncSocket& child_end, F child) {
  pid_t pid = fork();
  if (pid == 0) {
    parent.Close();
    _exit(child(child_end));
  }
  child_end.Close();
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(SyncTest, FullHandshakeAcrossFork) {
  auto pair = SyncSocket::Pair();
  ASSERT_TRUE(pair.ok());
  auto& [parent, child] = *pair;
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    parent.Close();
    if (!child.WaitFor(SyncType::kSetupDone)) _exit(1);
    if (!child.Send(SyncType::kRootfsReady)) _exit(2);
    auto hooks = child.WaitFor(SyncType::kHooksDone);
    if (!hooks || hooks->payload != std::string(100000, 's')) _exit(3);
    if (!child.Send(SyncType::kCreated)) _exit(4);
    _exit(0);
  }
  child.Close();
  ASSERT_TRUE(parent.Send(SyncType::kSetupDone).ok());
  ASSERT_TRUE(parent.WaitFor(SyncType::kRootfsReady).ok());
  // A payload far larger than one page arrives whole.
  ASSERT_TRUE(parent.Send(SyncType::kHooksDone, std::string(100000, 's')).ok());
  ASSERT_TRUE(parent.WaitFor(SyncType::kCreated).ok());
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(SyncTest, ChildErrorArrivesTypedWithErrno) {
  auto pair = SyncSocket::Pair();
  ASSERT_TRUE(pair.ok());
  auto& [parent, child] = *pair;
  pid_t pid = fork();
  if (pid == 0) {
    parent.Close();
    (void)child.SendError(Error(EACCES, "prepare rootfs: mount /proc"));
    _exit(0);
  }
  child.Close();
  auto r = parent.WaitFor(SyncType::kRootfsReady);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), EACCES);
  EXPECT_EQ(r.error().message(), "prepare rootfs: mount /proc");
  waitpid(pid, nullptr, 0);
}

TEST(SyncTest, UnexpectedMessageIsRejected) {
  auto pair = SyncSocket::Pair();
  ASSERT_TRUE(pair.ok());
  auto& [parent, child] = *pair;
  int code = RunChild(parent, child, [](SyncSocket& c) { return c.Send(SyncType::kCreated) ? 0 : 1; });
  EXPECT_EQ(code, 0);
  auto r = parent.WaitFor(SyncType::kRootfsReady);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), EPROTO);
  EXPECT_NE(r.error().message().find("expected rootfs-ready, got created"), std::string::npos);
}

TEST(SyncTest, PeerExitIsEndOfFile) {
  auto pair = SyncSocket::Pair();
  ASSERT_TRUE(pair.ok());
  auto& [parent, child] = *pair;
  int code = RunChild(parent, child, [](SyncSocket&) { return 7; });
  EXPECT_EQ(code, 7);
  auto r = parent.WaitFor(SyncType::kCreated);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), ECONNRESET);
  EXPECT_NE(r.error().message().find("waiting for created"), std::string::npos);
}

// Found by the sync fuzz target (fuzz/corpus/sync/regression-error-without-text):
// a kError whose text is empty came back as an Error with an empty message,
// so the user read nothing about why create failed.
TEST(SyncTest, PeerErrorWithoutTextStillSaysSomething) {
  auto pair = SyncSocket::Pair();
  ASSERT_TRUE(pair.ok());
  auto& [parent, child] = *pair;
  ASSERT_TRUE(child.Send(SyncMessage{SyncType::kError, 7235952, ""}).ok());
  auto r = parent.WaitFor(SyncType::kCreated);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code(), 7235952);
  EXPECT_NE(r.error().message().find("sync: error from the peer without a message"), std::string::npos)
      << r.error().message();
}

// The init failed and exited before the parent's next send: the parent must
// report the init's error, not "send setup-done: Broken pipe".
TEST(SyncTest, SendAfterThePeerFailedReportsThePeersError) {
  auto pair = SyncSocket::Pair();
  ASSERT_TRUE(pair.ok());
  auto& [parent, child] = *pair;
  int code = RunChild(parent, child, [](SyncSocket& c) {
    (void)c.SendError(Error(ENOENT, "open network namespace /nonexistent/netns"));
    return 1;
  });
  EXPECT_EQ(code, 1);  // reaped: its end is closed
  Status sent = parent.Send(SyncType::kSetupDone);
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code(), ENOENT);
  EXPECT_EQ(sent.error().message(), "open network namespace /nonexistent/netns");
}

TEST(SyncTest, PendingPeerErrorIsEmptyWhileThePeerIsQuiet) {
  auto pair = SyncSocket::Pair();
  ASSERT_TRUE(pair.ok());
  EXPECT_FALSE(pair->first.PendingPeerError().has_value());  // and does not block
  ASSERT_TRUE(pair->second.SendError(Error(EPERM, "setns")).ok());
  auto pending = pair->first.PendingPeerError();
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(pending->code(), EPERM);
}

// The state JSON carries annotations of any size: far beyond the socket's
// buffer (a single packet of this size fails with EMSGSIZE).
TEST(SyncTest, PayloadOfTensOfMegabytesArrivesWhole) {
  auto pair = SyncSocket::Pair();
  ASSERT_TRUE(pair.ok());
  auto& [parent, child] = *pair;
  std::string big(24 << 20, 'x');
  for (size_t i = 0; i < big.size(); i += 4099) big[i] = static_cast<char>('a' + i % 26);
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    parent.Close();
    auto got = child.WaitFor(SyncType::kHooksDone);
    if (!got || got->payload != big) _exit(1);
    _exit(child.Send(SyncType::kCreated) ? 0 : 2);
  }
  child.Close();
  ASSERT_TRUE(parent.Send(SyncType::kHooksDone, big).ok());
  EXPECT_TRUE(parent.WaitFor(SyncType::kCreated).ok());
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

TEST(SyncTest, DecodeRejectsUnknownFlagsAndShortPackets) {
  EXPECT_EQ(DecodeSyncPacket("abc").error().code(), EPROTO);
  uint32_t words[3] = {static_cast<uint32_t>(SyncType::kCreated), 0, 2};
  std::string packet(reinterpret_cast<const char*>(words), sizeof words);
  EXPECT_EQ(DecodeSyncPacket(packet).error().code(), EPROTO);
  words[2] = kSyncMore;
  packet.assign(reinterpret_cast<const char*>(words), sizeof words);
  packet += "tail";  // the decoded payload is a view into it
  auto decoded = DecodeSyncPacket(packet);
  ASSERT_TRUE(decoded.ok());
  EXPECT_TRUE(decoded->more);
  EXPECT_EQ(decoded->payload, "tail");
}

TEST(SyncTest, SocketsAreCloexec) {
  auto pair = SyncSocket::Pair();
  ASSERT_TRUE(pair.ok());
  EXPECT_TRUE(fcntl(pair->first.fd(), F_GETFD) & FD_CLOEXEC);
  EXPECT_TRUE(fcntl(pair->second.fd(), F_GETFD) & FD_CLOEXEC);
}

}  // namespace
}  // namespace berth::container
