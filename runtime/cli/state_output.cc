#include "runtime/cli/state_output.h"

#include <cstdio>
#include <ctime>
#include <map>

#include "spec/json.h"

namespace berth::cli {
namespace {

void WriteState(spec::json::Writer& w, const container::ListEntry& e, const std::string& owner) {
  const spec::State& s = e.state;
  w.BeginObject();
  w.Key("ociVersion");
  w.String(s.ociVersion);
  w.Key("id");
  w.String(s.id);
  w.Key("pid");
  w.Int(s.pid);
  w.Key("status");
  // A damaged state dir is listed as "damaged" (container.h ListEntry).
  w.String(e.damaged.empty() ? spec::ContainerStatusName(s.status) : std::string_view("damaged"));
  w.Key("bundle");
  w.String(s.bundle);
  w.Key("rootfs");
  w.String(e.rootfs);
  w.Key("created");
  w.String(Rfc3339Nano(e.created_ns));
  w.Key("owner");
  w.String(owner);
  if (!s.annotations.empty()) {
    w.Key("annotations");
    w.BeginObject();
    for (const auto& [k, v] : s.annotations) {
      w.Key(k);
      w.String(v);
    }
    w.EndObject();
  }
  w.EndObject();
}

}  // namespace

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

namespace {

std::string LookUpOwnerName(const std::string& uid) {
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

}  // namespace

std::string OwnerName(const std::string& uid) {
  if (uid.empty()) return "";
  // `list` asks once per container, nearly always for the same uid: one
  // read of /etc/passwd per uid, not per container.
  static std::map<std::string, std::string> known;
  if (auto it = known.find(uid); it != known.end()) return it->second;
  return known[uid] = LookUpOwnerName(uid);
}

std::string RuncStateJson(const container::ListEntry& entry, const std::string& owner, const char* indent) {
  spec::json::Writer w(/*pretty=*/true, indent);
  WriteState(w, entry, owner);
  return w.Take();
}

std::string RuncListJson(const std::vector<container::ListEntry>& entries) {
  if (entries.empty()) return "null";
  spec::json::Writer w;
  w.BeginArray();
  for (const auto& e : entries) WriteState(w, e, OwnerName(e.owner));
  w.EndArray();
  return w.Take();
}

}  // namespace berth::cli
