#include "runtime/container/signals.h"

#include <signal.h>

#include "gtest/gtest.h"

namespace berth::container {
namespace {

TEST(SignalsTest, NamesWithAndWithoutSigAnyCase) {
  EXPECT_EQ(ParseSignal("KILL").value(), SIGKILL);
  EXPECT_EQ(ParseSignal("SIGKILL").value(), SIGKILL);
  EXPECT_EQ(ParseSignal("sigterm").value(), SIGTERM);
  EXPECT_EQ(ParseSignal("hup").value(), SIGHUP);
  EXPECT_EQ(ParseSignal("SIGWINCH").value(), SIGWINCH);
}

TEST(SignalsTest, Numbers) {
  EXPECT_EQ(ParseSignal("9").value(), 9);
  EXPECT_EQ(ParseSignal("15").value(), 15);
  EXPECT_EQ(ParseSignal(std::to_string(SIGRTMAX)).value(), SIGRTMAX);
  EXPECT_FALSE(ParseSignal("0").ok());
  EXPECT_FALSE(ParseSignal("-1").ok());
  EXPECT_FALSE(ParseSignal(std::to_string(SIGRTMAX + 1)).ok());
  EXPECT_FALSE(ParseSignal("9x").ok());
}

TEST(SignalsTest, Realtime) {
  EXPECT_EQ(ParseSignal("RTMIN").value(), SIGRTMIN);
  EXPECT_EQ(ParseSignal("SIGRTMIN+3").value(), SIGRTMIN + 3);
  EXPECT_EQ(ParseSignal("RTMAX-2").value(), SIGRTMAX - 2);
  EXPECT_FALSE(ParseSignal("RTMIN-1").ok());
}

TEST(SignalsTest, UnknownNamesAreErrors) {
  auto r = ParseSignal("SIGFOO");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message().find("SIGFOO"), std::string::npos);
  EXPECT_FALSE(ParseSignal("").ok());
  EXPECT_FALSE(ParseSignal("SIG").ok());
}

TEST(SignalsTest, SignalName) {
  EXPECT_EQ(SignalName(SIGTERM), "SIGTERM");
  EXPECT_EQ(SignalName(SIGKILL), "SIGKILL");
  EXPECT_EQ(SignalName(SIGRTMIN + 1), "");
}

}  // namespace
}  // namespace berth::container
