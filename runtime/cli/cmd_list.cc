// `berth list`: runc's table (tabwriter, min width 12, padding 3) or JSON.
#include <algorithm>

#include <cstdio>
#include <ctime>

#include "runtime/cli/commands.h"

namespace berth::cli {
namespace {

std::string JsonQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

// Go's time.RFC3339Nano in UTC: fraction without trailing zeros.
std::string Rfc3339Nano(int64_t ns) {
  std::time_t secs = ns / 1000000000;
  long frac = ns % 1000000000;
  struct tm tm_utc;
  gmtime_r(&secs, &tm_utc);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm_utc);
  std::string out = buf;
  if (frac) {
    char f[16];
    std::snprintf(f, sizeof f, ".%09ld", frac);
    std::string fs = f;
    while (fs.back() == '0') fs.pop_back();
    out += fs;
  }
  return out + "Z";
}

// The user name of `uid` from /etc/passwd ("#uid" when absent), as runc
// shows it; read directly since NSS is unavailable in a static binary.
std::string OwnerName(const std::string& uid) {
  if (uid.empty()) return "";
  FILE* f = std::fopen("/etc/passwd", "re");
  if (f) {
    char line[1024];
    while (std::fgets(line, sizeof line, f)) {
      std::string entry = line;
      size_t name_end = entry.find(':');
      size_t pass_end = entry.find(':', name_end + 1);
      size_t uid_end = entry.find(':', pass_end + 1);
      if (uid_end == std::string::npos) continue;
      if (entry.substr(pass_end + 1, uid_end - pass_end - 1) == uid) {
        std::fclose(f);
        return entry.substr(0, name_end);
      }
    }
    std::fclose(f);
  }
  return "#" + uid;
}

std::string Table(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) {
      if (widths.size() <= i) widths.push_back(12);
      widths[i] = std::max(widths[i], row[i].size() + 3);
    }
  std::string out;
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      out += row[i];
      if (i + 1 < row.size()) out += std::string(widths[i] - row[i].size(), ' ');
    }
    out += "\n";
  }
  return out;
}

Result<int> RunList(const GlobalOptions& global, const ParsedFlags& flags) {
  std::vector<container::ListEntry> entries = BERTH_TRY(container::List(global.runtime));
  std::string format = flags.Get("format", "table");
  std::string out;
  if (flags.Bool("quiet")) {
    for (const auto& e : entries) out += e.state.id + "\n";
  } else if (format == "table") {
    std::vector<std::vector<std::string>> rows = {{"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"}};
    for (const auto& e : entries) {
      rows.push_back({e.state.id, std::to_string(e.state.pid),
                      std::string(spec::ContainerStatusName(e.state.status)), e.state.bundle,
                      Rfc3339Nano(e.created_ns), OwnerName(e.owner)});
    }
    out = Table(rows);
  } else if (format == "json") {
    if (entries.empty()) {
      out = "null\n";
    } else {
      out = "[";
      for (size_t i = 0; i < entries.size(); ++i) {
        const auto& s = entries[i].state;
        out += i ? "," : "";
        out += "{\"ociVersion\":" + JsonQuote(s.ociVersion) + ",\"id\":" + JsonQuote(s.id) +
               ",\"pid\":" + std::to_string(s.pid) +
               ",\"status\":" + JsonQuote(spec::ContainerStatusName(s.status)) +
               ",\"bundle\":" + JsonQuote(s.bundle) +
               ",\"created\":" + JsonQuote(Rfc3339Nano(entries[i].created_ns)) +
               ",\"owner\":" + JsonQuote(OwnerName(entries[i].owner));
        if (!s.annotations.empty()) {
          out += ",\"annotations\":{";
          bool first = true;
          for (const auto& [k, v] : s.annotations) {
            out += (first ? "" : ",") + JsonQuote(k) + ":" + JsonQuote(v);
            first = false;
          }
          out += "}";
        }
        out += "}";
      }
      out += "]\n";
    }
  } else {
    return Error(EINVAL, "invalid format option");
  }
  fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace

Command ListCommand() {
  return {"list",
          "lists containers started by berth with the given root",
          "",
          {{{"format", "f"}, true, "select one of: table or json", "table"},
           {{"quiet", "q"}, false, "display only container IDs"}},
          RunList,
          0,
          0};
}

}  // namespace berth::cli
