#include "runtime/log/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "gtest/gtest.h"

namespace berth::log {
namespace {

constexpr std::time_t kTime = 1795827723;  // 2026-11-28T01:02:03Z

TEST(LogTest, TimeIsRfc3339Utc) { EXPECT_EQ(FormatTime(kTime), "2026-11-28T01:02:03Z"); }

TEST(LogTest, JsonLineMatchesRuncFieldOrder) {
  EXPECT_EQ(FormatLine(Format::json, Level::error, "container does not exist", kTime),
            R"({"level":"error","msg":"container does not exist","time":"2026-11-28T01:02:03Z"})");
}

TEST(LogTest, JsonEscapesQuotesControlsAndHtml) {
  EXPECT_EQ(
      FormatLine(Format::json, Level::warning, "a\"b\\c\nd<e>&\x01", kTime),
      R"({"level":"warning","msg":"a\"b\\c\nd\u003ce\u003e\u0026\u0001","time":"2026-11-28T01:02:03Z"})");
}

TEST(LogTest, TextQuotesLikeLogrus) {
  EXPECT_EQ(FormatLine(Format::text, Level::error, "container does not exist", kTime),
            R"(time="2026-11-28T01:02:03Z" level=error msg="container does not exist")");
  EXPECT_EQ(FormatLine(Format::text, Level::info, "plain-word", kTime),
            R"(time="2026-11-28T01:02:03Z" level=info msg=plain-word)");
  EXPECT_EQ(FormatLine(Format::text, Level::error, "say \"hi\"\n", kTime),
            R"(time="2026-11-28T01:02:03Z" level=error msg="say \"hi\"\n")");
}

TEST(LogTest, ParseFormat) {
  EXPECT_EQ(ParseFormat("json").value(), Format::json);
  EXPECT_EQ(ParseFormat("text").value(), Format::text);
  EXPECT_FALSE(ParseFormat("xml").ok());
}

TEST(LogTest, FileGetsOneJsonLinePerMessageAndDebugIsFiltered) {
  char dir[] = "/tmp/berth-log-test-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string path = std::string(dir) + "/log.json";
  ASSERT_TRUE(Configure(path, Format::json, /*debug=*/false).ok());
  EXPECT_TRUE(LogsToFile());
  Debug("hidden");
  Err("first");
  Warn("second");
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  ASSERT_GE(fd, 0);
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  ASSERT_GT(n, 0);
  std::string text(buf, n);
  EXPECT_EQ(text.find("hidden"), std::string::npos);
  size_t first = text.find("{\"level\":\"error\",\"msg\":\"first\",\"time\":\"");
  size_t second = text.find("{\"level\":\"warning\",\"msg\":\"second\",\"time\":\"");
  EXPECT_EQ(first, 0u);
  EXPECT_NE(second, std::string::npos);
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  unlink(path.c_str());
  rmdir(dir);
}

}  // namespace
}  // namespace berth::log
