// The D-Bus wire format: byte-exact messages worked out by hand from the
// specification, round trips, and malformed input that must be an error.
#include "runtime/cgroups/dbus_message.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>

namespace berth::cgroups::dbus {

// Readable gtest output for values.
void PrintTo(const Value& v, std::ostream* os) { *os << Describe(v); }

namespace {

using ::testing::HasSubstr;

// "6c 01 00" -> bytes; whitespace is ignored.
std::string Hex(std::string_view text) {
  std::string out;
  std::string digits;
  for (char c : text)
    if (c != ' ' && c != '\n') digits.push_back(c);
  for (size_t i = 0; i + 1 < digits.size(); i += 2)
    out.push_back(static_cast<char>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  return out;
}

std::string ToHex(std::string_view bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < bytes.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
    out += (i % 8 == 7) ? '\n' : ' ';
  }
  return out;
}

std::string Text(std::string_view s) { return std::string(s); }

Message Hello() {
  Message m =
      Message::MethodCall("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "Hello");
  m.serial = 1;
  return m;
}

TEST(DbusMarshal, HelloIsByteExact) {
  // Header fields in the order berth writes them: PATH, INTERFACE, MEMBER,
  // DESTINATION; each a (yv) struct on an 8-byte boundary.
  std::string expected = Hex("6c 01 00 01  00 00 00 00  01 00 00 00  6d 00 00 00") +
                         Hex("01 01 6f 00  15 00 00 00") + Text("/org/freedesktop/DBus") + Hex("00 00 00") +
                         Hex("02 01 73 00  14 00 00 00") + Text("org.freedesktop.DBus") + Hex("00 00 00 00") +
                         Hex("03 01 73 00  05 00 00 00") + Text("Hello") + Hex("00 00 00") +
                         Hex("06 01 73 00  14 00 00 00") + Text("org.freedesktop.DBus") + Hex("00 00 00 00");
  ASSERT_EQ(expected.size(), 128u);
  auto bytes = Marshal(Hello());
  ASSERT_TRUE(bytes.ok()) << bytes.error().ToString();
  EXPECT_EQ(ToHex(*bytes), ToHex(expected));
}

TEST(DbusMarshal, BodyAlignmentIsByteExact) {
  Message m = Message::MethodCall("d.e", "/", "i.f", "M");
  m.serial = 2;
  m.body = {Value::Byte(1),
            Value::Int16(-2),
            Value::Uint32(7),
            Value::Uint64(0x0102030405060708ULL),
            Value::String("ab"),
            Value::Signature("a{sv}"),
            Value::Variant(Value::Uint32(5)),
            Value::Array("{sv}", {Value::DictEntry(Value::String("k"), Value::Variant(Value::Bool(true)))}),
            Value::Struct({Value::Byte(9), Value::String("x")}),
            Value::Array("i", {})};
  auto bytes = Marshal(m);
  ASSERT_TRUE(bytes.ok()) << bytes.error().ToString();
  std::string body =
      Hex("01 00 fe ff 07 00 00 00"    // y, pad, n -2, u 7
          "08 07 06 05 04 03 02 01"    // t
          "02 00 00 00 61 62 00 05"    // s "ab", g length
          "61 7b 73 76 7d 00 01 75"    // g "a{sv}", v signature "u"
          "00 00 00 00 05 00 00 00"    // pad, u 5
          "10 00 00 00 00 00 00 00"    // array length 16, pad to the dict entry
          "01 00 00 00 6b 00 01 62"    // "k", v signature "b"
          "00 00 00 00 01 00 00 00"    // pad, true
          "09 00 00 00 01 00 00 00"    // struct: y 9, pad, s length
          "78 00 00 00 00 00 00 00");  // "x", pad, empty ai
  ASSERT_GE(bytes->size(), body.size());
  EXPECT_EQ(ToHex(bytes->substr(bytes->size() - body.size())), ToHex(body));
  EXPECT_EQ(ToHex(bytes->substr(4, 4)), ToHex(Hex("50 00 00 00")));  // body length 80
  auto parsed = Unmarshal(*bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
  EXPECT_EQ(parsed->signature, "ynutsgva{sv}(ys)ai");
  EXPECT_EQ(parsed->body, m.body);
  EXPECT_EQ(parsed->body[1].AsInt(), -2);
}

TEST(DbusUnmarshal, HandWrittenMethodReturn) {
  std::string bytes = Hex("6c 02 01 01  0a 00 00 00  07 00 00 00  0f 00 00 00") +
                      Hex("05 01 75 00  01 00 00 00") +  // REPLY_SERIAL 1
                      Hex("08 01 67 00  01 73 00 00") +  // SIGNATURE "s", pad
                      Hex("05 00 00 00") + Text(":1.42") + Hex("00");
  ASSERT_EQ(bytes.size(), 42u);
  auto length = MessageLength(bytes);
  ASSERT_TRUE(length.ok());
  EXPECT_EQ(*length, 42u);
  auto m = Unmarshal(bytes);
  ASSERT_TRUE(m.ok()) << m.error().ToString();
  EXPECT_EQ(m->type, MessageType::kMethodReturn);
  EXPECT_EQ(m->flags, kNoReplyExpected);
  EXPECT_EQ(m->serial, 7u);
  EXPECT_EQ(m->reply_serial, 1u);
  EXPECT_EQ(m->signature, "s");
  EXPECT_EQ(m->body, std::vector<Value>{Value::String(":1.42")});
}

TEST(DbusUnmarshal, BigEndianSignal) {
  std::string bytes = Hex("42 04 00 01  00 00 00 04  00 00 00 09  00 00 00 37") +
                      Hex("01 01 6f 00  00 00 00 02") + Text("/a") + Hex("00 00 00 00 00 00") +
                      Hex("02 01 73 00  00 00 00 03") + Text("x.y") + Hex("00 00 00 00 00") +
                      Hex("03 01 73 00  00 00 00 01") + Text("Z") + Hex("00 00 00 00 00 00 00") +
                      Hex("08 01 67 00  01 75 00 00") + Hex("01 02 03 04");
  ASSERT_EQ(bytes.size(), 76u);
  auto m = Unmarshal(bytes);
  ASSERT_TRUE(m.ok()) << m.error().ToString();
  EXPECT_EQ(m->type, MessageType::kSignal);
  EXPECT_EQ(m->serial, 9u);
  EXPECT_EQ(m->path, "/a");
  EXPECT_EQ(m->interface, "x.y");
  EXPECT_EQ(m->member, "Z");
  EXPECT_EQ(m->body, std::vector<Value>{Value::Uint32(0x01020304)});
}

TEST(DbusRoundTrip, EveryTypeAndMessageKind) {
  Value props = Value::Array(
      "(sv)", {Value::Struct({Value::String("PIDs"),
                              Value::Variant(Value::Array("u", {Value::Uint32(1), Value::Uint32(2)}))}),
               Value::Struct({Value::String("Delegate"), Value::Variant(Value::Bool(true))}),
               Value::Struct({Value::String("Nested"), Value::Variant(Value::Variant(Value::Int64(-5)))})});
  std::vector<Message> messages;
  Message call = Message::MethodCall(
      "org.freedesktop.systemd1", "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
      "StartTransientUnit",
      {Value::String("berth-c1.scope"), Value::String("replace"), props, Value::Array("(sa(sv))", {})});
  messages.push_back(call);
  Message all = Message::MethodCall(
      "a.b", "/x/y_z", "a.b", "All",
      {Value::Byte(255), Value::Bool(false), Value::Int16(-32768), Value::Uint16(65535), Value::Int32(-1),
       Value::Uint32(0xffffffffu), Value::Int64(INT64_MIN), Value::Uint64(UINT64_MAX), Value::ObjectPath("/"),
       Value::Signature(""),
       Value::Array("ax", {Value::Array("x", {}), Value::Array("x", {Value::Int64(3)})}),
       Value::Array("{ua(ii)}", {Value::DictEntry(Value::Uint32(1), Value::Array("(ii)", {}))})});
  messages.push_back(all);
  Message reply;
  reply.type = MessageType::kMethodReturn;
  reply.reply_serial = 41;
  reply.destination = ":1.7";
  reply.body = {Value::ObjectPath("/org/freedesktop/systemd1/job/77")};
  messages.push_back(reply);
  Message error;
  error.type = MessageType::kError;
  error.reply_serial = 3;
  error.error_name = "org.freedesktop.systemd1.NoSuchUnit";
  error.body = {Value::String("Unit x.scope not loaded.")};
  messages.push_back(error);
  Message signal;
  signal.type = MessageType::kSignal;
  signal.path = "/org/freedesktop/systemd1";
  signal.interface = "org.freedesktop.systemd1.Manager";
  signal.member = "JobRemoved";
  signal.sender = ":1.0";
  signal.body = {Value::Uint32(77), Value::ObjectPath("/org/freedesktop/systemd1/job/77"),
                 Value::String("berth-c1.scope"), Value::String("done")};
  messages.push_back(signal);
  uint32_t serial = 10;
  for (Message& m : messages) {
    m.serial = serial++;
    auto bytes = Marshal(m);
    ASSERT_TRUE(bytes.ok()) << m.member << ": " << bytes.error().ToString();
    EXPECT_EQ(*MessageLength(*bytes), bytes->size());
    auto back = Unmarshal(*bytes);
    ASSERT_TRUE(back.ok()) << m.member << ": " << back.error().ToString();
    m.signature = back->signature;
    EXPECT_EQ(back->type, m.type);
    EXPECT_EQ(back->serial, m.serial);
    EXPECT_EQ(back->path, m.path);
    EXPECT_EQ(back->interface, m.interface);
    EXPECT_EQ(back->member, m.member);
    EXPECT_EQ(back->error_name, m.error_name);
    EXPECT_EQ(back->reply_serial, m.reply_serial);
    EXPECT_EQ(back->destination, m.destination);
    EXPECT_EQ(back->sender, m.sender);
    ASSERT_EQ(back->body.size(), m.body.size());
    for (size_t i = 0; i < m.body.size(); ++i) EXPECT_EQ(back->body[i], m.body[i]) << Describe(back->body[i]);
  }
  EXPECT_EQ(messages[0].signature, "ssa(sv)a(sa(sv))");
  EXPECT_EQ(messages[3].ErrorText(), "Unit x.scope not loaded.");
}

TEST(DbusSignature, Validity) {
  for (const char* good : {"", "y", "a{sv}", "a(sa(sv))", "(i(ii))", "aai", "a{oa{sv}}", "v"})
    EXPECT_TRUE(ValidSignature(good)) << good;
  for (const char* bad : {"a", "(", "()", "(i", "i)", "{sv}", "a{vs}", "a{s}", "a{sii}", "z", "a{sv"})
    EXPECT_FALSE(ValidSignature(bad)) << bad;
  EXPECT_TRUE(ValidSignature(std::string(32, 'a') + "i"));
  EXPECT_FALSE(ValidSignature(std::string(33, 'a') + "i"));
  EXPECT_FALSE(ValidSignature(std::string(33, '(') + "i" + std::string(33, ')')));
  for (const char* good : {"/", "/a", "/a/b_c/D9"}) EXPECT_TRUE(ValidObjectPath(good)) << good;
  for (const char* bad : {"", "a", "/a/", "//a", "/a-b", "/a.b"}) EXPECT_FALSE(ValidObjectPath(bad)) << bad;
}

TEST(DbusMarshal, RefusesInvalidMessages) {
  Message m = Hello();
  m.serial = 0;
  EXPECT_FALSE(Marshal(m).ok());
  m = Hello();
  m.member.clear();
  EXPECT_FALSE(Marshal(m).ok());
  m = Hello();
  m.body = {Value::Array("u", {Value::String("not a u")})};
  EXPECT_FALSE(Marshal(m).ok());
  m.body = {Value{'b', 2, {}, {}, {}}};
  EXPECT_FALSE(Marshal(m).ok());
  m.body = {Value::ObjectPath("no/slash")};
  EXPECT_FALSE(Marshal(m).ok());
  m.body = {Value::String(std::string("a\0b", 3))};
  EXPECT_FALSE(Marshal(m).ok());
  m.body = {Value::Struct({})};
  EXPECT_FALSE(Marshal(m).ok());
  Value deep = Value::Uint32(1);
  for (int i = 0; i < 100; ++i) deep = Value::Variant(deep);
  m.body = {deep};
  EXPECT_FALSE(Marshal(m).ok());
  Message reply;
  reply.type = MessageType::kMethodReturn;
  reply.serial = 1;
  EXPECT_FALSE(Marshal(reply).ok()) << "a reply needs a reply serial";
}

std::string ValidReply() {
  Message m;
  m.type = MessageType::kMethodReturn;
  m.serial = 5;
  m.reply_serial = 4;
  m.body = {Value::String("hello"),
            Value::Array("(sv)", {Value::Struct({Value::String("k"), Value::Variant(Value::Uint64(9))})}),
            Value::Bool(true)};
  return *Marshal(m);
}

TEST(DbusUnmarshal, EveryTruncationIsAnError) {
  std::string bytes = ValidReply();
  ASSERT_TRUE(Unmarshal(bytes).ok());
  for (size_t n = 0; n < bytes.size(); ++n) EXPECT_FALSE(Unmarshal(bytes.substr(0, n)).ok()) << n;
  EXPECT_FALSE(Unmarshal(bytes + std::string(8, '\0')).ok()) << "trailing bytes";
}

TEST(DbusUnmarshal, NonZeroPaddingIsAnError) {
  std::string bytes = *Marshal(Hello());
  ASSERT_EQ(bytes[45], '\0');  // the NUL ending the path string
  ASSERT_EQ(bytes[46], '\0');  // padding before the next field
  bytes[46] = 1;
  auto m = Unmarshal(bytes);
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(m.error().message(), HasSubstr("padding"));
}

TEST(DbusUnmarshal, BadLengthsAreErrors) {
  std::string good = ValidReply();
  auto patch32 = [](std::string s, size_t at, uint32_t v) {
    for (int i = 0; i < 4; ++i) s[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
    return s;
  };
  // Body length and header-fields length that disagree with the size.
  EXPECT_FALSE(Unmarshal(patch32(good, 4, 1000)).ok());
  EXPECT_FALSE(Unmarshal(patch32(good, 12, 3)).ok());
  EXPECT_FALSE(MessageLength(patch32(good, 12, 0x7fffffff)).ok());
  EXPECT_FALSE(MessageLength(patch32(good, 4, 0x7fffffff)).ok());
  // The body's first string claims to run past the end.
  const size_t body = good.size() - 44;  // s "hello" (12), a(sv) (28), b (4)
  ASSERT_EQ(static_cast<unsigned char>(good[4]), 44u);
  EXPECT_FALSE(Unmarshal(patch32(good, body, 0xfffffff0)).ok());
  EXPECT_FALSE(Unmarshal(patch32(good, body, 6)).ok()) << "string not NUL-terminated";
  // The array length cuts its only element in two.
  std::string array_cut = patch32(good, body + 12, 4);
  EXPECT_FALSE(Unmarshal(array_cut).ok());
  EXPECT_FALSE(Unmarshal(patch32(good, body + 12, 1u << 27)).ok()) << "array over 64 MiB";
  // The boolean is 2.
  std::string bad_bool = good;
  bad_bool[bad_bool.size() - 4] = 2;
  EXPECT_FALSE(Unmarshal(bad_bool).ok());
}

TEST(DbusUnmarshal, BadHeadersAreErrors) {
  std::string good = *Marshal(Hello());
  std::string b = good;
  b[0] = 'x';
  EXPECT_FALSE(Unmarshal(b).ok()) << "byte order";
  b = good;
  b[3] = 2;
  EXPECT_FALSE(Unmarshal(b).ok()) << "version";
  b = good;
  b[8] = 0;
  EXPECT_FALSE(Unmarshal(b).ok()) << "serial 0";
  b = good;
  b[1] = 9;
  EXPECT_FALSE(Unmarshal(b).ok()) << "message type";
  b = good;
  b[18] = 's';  // PATH given as a string
  EXPECT_FALSE(Unmarshal(b).ok()) << "header field type";
  b = good;
  b[80] = 7;  // MEMBER becomes SENDER: a call without a member
  EXPECT_FALSE(Unmarshal(b).ok()) << "missing member";
}

TEST(DbusUnmarshal, DeepVariantNestingIsAnError) {
  Message m = Hello();
  m.body = {Value::Variant(Value::Byte(0))};
  std::string bytes = *Marshal(m);
  std::string body;
  for (int i = 0; i < 100; ++i) body += Hex("01 76 00");
  body += Hex("01 79 00 00");
  size_t header = bytes.size() - 4;  // the original body: 01 79 00 00
  bytes = bytes.substr(0, header) + body;
  for (int i = 0; i < 4; ++i) bytes[4 + i] = static_cast<char>((body.size() >> (8 * i)) & 0xff);
  auto parsed = Unmarshal(bytes);
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(parsed.error().message(), HasSubstr("nested too deeply"));
}

TEST(DbusUnmarshal, RandomCorruptionNeverCrashes) {
  std::string good = ValidReply();
  std::mt19937 rng(12345);
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string b = good;
    int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) b[rng() % b.size()] = static_cast<char>(rng() & 0xff);
    if (rng() % 4 == 0) b.resize(rng() % b.size());
    auto m = Unmarshal(b);
    if (m.ok()) ++accepted;
  }
  EXPECT_LT(accepted, 20000);
}

}  // namespace
}  // namespace berth::cgroups::dbus
