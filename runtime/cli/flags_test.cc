#include "runtime/cli/flags.h"

#include "gtest/gtest.h"

namespace berth::cli {
namespace {

const std::vector<FlagSpec> kCreateFlags = {
    {{"bundle", "b"}, true, "bundle dir"},
    {{"pid-file"}, true, "pid file"},
    {{"detach", "d"}, false, "detach"},
    {{"preserve-fds"}, true, "n", "0"},
    {{"env", "e"}, true, "env"},
};

TEST(FlagsTest, SingleAndDoubleDashAndEquals) {
  auto r = ParseFlags({"-b", "/x", "--pid-file=/p", "-d", "id1"}, kCreateFlags,
                      Positional::kInterleaved);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->Get("bundle"), "/x");
  EXPECT_EQ(r->Get("pid-file"), "/p");
  EXPECT_TRUE(r->Bool("detach"));
  EXPECT_EQ(r->positional, std::vector<std::string>{"id1"});
}

TEST(FlagsTest, FlagsAfterPositionalAreParsed) {
  auto r = ParseFlags({"id1", "--bundle", "/b", "-detach=false"}, kCreateFlags,
                      Positional::kInterleaved);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->Get("bundle"), "/b");
  EXPECT_TRUE(r->Has("detach"));
  EXPECT_FALSE(r->Bool("detach"));
  EXPECT_EQ(r->positional, std::vector<std::string>{"id1"});
}

TEST(FlagsTest, StopAtFirstKeepsTheRestVerbatim) {
  auto r = ParseFlags({"-d", "id1", "sh", "-c", "echo -b"}, kCreateFlags, Positional::kStopAtFirst);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->Bool("detach"));
  EXPECT_EQ(r->positional, (std::vector<std::string>{"id1", "sh", "-c", "echo -b"}));
}

TEST(FlagsTest, DoubleDashEndsFlags) {
  auto r = ParseFlags({"--", "-b"}, kCreateFlags, Positional::kInterleaved);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->positional, std::vector<std::string>{"-b"});
  EXPECT_FALSE(r->Has("bundle"));
}

TEST(FlagsTest, RepeatedValuesAndInts) {
  auto r = ParseFlags({"-e", "A=1", "--env", "B=2", "--preserve-fds", "3"}, kCreateFlags,
                      Positional::kInterleaved);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->GetAll("env"), (std::vector<std::string>{"A=1", "B=2"}));
  EXPECT_EQ(r->Int("preserve-fds", 0).value(), 3);
  auto bad = ParseFlags({"--preserve-fds", "x"}, kCreateFlags, Positional::kInterleaved);
  ASSERT_TRUE(bad.ok());
  EXPECT_FALSE(bad->Int("preserve-fds", 0).ok());
}

TEST(FlagsTest, Errors) {
  auto unknown = ParseFlags({"--nope"}, kCreateFlags, Positional::kInterleaved);
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().message(), "flag provided but not defined: -nope");
  EXPECT_FALSE(ParseFlags({"--bundle"}, kCreateFlags, Positional::kInterleaved).ok());
  EXPECT_FALSE(ParseFlags({"--detach=maybe"}, kCreateFlags, Positional::kInterleaved).ok());
}

TEST(FlagsTest, LoneDashIsPositional) {
  auto r = ParseFlags({"-"}, kCreateFlags, Positional::kInterleaved);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->positional, std::vector<std::string>{"-"});
}

TEST(FlagsTest, HelpListsAliases) {
  std::string help = FlagHelp(kCreateFlags);
  EXPECT_NE(help.find("--bundle value, -b value"), std::string::npos);
  EXPECT_NE(help.find("(default: 0)"), std::string::npos);
}

}  // namespace
}  // namespace berth::cli
