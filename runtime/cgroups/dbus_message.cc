#include "runtime/cgroups/dbus_message.h"

#include <cstring>

namespace berth::cgroups::dbus {
namespace {

constexpr size_t kMaxArrayBytes = size_t{1} << 26;    // the spec's 64 MiB
constexpr size_t kMaxMessageBytes = size_t{1} << 27;  // the spec's 128 MiB
constexpr int kMaxSignatureDepth = 32;                // arrays, and separately structs
constexpr int kMaxValueDepth = 64;                    // all containers, variants included

bool IsBasic(char c) { return std::strchr("ybnqiuxtdhsog", c) != nullptr && c != 0; }

size_t AlignmentOf(char type) {
  switch (type) {
    case 'y':
    case 'g':
    case 'v': return 1;
    case 'n':
    case 'q': return 2;
    case 'x':
    case 't':
    case 'd':
    case '(':
    case '{': return 8;
    default: return 4;  // b i u h s o a
  }
}

size_t FixedSize(char type) {
  switch (type) {
    case 'y': return 1;
    case 'n':
    case 'q': return 2;
    case 'b':
    case 'i':
    case 'u':
    case 'h': return 4;
    default: return 8;  // x t d
  }
}

// The end of the complete type starting at sig[pos], or npos when there is
// none (bad code, unbalanced parentheses, too deep, dict entry misplaced).
size_t CompleteTypeEnd(std::string_view sig, size_t pos, int arrays, int structs) {
  if (pos >= sig.size()) return std::string_view::npos;
  char c = sig[pos];
  if (IsBasic(c) || c == 'v') return pos + 1;
  if (c == 'a') {
    if (arrays + 1 > kMaxSignatureDepth) return std::string_view::npos;
    if (pos + 1 < sig.size() && sig[pos + 1] == '{') {
      // A dict entry: a basic key and one complete value, only inside an array.
      if (structs + 1 > kMaxSignatureDepth || pos + 2 >= sig.size() || !IsBasic(sig[pos + 2]))
        return std::string_view::npos;
      size_t end = CompleteTypeEnd(sig, pos + 3, arrays + 1, structs + 1);
      if (end == std::string_view::npos || end >= sig.size() || sig[end] != '}')
        return std::string_view::npos;
      return end + 1;
    }
    return CompleteTypeEnd(sig, pos + 1, arrays + 1, structs);
  }
  if (c == '(') {
    if (structs + 1 > kMaxSignatureDepth) return std::string_view::npos;
    size_t at = pos + 1;
    if (at < sig.size() && sig[at] == ')') return std::string_view::npos;  // no empty structs
    while (at < sig.size() && sig[at] != ')') {
      at = CompleteTypeEnd(sig, at, arrays, structs + 1);
      if (at == std::string_view::npos) return at;
    }
    return at < sig.size() ? at + 1 : std::string_view::npos;
  }
  return std::string_view::npos;
}

bool SingleCompleteType(std::string_view sig) {
  return !sig.empty() && CompleteTypeEnd(sig, 0, 0, 0) == sig.size();
}

bool ValidName(std::string_view name) {
  return !name.empty() && name.size() <= 255 && name.find('\0') == std::string_view::npos;
}

// ---------------------------------------------------------------- writing

class Writer {
 public:
  explicit Writer(std::string& out) : out_(out) {}

  void Align(size_t n) {
    while (out_.size() % n != 0) out_.push_back('\0');
  }
  void Fixed(uint64_t v, size_t size) {
    Align(size);
    for (size_t i = 0; i < size; ++i) out_.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  }
  void PatchU32(size_t at, uint32_t v) {
    for (size_t i = 0; i < 4; ++i) out_[at + i] = static_cast<char>((v >> (8 * i)) & 0xff);
  }
  Status Str(std::string_view s) {
    if (s.find('\0') != std::string_view::npos) return Error(EINVAL, "D-Bus string contains a NUL byte");
    if (s.size() > UINT32_MAX) return Error(EINVAL, "D-Bus string too long");
    Fixed(s.size(), 4);
    out_.append(s);
    out_.push_back('\0');
    return Ok();
  }
  Status Sig(std::string_view s) {
    if (s.size() > 255 || (!s.empty() && !ValidSignature(s)))
      return Error(EINVAL, "invalid D-Bus signature \"" + std::string(s) + "\"");
    out_.push_back(static_cast<char>(s.size()));
    out_.append(s);
    out_.push_back('\0');
    return Ok();
  }

  Status Put(const Value& v, int depth) {
    if (depth > kMaxValueDepth) return Error(EINVAL, "D-Bus value nested too deeply");
    switch (v.type) {
      case 'b':
        if (v.number > 1) return Error(EINVAL, "D-Bus boolean is neither 0 nor 1");
        [[fallthrough]];
      case 'y':
      case 'n':
      case 'q':
      case 'i':
      case 'u':
      case 'h':
      case 'x':
      case 't':
      case 'd': Fixed(v.number, FixedSize(v.type)); return Ok();
      case 's': return Str(v.text);
      case 'o':
        if (!ValidObjectPath(v.text)) return Error(EINVAL, "invalid D-Bus object path \"" + v.text + "\"");
        return Str(v.text);
      case 'g': return Sig(v.text);
      case 'v': {
        if (v.items.size() != 1) return Error(EINVAL, "D-Bus variant must hold exactly one value");
        std::string inner = v.items[0].Sig();
        if (!SingleCompleteType(inner)) return Error(EINVAL, "D-Bus variant holds an invalid value");
        BERTH_TRY(Sig(inner));
        return Put(v.items[0], depth + 1);
      }
      case 'a': {
        if (!SingleCompleteType("a" + v.element))
          return Error(EINVAL, "invalid D-Bus array element type \"" + v.element + "\"");
        Fixed(0, 4);
        size_t length_at = out_.size() - 4;
        Align(AlignmentOf(v.element[0]));  // even when empty
        size_t start = out_.size();
        for (const Value& item : v.items) {
          if (item.Sig() != v.element)
            return Error(EINVAL, "D-Bus array of " + v.element + " holds a " + item.Sig());
          BERTH_TRY(Put(item, depth + 1));
        }
        if (out_.size() - start > kMaxArrayBytes) return Error(EINVAL, "D-Bus array longer than 64 MiB");
        PatchU32(length_at, static_cast<uint32_t>(out_.size() - start));
        return Ok();
      }
      case '(':
      case '{': {
        if (v.items.empty() || (v.type == '{' && (v.items.size() != 2 || !IsBasic(v.items[0].type))))
          return Error(EINVAL, "invalid D-Bus struct or dict entry");
        Align(8);
        for (const Value& item : v.items) BERTH_TRY(Put(item, depth + 1));
        return Ok();
      }
      default: return Error(EINVAL, std::string("unknown D-Bus type code '") + v.type + "'");
    }
  }

 private:
  std::string& out_;
};

// ---------------------------------------------------------------- reading

class Reader {
 public:
  Reader(std::string_view data, size_t pos, bool big_endian) : data_(data), pos_(pos), big_(big_endian) {}

  size_t pos() const { return pos_; }

  // Padding must be zero bytes, and inside the data.
  Status Align(size_t n) {
    size_t pad = (n - pos_ % n) % n;
    if (pad > data_.size() - pos_) return Truncated();
    for (size_t i = 0; i < pad; ++i)
      if (data_[pos_ + i] != '\0') return Error(EBADMSG, "D-Bus message has non-zero padding");
    pos_ += pad;
    return Ok();
  }

  Result<uint64_t> Fixed(size_t size) {
    BERTH_TRY(Align(size));
    if (size > data_.size() - pos_) return Truncated();
    uint64_t v = 0;
    for (size_t i = 0; i < size; ++i) {
      uint64_t byte = static_cast<unsigned char>(data_[pos_ + i]);
      v |= byte << (8 * (big_ ? size - 1 - i : i));
    }
    pos_ += size;
    return v;
  }

  Result<std::string> Str() {
    uint64_t len = BERTH_TRY(Fixed(4));
    return Bytes(len);
  }

  Result<std::string> Sig() {
    uint64_t len = BERTH_TRY(Fixed(1));
    std::string s = BERTH_TRY(Bytes(len));
    if (!s.empty() && !ValidSignature(s))
      return Error(EBADMSG, "D-Bus message holds invalid signature \"" + s + "\"");
    return s;
  }

  // One complete type (sig is exactly one).
  Result<Value> Get(std::string_view sig, int depth) {
    if (depth > kMaxValueDepth) return Error(EBADMSG, "D-Bus message nested too deeply");
    Value v;
    v.type = sig[0];
    switch (v.type) {
      case 'y':
      case 'n':
      case 'q':
      case 'i':
      case 'u':
      case 'h':
      case 'x':
      case 't':
      case 'd':
      case 'b': {
        size_t size = FixedSize(v.type);
        v.number = BERTH_TRY(Fixed(size));
        if (v.type == 'b' && v.number > 1) return Error(EBADMSG, "D-Bus boolean is neither 0 nor 1");
        // n i x are kept sign-extended, as the constructors store them.
        if ((v.type == 'n' || v.type == 'i') && (v.number >> (8 * size - 1)) != 0)
          v.number |= ~uint64_t{0} << (8 * size);
        return v;
      }
      case 's': v.text = BERTH_TRY(Str()); return v;
      case 'o':
        v.text = BERTH_TRY(Str());
        if (!ValidObjectPath(v.text)) return Error(EBADMSG, "invalid D-Bus object path \"" + v.text + "\"");
        return v;
      case 'g': v.text = BERTH_TRY(Sig()); return v;
      case 'v': {
        std::string inner = BERTH_TRY(Sig());
        if (!SingleCompleteType(inner))
          return Error(EBADMSG, "D-Bus variant signature \"" + inner + "\" is not one type");
        v.items.push_back(BERTH_TRY(Get(inner, depth + 1)));
        return v;
      }
      case 'a': {
        v.element = std::string(sig.substr(1));
        uint64_t len = BERTH_TRY(Fixed(4));
        if (len > kMaxArrayBytes) return Error(EBADMSG, "D-Bus array longer than 64 MiB");
        BERTH_TRY(Align(AlignmentOf(v.element[0])));
        if (len > data_.size() - pos_) return Truncated();
        size_t end = pos_ + len;
        while (pos_ < end) {
          v.items.push_back(BERTH_TRY(Get(v.element, depth + 1)));
          if (pos_ > end) return Error(EBADMSG, "D-Bus array element runs past the array's length");
        }
        return v;
      }
      case '(':
      case '{': {
        BERTH_TRY(Align(8));
        size_t at = 1;
        while (at < sig.size() - 1) {
          size_t end = CompleteTypeEnd(sig, at, 0, 0);
          v.items.push_back(BERTH_TRY(Get(sig.substr(at, end - at), depth + 1)));
          at = end;
        }
        return v;
      }
      default: return Error(EBADMSG, std::string("unknown D-Bus type code '") + v.type + "'");
    }
  }

  // Every complete type of sig, in order.
  Result<std::vector<Value>> GetAll(std::string_view sig) {
    std::vector<Value> out;
    size_t at = 0;
    while (at < sig.size()) {
      size_t end = CompleteTypeEnd(sig, at, 0, 0);
      out.push_back(BERTH_TRY(Get(sig.substr(at, end - at), 0)));
      at = end;
    }
    return out;
  }

 private:
  static Error Truncated() { return Error(EBADMSG, "D-Bus message truncated"); }

  // len bytes and the terminating NUL, with no NUL inside.
  Result<std::string> Bytes(uint64_t len) {
    if (len >= data_.size() - pos_) return Truncated();
    std::string_view s = data_.substr(pos_, len);
    if (data_[pos_ + len] != '\0') return Error(EBADMSG, "D-Bus string not NUL-terminated");
    if (s.find('\0') != std::string_view::npos) return Error(EBADMSG, "D-Bus string contains a NUL byte");
    pos_ += len + 1;
    return std::string(s);
  }

  std::string_view data_;
  size_t pos_;
  bool big_;
};

enum HeaderField : uint8_t {
  kPath = 1,
  kInterface = 2,
  kMember = 3,
  kErrorName = 4,
  kReplySerial = 5,
  kDestination = 6,
  kSender = 7,
  kSignature = 8,
  kUnixFds = 9,
};

char HeaderFieldType(uint8_t code) {
  switch (code) {
    case kPath: return 'o';
    case kReplySerial:
    case kUnixFds: return 'u';
    case kSignature: return 'g';
    default: return 's';
  }
}

Value Field(uint8_t code, Value v) {
  return Value::Struct({Value::Byte(code), Value::Variant(std::move(v))});
}

Status CheckRequiredFields(const Message& m) {
  switch (m.type) {
    case MessageType::kMethodCall:
    case MessageType::kSignal:
      if (m.path.empty() || m.member.empty())
        return Error(EBADMSG, "D-Bus call or signal without path or member");
      if (m.type == MessageType::kSignal && m.interface.empty())
        return Error(EBADMSG, "D-Bus signal without interface");
      return Ok();
    case MessageType::kError:
      if (m.error_name.empty()) return Error(EBADMSG, "D-Bus error without error name");
      [[fallthrough]];
    case MessageType::kMethodReturn:
      if (!m.reply_serial) return Error(EBADMSG, "D-Bus reply without reply serial");
      return Ok();
    default: return Error(EBADMSG, "unknown D-Bus message type " + std::to_string(static_cast<int>(m.type)));
  }
}

}  // namespace

Value Value::Byte(uint8_t v) { return Value{'y', v, {}, {}, {}}; }
Value Value::Bool(bool v) { return Value{'b', v ? 1u : 0u, {}, {}, {}}; }
Value Value::Int16(int16_t v) {
  return Value{'n', static_cast<uint64_t>(static_cast<int64_t>(v)), {}, {}, {}};
}
Value Value::Uint16(uint16_t v) { return Value{'q', v, {}, {}, {}}; }
Value Value::Int32(int32_t v) {
  return Value{'i', static_cast<uint64_t>(static_cast<int64_t>(v)), {}, {}, {}};
}
Value Value::Uint32(uint32_t v) { return Value{'u', v, {}, {}, {}}; }
Value Value::Int64(int64_t v) { return Value{'x', static_cast<uint64_t>(v), {}, {}, {}}; }
Value Value::Uint64(uint64_t v) { return Value{'t', v, {}, {}, {}}; }
Value Value::String(std::string v) { return Value{'s', 0, std::move(v), {}, {}}; }
Value Value::ObjectPath(std::string v) { return Value{'o', 0, std::move(v), {}, {}}; }
Value Value::Signature(std::string v) { return Value{'g', 0, std::move(v), {}, {}}; }
Value Value::Array(std::string element, std::vector<Value> items) {
  return Value{'a', 0, {}, std::move(element), std::move(items)};
}
Value Value::Struct(std::vector<Value> fields) { return Value{'(', 0, {}, {}, std::move(fields)}; }
Value Value::DictEntry(Value key, Value value) {
  return Value{'{', 0, {}, {}, {std::move(key), std::move(value)}};
}
Value Value::Variant(Value inner) { return Value{'v', 0, {}, {}, {std::move(inner)}}; }

std::string Value::Sig() const {
  switch (type) {
    case 'a': return "a" + element;
    case '(':
    case '{': {
      std::string s(1, type);
      for (const Value& item : items) s += item.Sig();
      return s + (type == '(' ? ")" : "}");
    }
    default: return std::string(1, type);
  }
}

std::string Describe(const Value& v) {
  switch (v.type) {
    case 's':
    case 'o':
    case 'g': return std::string(1, v.type) + " \"" + v.text + "\"";
    case 'n':
    case 'i':
    case 'x': return std::string(1, v.type) + " " + std::to_string(v.AsInt());
    case 'a':
    case '(':
    case '{':
    case 'v': {
      std::string s = v.type == 'a' ? "a" + v.element + " [" : v.type == 'v' ? "v " : std::string(1, v.type);
      for (size_t i = 0; i < v.items.size(); ++i) s += (i ? ", " : "") + Describe(v.items[i]);
      return s + (v.type == 'a' ? "]" : v.type == '(' ? ")" : v.type == '{' ? "}" : "");
    }
    default: return std::string(1, v.type) + " " + std::to_string(v.number);
  }
}

bool ValidSignature(std::string_view sig) {
  if (sig.size() > 255) return false;
  size_t at = 0;
  while (at < sig.size()) {
    at = CompleteTypeEnd(sig, at, 0, 0);
    if (at == std::string_view::npos) return false;
  }
  return true;
}

bool ValidObjectPath(std::string_view path) {
  if (path.empty() || path[0] != '/') return false;
  if (path.size() == 1) return true;
  if (path.back() == '/') return false;
  char prev = 0;
  for (char c : path) {
    bool ok =
        (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '/';
    if (!ok || (c == '/' && prev == '/')) return false;
    prev = c;
  }
  return true;
}

Message Message::MethodCall(std::string destination, std::string path, std::string interface,
                            std::string member, std::vector<Value> body) {
  Message m;
  m.type = MessageType::kMethodCall;
  m.destination = std::move(destination);
  m.path = std::move(path);
  m.interface = std::move(interface);
  m.member = std::move(member);
  m.body = std::move(body);
  return m;
}

std::string Message::ErrorText() const {
  if (!body.empty() && body[0].type == 's') return body[0].text;
  return "";
}

Result<std::string> Marshal(const Message& m) {
  BERTH_TRY(CheckRequiredFields(m));
  if (m.serial == 0) return Error(EINVAL, "D-Bus message serial must not be 0");
  std::string signature;
  for (const Value& v : m.body) signature += v.Sig();
  if (!ValidSignature(signature)) return Error(EINVAL, "D-Bus message body signature too long or invalid");
  std::vector<Value> fields;
  if (!m.path.empty()) fields.push_back(Field(kPath, Value::ObjectPath(m.path)));
  auto add_name = [&fields](uint8_t code, const std::string& name) -> Status {
    if (name.empty()) return Ok();
    if (!ValidName(name)) return Error(EINVAL, "invalid D-Bus name \"" + name + "\"");
    fields.push_back(Field(code, Value::String(name)));
    return Ok();
  };
  BERTH_TRY(add_name(kInterface, m.interface));
  BERTH_TRY(add_name(kMember, m.member));
  BERTH_TRY(add_name(kErrorName, m.error_name));
  if (m.reply_serial) fields.push_back(Field(kReplySerial, Value::Uint32(*m.reply_serial)));
  BERTH_TRY(add_name(kDestination, m.destination));
  BERTH_TRY(add_name(kSender, m.sender));
  if (!signature.empty()) fields.push_back(Field(kSignature, Value::Signature(signature)));

  std::string out;
  Writer w(out);
  w.Fixed('l', 1);
  w.Fixed(static_cast<uint8_t>(m.type), 1);
  w.Fixed(m.flags, 1);
  w.Fixed(1, 1);  // protocol version
  w.Fixed(0, 4);  // body length, patched below
  w.Fixed(m.serial, 4);
  BERTH_TRY(w.Put(Value::Array("(yv)", std::move(fields)), 0));
  w.Align(8);
  size_t body_start = out.size();
  for (const Value& v : m.body) BERTH_TRY_CTX(w.Put(v, 0), "D-Bus " + m.member + " body");
  if (out.size() > kMaxMessageBytes) return Error(EINVAL, "D-Bus message longer than 128 MiB");
  w.PatchU32(4, static_cast<uint32_t>(out.size() - body_start));
  return out;
}

Result<size_t> MessageLength(std::string_view first16) {
  if (first16.size() < kFixedHeaderSize) return Error(EBADMSG, "D-Bus message truncated");
  char order = first16[0];
  if (order != 'l' && order != 'B') return Error(EBADMSG, "D-Bus message has a bad byte order mark");
  if (first16[3] != 1)
    return Error(EBADMSG, "D-Bus message has protocol version " + std::to_string(first16[3]));
  Reader r(first16, 4, order == 'B');
  uint64_t body = BERTH_TRY(r.Fixed(4));
  BERTH_TRY(r.Fixed(4));
  uint64_t fields = BERTH_TRY(r.Fixed(4));
  if (fields > kMaxArrayBytes || body > kMaxMessageBytes) return Error(EBADMSG, "D-Bus message too long");
  uint64_t header = kFixedHeaderSize + fields;
  header += (8 - header % 8) % 8;
  if (header + body > kMaxMessageBytes) return Error(EBADMSG, "D-Bus message too long");
  return static_cast<size_t>(header + body);
}

Result<Message> Unmarshal(std::string_view bytes) {
  size_t total = BERTH_TRY(MessageLength(bytes));
  if (total != bytes.size())
    return Error(EBADMSG, "D-Bus message is " + std::to_string(bytes.size()) + " bytes, its header says " +
                              std::to_string(total));
  Reader r(bytes, 1, bytes[0] == 'B');
  Message m;
  m.type = static_cast<MessageType>(BERTH_TRY(r.Fixed(1)));
  m.flags = static_cast<uint8_t>(BERTH_TRY(r.Fixed(1)));
  BERTH_TRY(r.Fixed(1));
  uint64_t body_length = BERTH_TRY(r.Fixed(4));
  m.serial = static_cast<uint32_t>(BERTH_TRY(r.Fixed(4)));
  if (m.serial == 0) return Error(EBADMSG, "D-Bus message with serial 0");
  Value fields = BERTH_TRY(r.Get("a(yv)", 0));
  BERTH_TRY(r.Align(8));
  if (r.pos() + body_length != bytes.size()) return Error(EBADMSG, "D-Bus message header length mismatch");
  for (const Value& field : fields.items) {
    uint8_t code = static_cast<uint8_t>(field.items[0].number);
    const Value& v = field.items[1].items[0];
    if (code < kPath || code > kUnixFds) continue;  // unknown fields are ignored, per the spec
    if (v.type != HeaderFieldType(code))
      return Error(EBADMSG, "D-Bus header field " + std::to_string(code) + " has type " + v.Sig());
    switch (code) {
      case kPath: m.path = v.text; break;
      case kInterface: m.interface = v.text; break;
      case kMember: m.member = v.text; break;
      case kErrorName: m.error_name = v.text; break;
      case kReplySerial: m.reply_serial = static_cast<uint32_t>(v.number); break;
      case kDestination: m.destination = v.text; break;
      case kSender: m.sender = v.text; break;
      case kSignature: m.signature = v.text; break;
      default: break;
    }
  }
  BERTH_TRY(CheckRequiredFields(m));
  Reader body(bytes.substr(r.pos()), 0, bytes[0] == 'B');
  m.body = BERTH_TRY_CTX(body.GetAll(m.signature), "D-Bus message body");
  if (body.pos() != body_length) return Error(EBADMSG, "D-Bus message body longer than its signature says");
  return m;
}

}  // namespace berth::cgroups::dbus
