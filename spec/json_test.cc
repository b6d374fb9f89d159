#include "spec/json.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <utility>

#include "spec/json_read.h"

namespace berth::spec::json {
namespace {

TEST(JsonParse, BuildsTheTree) {
  auto v = Parse(R"( {"a":[1,-2.5e3,"s",true,false,null,{}],"b":{"c":"d"}} )");
  ASSERT_TRUE(v.ok()) << v.error().ToString();
  ASSERT_EQ(v->kind, Kind::object);
  const Value* a = v->Find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->items.size(), 7u);
  EXPECT_EQ(a->items[0].text, "1");
  EXPECT_EQ(a->items[1].text, "-2.5e3");
  EXPECT_EQ(a->items[2].text, "s");
  EXPECT_TRUE(a->items[3].boolean);
  EXPECT_EQ(a->items[5].kind, Kind::null);
  EXPECT_EQ(a->items[6].kind, Kind::object);
  EXPECT_EQ(v->Find("b")->Find("c")->text, "d");
  EXPECT_EQ(v->Find("zz"), nullptr);
}

// The builder keeps pointers to the open containers: each value must land in
// its own parent however deep the nesting alternates arrays and objects.
TEST(JsonParse, NestedContainersLandInTheRightParent) {
  auto v = Parse(R"({"a":{"b":[{"c":1},{"d":[2,[3]]}],"e":"x"},"f":[]})");
  ASSERT_TRUE(v.ok());
  const Value* b = v->At("a.b");
  ASSERT_NE(b, nullptr);
  ASSERT_EQ(b->items.size(), 2u);
  EXPECT_EQ(b->items[0].Find("c")->text, "1");
  EXPECT_EQ(b->items[1].Find("d")->items[1].items[0].text, "3");
  EXPECT_EQ(v->At("a.e")->text, "x");
  EXPECT_TRUE(v->Find("f")->items.empty());
  EXPECT_EQ(v->Dump(), R"({"a":{"b":[{"c":1},{"d":[2,[3]]}],"e":"x"},"f":[]})");
}

TEST(JsonParse, DepthLimitHoldsAtTheBoundary) {
  std::string ok = std::string(kMaxDepth, '[') + std::string(kMaxDepth, ']');
  EXPECT_TRUE(Parse(ok).ok());
  std::string deep = std::string(kMaxDepth + 1, '[') + std::string(kMaxDepth + 1, ']');
  auto r = Parse(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().ToString(), "invalid JSON: nested deeper than 64 levels at byte 65");
}

// Found by the state and resources fuzz targets (fuzz/corpus/{state,resources}/
// regression-overlong-utf8*): yajl lets overlong forms, UTF-8-encoded
// surrogates and code points above U+10FFFF through, which the writer then
// replaces with U+FFFD, so a value read was not the value written back.
TEST(JsonParse, RejectsIllFormedUtf8InStringsAndKeys) {
  for (const std::string& bad :
       {std::string("\xC1\xB7"), std::string("\xC0\xB5"), std::string("\xE0\x80\xAF"),
        std::string("\xED\xA0\x80"), std::string("\xF4\x90\x80\x80")}) {
    SCOPED_TRACE(testing::PrintToString(bad));
    auto in_string = Parse("{\"a\":\"x" + bad + "\"}");
    ASSERT_FALSE(in_string.ok());
    // The byte after the string's closing quote.
    EXPECT_EQ(in_string.error().ToString(),
              "invalid JSON: ill-formed UTF-8 in a string at byte " + std::to_string(8 + bad.size()));
    auto in_key = Parse("{\"x" + bad + "\":1}");
    ASSERT_FALSE(in_key.ok());
    EXPECT_NE(in_key.error().ToString().find("ill-formed UTF-8 in a string"), std::string::npos)
        << in_key.error().ToString();
  }
  auto good = Parse("{\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\":\"\\u00e9\\ud83d\\ude00\"}");
  ASSERT_TRUE(good.ok()) << good.error().ToString();
  EXPECT_EQ(good->members[0].value.text, "\xC3\xA9\xF0\x9F\x98\x80");
}

TEST(JsonRead, IntegerRanges) {
  auto num = [](const char* text) {
    Value v;
    v.kind = Kind::number;
    v.text = text;
    return v;
  };
  int8_t i8 = 0;
  EXPECT_TRUE(Read(num("-128"), "x", i8).ok());
  EXPECT_EQ(i8, -128);
  EXPECT_TRUE(Read(num("127"), "x", i8).ok());
  EXPECT_EQ(Read(num("128"), "x", i8).error().ToString(), "x: expected integer in [-128, 127], got 128");
  EXPECT_EQ(Read(num("-129"), "x", i8).error().ToString(), "x: expected integer in [-128, 127], got -129");
  int64_t i64 = 0;
  EXPECT_TRUE(Read(num("-9223372036854775808"), "x", i64).ok());
  EXPECT_EQ(i64, INT64_MIN);
  EXPECT_FALSE(Read(num("9223372036854775808"), "x", i64).ok());
  EXPECT_FALSE(Read(num("-9223372036854775809"), "x", i64).ok());
  uint16_t u16 = 0;
  EXPECT_TRUE(Read(num("-0"), "x", u16).ok());
  EXPECT_EQ(u16, 0);
  EXPECT_EQ(Read(num("1.0"), "x", u16).error().ToString(), "x: expected integer, got 1.0");
  uint64_t u64 = 0;
  EXPECT_TRUE(Read(num("18446744073709551615"), "x", u64).ok());
  EXPECT_EQ(u64, UINT64_MAX);
}

TEST(JsonRead, Paths) {
  EXPECT_EQ(MemberPath("", "a"), "a");
  EXPECT_EQ(MemberPath("a", "b_1"), "a.b_1");
  EXPECT_EQ(MemberPath("a", "x.y"), "a[\"x.y\"]");
  EXPECT_EQ(MemberPath("a", "q\"\n"), "a[\"q\\\"\\n\"]");
  EXPECT_EQ(MemberPath("a", ""), "a[\"\"]");
  EXPECT_EQ(IndexPath("a", 3), "a[3]");
}

TEST(JsonWriter, EscapesAndNumbers) {
  Writer w;
  w.BeginObject();
  w.Key("s");
  w.String(std::string("a\"\\\n\x01\0", 6));
  w.Key("n");
  w.BeginArray();
  w.Int(INT64_MIN);
  w.Uint(UINT64_MAX);
  w.Bool(false);
  w.Null();
  w.EndArray();
  w.EndObject();
  EXPECT_EQ(w.Take(),
            R"({"s":"a\"\\\n\u0001\u0000","n":[-9223372036854775808,18446744073709551615,false,null]})");
}

// ------------------------------------------------- building and editing

TEST(JsonValue, BuildsDocumentsInOrderAndDumpsThem) {
  Value c = Value::Object();
  c["z"] = 1;
  c["a"] = Value::Strings({"q\"uote", "tab\t"});
  c["m"]["n"] = false;  // operator[] on null makes an object
  c["u"] = uint64_t{18446744073709551615u};
  c["i"] = int64_t{-9223372036854775807 - 1};
  c["d"] = 0.5;
  c["nan"] = std::nan("");  // not JSON: null
  c["s"] = std::string_view("v");
  c["p"].Push("x");  // Push on null makes an array
  c["p"].Push(nullptr);
  EXPECT_EQ(c.Dump(), R"({"z":1,"a":["q\"uote","tab\t"],"m":{"n":false},"u":18446744073709551615,)"
                      R"("i":-9223372036854775808,"d":0.5,"nan":null,"s":"v","p":["x",null]})");
  auto back = Parse(c.Dump(true));
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(back->Dump(), c.Dump());
  EXPECT_NE(c.Dump(true).find("\n\t\"z\": 1,"), std::string::npos) << c.Dump(true);
}

TEST(JsonValue, AccessorsAreNeutralOnAKindMismatch) {
  auto v = Parse(R"({"a":[1,-2,3.5,true,null,"x\n\u00e9",2e3],"big":9223372036854775807,)"
                 R"("huge":18446744073709551615,"b":{"c":"d"}})");
  ASSERT_TRUE(v.ok()) << v.error().ToString();
  const auto& a = (*v)["a"].items;
  ASSERT_EQ(a.size(), 7u);
  EXPECT_TRUE(a[0].is_integer());
  EXPECT_EQ(a[1].as_int(), -2);
  EXPECT_FALSE(a[2].is_integer());
  EXPECT_DOUBLE_EQ(a[2].as_double(), 3.5);
  EXPECT_EQ(a[2].as_int(), 3);
  EXPECT_FALSE(a[6].is_integer());
  EXPECT_EQ(a[6].as_int(), 2000);
  EXPECT_TRUE(a[3].as_bool());
  EXPECT_TRUE(a[4].is_null());
  EXPECT_EQ(a[5].as_string(), "x\n\xc3\xa9");
  EXPECT_EQ(a[0].as_string(), "");
  EXPECT_FALSE(a[5].as_bool());
  EXPECT_EQ(a[5].as_int(), 0);
  EXPECT_EQ((*v)["big"].as_int(), INT64_MAX);
  EXPECT_FALSE((*v)["huge"].is_integer());  // beyond int64
  EXPECT_EQ((*v)["huge"].as_int(), 0);
  EXPECT_TRUE(std::as_const(*v)["missing"].is_null());  // const: inserts nothing
  EXPECT_EQ(v->size(), 4u);
  EXPECT_EQ(a[0].size(), 0u);
  ASSERT_NE(v->At("b.c"), nullptr);
  EXPECT_EQ(v->At("b.c")->as_string(), "d");
  EXPECT_EQ(v->At("b.missing"), nullptr);
  EXPECT_EQ(v->At("a.x"), nullptr);  // not an object
}

TEST(JsonValue, RepeatedKeysLastWinsAndEraseRemovesEveryOne) {
  auto v = Parse(R"({"k":1,"x":true,"k":2})");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ((*v)["k"].as_int(), 2);
  (*v)["k"] = "s";  // replaces the member Find sees, appends nothing
  EXPECT_EQ(v->Dump(), R"({"k":1,"x":true,"k":"s"})");
  EXPECT_TRUE(v->Erase("k"));
  EXPECT_FALSE(v->Erase("k"));
  EXPECT_EQ(v->Dump(), R"({"x":true})");
  Value* x = v->Find("x");
  ASSERT_NE(x, nullptr);
  *x = Value::Array({1, "two"});
  EXPECT_EQ(v->Dump(), R"({"x":[1,"two"]})");
}

TEST(JsonQuote, EscapesLikeTheWriter) {
  EXPECT_EQ(Quote("a\"\\\n\x01"), R"("a\"\\\n\u0001")");
  EXPECT_EQ(Quote(""), R"("")");
}

}  // namespace
}  // namespace berth::spec::json
