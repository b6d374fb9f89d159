#include "conformance/harness/json.h"

#include <gtest/gtest.h>

namespace berth::conformance {
namespace {

TEST(Json, ParsesNestedDocument) {
  auto j = ParseJson(R"({"a":[1,-2,3.5,true,null,"x\n\u00e9"],"b":{"c":"d"}})");
  ASSERT_TRUE(j.ok()) << j.error().ToString();
  const auto& a = (*j)["a"].items();
  ASSERT_EQ(a.size(), 6u);
  EXPECT_EQ(a[0].as_int(), 1);
  EXPECT_TRUE(a[1].is_integer());
  EXPECT_EQ(a[1].as_int(), -2);
  EXPECT_FALSE(a[2].is_integer());
  EXPECT_DOUBLE_EQ(a[2].as_double(), 3.5);
  EXPECT_TRUE(a[3].as_bool());
  EXPECT_TRUE(a[4].is_null());
  EXPECT_EQ(a[5].as_string(), "x\n\xc3\xa9");
  ASSERT_NE(j->At("b.c"), nullptr);
  EXPECT_EQ(j->At("b.c")->as_string(), "d");
  EXPECT_EQ(j->At("b.missing"), nullptr);
}

TEST(Json, RejectsMalformedInput) {
  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "tru", "\"unterminated", "{} x", "-", "[\"\x01\"]"})
    EXPECT_FALSE(ParseJson(bad).ok()) << bad;
}

TEST(Json, DumpRoundTripsAndKeepsOrder) {
  Json j = Json::Object();
  j["z"] = 1;
  j["a"] = Json::Strings({"q\"uote", "tab\t"});
  j["m"]["n"] = false;
  std::string text = j.Dump();
  EXPECT_EQ(text, R"({"z":1,"a":["q\"uote","tab\t"],"m":{"n":false}})");
  auto back = ParseJson(j.Dump(true));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->Dump(), text);
}

TEST(Json, EraseAndLargeIntegers) {
  auto j = ParseJson(R"({"big":9223372036854775807,"huge":18446744073709551615,"k":1})");
  ASSERT_TRUE(j.ok());
  EXPECT_EQ((*j)["big"].as_int(), INT64_MAX);
  EXPECT_FALSE((*j)["huge"].is_integer());  // beyond int64: kept as a double
  EXPECT_TRUE(j->Erase("k"));
  EXPECT_FALSE(j->Erase("k"));
  EXPECT_EQ(j->size(), 2u);
}

}  // namespace
}  // namespace berth::conformance
