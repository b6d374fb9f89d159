#include "runtime/base/scm_rights.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "runtime/base/unique_fd.h"

namespace berth::base {
namespace {

TEST(ScmRights, SendsTheFdWithALongPayloadOnAStreamSocket) {
  int pair[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
  UniqueFd a(pair[0]), b(pair[1]);
  UniqueFd file(open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(file.valid());
  ASSERT_TRUE(SendFd(a.get(), "x", file.get()).ok());
  auto received = ReceiveFd(b.get(), /*wait=*/true);
  ASSERT_TRUE(received.ok()) << received.error().ToString();
  UniqueFd got(*received);
  struct stat one, two;
  ASSERT_EQ(fstat(file.get(), &one), 0);
  ASSERT_EQ(fstat(got.get(), &two), 0);
  EXPECT_EQ(one.st_ino, two.st_ino);
  EXPECT_EQ(fcntl(got.get(), F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
}

TEST(ScmRights, NothingQueuedIsEagainAndNoFdIsEproto) {
  int pair[2];
  ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
  UniqueFd a(pair[0]), b(pair[1]);
  auto none = ReceiveFd(b.get(), /*wait=*/false);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.error().code(), EAGAIN);
  ASSERT_EQ(write(a.get(), "plain", 5), 5);
  auto plain = ReceiveFd(b.get(), /*wait=*/true);
  ASSERT_FALSE(plain.ok());
  EXPECT_EQ(plain.error().code(), EPROTO);
  EXPECT_FALSE(SendFd(a.get(), "", 0).ok());
}

TEST(UniqueFd, ResetClosesAndMoveTransfers) {
  int fds[2];
  ASSERT_EQ(pipe2(fds, O_CLOEXEC), 0);
  UniqueFd r(fds[0]);
  UniqueFd w(fds[1]);
  UniqueFd moved = std::move(w);
  EXPECT_FALSE(w.valid());  // NOLINT(bugprone-use-after-move): the moved-from state is the point
  moved.Reset();
  EXPECT_EQ(fcntl(fds[1], F_GETFD), -1);
  char c;
  EXPECT_EQ(read(r.get(), &c, 1), 0);  // the write end is closed: EOF
}

}  // namespace
}  // namespace berth::base
