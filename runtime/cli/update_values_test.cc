#include "runtime/cli/update_values.h"

#include "gtest/gtest.h"

namespace berth::cli {
namespace {

TEST(RamInBytesTest, GoUnitsBinaryMultiples) {
  EXPECT_EQ(*RamInBytes("1024"), 1024);
  EXPECT_EQ(*RamInBytes("64m"), 64LL << 20);
  EXPECT_EQ(*RamInBytes("64M"), 64LL << 20);
  EXPECT_EQ(*RamInBytes("128mb"), 128LL << 20);
  EXPECT_EQ(*RamInBytes("1g"), 1LL << 30);
  EXPECT_EQ(*RamInBytes("1.5GiB"), 3LL << 29);
  EXPECT_EQ(*RamInBytes("10 k"), 10240);
  EXPECT_EQ(*RamInBytes("2KB"), 2048);
  EXPECT_EQ(*RamInBytes("1t"), 1LL << 40);
}

TEST(RamInBytesTest, InvalidSizes) {
  for (const char* bad : {"", "m", "64x", "-5", "1.", "64mm", " 64m", "64  m"}) {
    auto r = RamInBytes(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().message(), std::string("invalid size: '") + bad + "'");
  }
}

TEST(GoDurationTest, Units) {
  using std::chrono::nanoseconds;
  EXPECT_EQ(*ParseGoDuration("5s"), nanoseconds(5000000000));
  EXPECT_EQ(*ParseGoDuration("100ms"), nanoseconds(100000000));
  EXPECT_EQ(*ParseGoDuration("1.5m"), nanoseconds(90000000000));
  EXPECT_EQ(*ParseGoDuration("1h30m"), nanoseconds(5400000000000));
  EXPECT_EQ(*ParseGoDuration("2us"), nanoseconds(2000));
  EXPECT_EQ(*ParseGoDuration("0"), nanoseconds(0));
  EXPECT_EQ(*ParseGoDuration("-1s"), nanoseconds(-1000000000));
}

TEST(GoDurationTest, Errors) {
  EXPECT_EQ(ParseGoDuration("x").error().message(), "time: invalid duration \"x\"");
  EXPECT_EQ(ParseGoDuration("5").error().message(), "time: missing unit in duration \"5\"");
  EXPECT_EQ(ParseGoDuration("5d").error().message(), "time: unknown unit \"d\" in duration \"5d\"");
  EXPECT_FALSE(ParseGoDuration("").ok());
}

}  // namespace
}  // namespace berth::cli
