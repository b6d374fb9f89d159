// D-Bus wire format: enough of the marshalling rules to call systemd's
// Manager methods and read their replies and signals, with no libdbus.
//
// Messages are written little-endian; either byte order is read. Every
// length, offset, alignment pad and nesting depth of a received message is
// checked: malformed input is an Error, never a crash or an over-read.
// A 'h' (unix fd) value is carried as its index only: berth reads with
// read(2), so no descriptor ever arrives, and it sends none.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/error.h"

namespace berth::cgroups::dbus {

// One value of any D-Bus type. `type` is the first character of its
// signature: y b n q i u x t d h s o g a ( { v.
struct Value {
  char type = 0;
  uint64_t number = 0;       // y b n q i u x t d h, as raw bits (sign-extended for n i x)
  std::string text;          // s o g
  std::string element;       // a: the element signature (needed for empty arrays)
  std::vector<Value> items;  // a: elements; (: fields; {: key, value; v: the one value

  static Value Byte(uint8_t v);
  static Value Bool(bool v);
  static Value Int16(int16_t v);
  static Value Uint16(uint16_t v);
  static Value Int32(int32_t v);
  static Value Uint32(uint32_t v);
  static Value Int64(int64_t v);
  static Value Uint64(uint64_t v);
  static Value String(std::string v);
  static Value ObjectPath(std::string v);
  static Value Signature(std::string v);
  static Value Array(std::string element_signature, std::vector<Value> items);
  static Value Struct(std::vector<Value> fields);
  static Value DictEntry(Value key, Value value);
  static Value Variant(Value inner);

  // The complete signature of this value, e.g. "a(sv)".
  std::string Sig() const;
  int64_t AsInt() const { return static_cast<int64_t>(number); }

  bool operator==(const Value&) const = default;
};

// Readable form for test failures and error messages: "(s \"a\", v u 7)".
std::string Describe(const Value& value);

// True when sig is a valid sequence of complete types (the message
// signature rules: at most 255 bytes, 32 nested arrays, 32 nested structs).
bool ValidSignature(std::string_view sig);
bool ValidObjectPath(std::string_view path);

enum class MessageType : uint8_t {
  kInvalid = 0,
  kMethodCall = 1,
  kMethodReturn = 2,
  kError = 3,
  kSignal = 4
};

inline constexpr uint8_t kNoReplyExpected = 0x1;

struct Message {
  MessageType type = MessageType::kInvalid;
  uint8_t flags = 0;
  uint32_t serial = 0;
  std::string path;
  std::string interface;
  std::string member;
  std::string error_name;
  std::optional<uint32_t> reply_serial;
  std::string destination;
  std::string sender;
  // The body's signature. Marshal computes it from `body`; Unmarshal fills it.
  std::string signature;
  std::vector<Value> body;

  static Message MethodCall(std::string destination, std::string path, std::string interface,
                            std::string member, std::vector<Value> body = {});
  // An ERROR's first string argument (its human-readable text), or "".
  std::string ErrorText() const;
};

// The whole message. Fails on a missing required header field (path and
// member for calls and signals, reply serial for replies, error name for
// errors), an invalid name or path, or a serial of 0.
Result<std::string> Marshal(const Message& message);

// Parses exactly one whole message (length as given by MessageLength).
Result<Message> Unmarshal(std::string_view bytes);

// The fixed part of every message is 16 bytes; from it, the length of the
// whole message, so a stream reader knows how much to wait for. Fails on a
// bad byte order mark or protocol version, or a length over 128 MiB.
inline constexpr size_t kFixedHeaderSize = 16;
Result<size_t> MessageLength(std::string_view first16);

}  // namespace berth::cgroups::dbus
