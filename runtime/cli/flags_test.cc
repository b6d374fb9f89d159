#include "runtime/cli/flags.h"

#include "gtest/gtest.h"

namespace berth::cli {
namespace {

const std::vector<FlagSpec> kCreateFlags = {
    {{"bundle", "b"}, true, "bundle dir"}, {{"pid-file"}, true, "pid file"},
    {{"detach", "d"}, false, "detach"},    {{"preserve-fds"}, true, "n", "0"},
    {{"env", "e"}, true, "env"},
};

TEST(FlagsTest, SingleAndDoubleDashAndEquals) {
  auto r = ParseFlags({"-b", "/x", "--pid-file=/p", "-d", "id1"}, kCreateFlags, Positional::kInterleaved);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->Get("bundle"), "/x");
  EXPECT_EQ(r->Get("pid-file"), "/p");
  EXPECT_TRUE(r->Bool("detach"));
  EXPECT_EQ(r->positional, std::vector<std::string>{"id1"});
}

TEST(FlagsTest, FlagsAfterPositionalAreParsed) {
  auto r = ParseFlags({"id1", "--bundle", "/b", "-detach=false"}, kCreateFlags, Positional::kInterleaved);
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

std::string HostUidMap() { return "         0          0 4294967295\n"; }
std::string UserNsUidMap() { return "         0       1000          1\n"; }

TEST(DefaultRootTest, RootOfTheHostKeepsRunBerthEvenWithXdg) {
  EXPECT_EQ(DefaultRoot({0, std::nullopt, "root", HostUidMap}), "/run/berth");
  EXPECT_EQ(DefaultRoot({0, "/run/user/0", "root", HostUidMap}), "/run/berth");
  EXPECT_EQ(DefaultRoot({0, "/run/user/0", std::nullopt, HostUidMap}), "/run/berth");
}

TEST(DefaultRootTest, UnprivilegedCallerUsesXdgRuntimeDir) {
  EXPECT_EQ(DefaultRoot({1000, "/run/user/1000", "alice", HostUidMap}), "/run/user/1000/berth");
  // Without XDG_RUNTIME_DIR (or empty) runc falls back to its own root.
  EXPECT_EQ(DefaultRoot({1000, std::nullopt, "alice", HostUidMap}), "/run/berth");
  EXPECT_EQ(DefaultRoot({1000, "", "alice", HostUidMap}), "/run/berth");
}

TEST(DefaultRootTest, RootInAUserNamespaceUsesXdgUnlessUserIsRoot) {
  EXPECT_EQ(DefaultRoot({0, "/run/user/1000", "alice", UserNsUidMap}), "/run/user/1000/berth");
  EXPECT_EQ(DefaultRoot({0, "/run/user/1000", std::nullopt, UserNsUidMap}), "/run/user/1000/berth");
  EXPECT_EQ(DefaultRoot({0, "/run/user/1000", "root", UserNsUidMap}), "/run/berth");
}

TEST(DefaultRootTest, UidMapIsReadOnlyWhenItDecides) {
  static int reads = 0;
  auto counting = []() -> std::string {
    ++reads;
    return "0 0 4294967295";
  };
  reads = 0;
  DefaultRoot({0, std::nullopt, "root", counting});
  DefaultRoot({1000, "/run/user/1000", "a", counting});
  EXPECT_EQ(reads, 0);
  DefaultRoot({0, "/run/user/0", "root", counting});
  EXPECT_EQ(reads, 1);
}

}  // namespace
}  // namespace berth::cli
