#include "runtime/log/log.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

namespace berth::log {
namespace {

struct Sink {
  int fd = STDERR_FILENO;
  bool to_file = false;
  Format format = Format::text;
  Level min_level = Level::info;
};

Sink& TheSink() {
  static Sink sink;
  return sink;
}

// logrus quotes a text value unless every byte is in [A-Za-z0-9-._/@^+].
bool NeedsQuoting(std::string_view s) {
  if (s.empty()) return true;
  for (unsigned char c : s) {
    bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
                 c == '.' || c == '_' || c == '/' || c == '@' || c == '^' || c == '+';
    if (!plain) return true;
  }
  return false;
}

// Go's strconv.Quote for the bytes we produce (ASCII controls escaped).
std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

// encoding/json escaping, including its HTML-safe \u003c \u003e \u0026.
std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (c < 0x20 || c == '<' || c == '>' || c == '&') {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

}  // namespace

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::debug: return "debug";
    case Level::info: return "info";
    case Level::warning: return "warning";
    case Level::error: return "error";
  }
  return "error";
}

Result<Format> ParseFormat(std::string_view name) {
  if (name == "text") return Format::text;
  if (name == "json") return Format::json;
  return Error(EINVAL, "unknown log-format \"" + std::string(name) + "\"");
}

std::string FormatTime(std::time_t t) {
  struct tm tm_utc;
  gmtime_r(&t, &tm_utc);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm_utc);
  return buf;
}

std::string FormatLine(Format format, Level level, std::string_view msg, std::time_t t) {
  std::string time = FormatTime(t);
  if (format == Format::json) {
    return "{\"level\":" + JsonString(LevelName(level)) + ",\"msg\":" + JsonString(msg) +
           ",\"time\":" + JsonString(time) + "}";
  }
  std::string m = NeedsQuoting(msg) ? GoQuote(msg) : std::string(msg);
  return "time=" + GoQuote(time) + " level=" + std::string(LevelName(level)) + " msg=" + m;
}

Status Configure(const std::string& path, Format format, bool debug) {
  Sink& sink = TheSink();
  sink.format = format;
  sink.min_level = debug ? Level::debug : Level::info;
  if (path.empty()) return Ok();
  int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return Error::Sys("open log file " + path);
  if (sink.to_file) close(sink.fd);
  sink.fd = fd;
  sink.to_file = true;
  return Ok();
}

bool LogsToFile() { return TheSink().to_file; }

bool DebugEnabled() { return TheSink().min_level == Level::debug; }

void Write(Level level, std::string_view msg) {
  Sink& sink = TheSink();
  if (static_cast<int>(level) < static_cast<int>(sink.min_level)) return;
  std::string line = FormatLine(sink.format, level, msg, std::time(nullptr)) + "\n";
  // One write(2) per line so concurrent writers never interleave within a line.
  ssize_t n = ::write(sink.fd, line.data(), line.size());
  (void)n;
}

}  // namespace berth::log
