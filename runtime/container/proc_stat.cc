#include "runtime/container/proc_stat.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <string>
#include <vector>

namespace berth::container {

Result<ProcStat> ParseProcStat(std::string_view text) {
  size_t close_paren = text.rfind(')');
  if (close_paren == std::string_view::npos) return Error(EINVAL, "malformed /proc stat");
  std::string_view rest = text.substr(close_paren + 1);
  std::vector<std::string_view> fields;  // fields[0] is field 3 (state)
  size_t i = 0;
  while (i < rest.size()) {
    while (i < rest.size() && rest[i] == ' ') ++i;
    size_t start = i;
    while (i < rest.size() && rest[i] != ' ' && rest[i] != '\n') ++i;
    if (i > start) fields.push_back(rest.substr(start, i - start));
    if (i < rest.size() && rest[i] == '\n') break;
  }
  if (fields.size() < 20) return Error(EINVAL, "malformed /proc stat: too few fields");
  ProcStat stat;
  stat.state = fields[0].empty() ? '?' : fields[0][0];
  auto parse = [](std::string_view s, auto& out) {
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
  };
  if (!parse(fields[1], stat.ppid) || !parse(fields[19], stat.start_time))
    return Error(EINVAL, "malformed /proc stat: bad number");
  return stat;
}

Result<ProcStat> ReadProcStat(pid_t pid) {
  std::string path = "/proc/" + std::to_string(pid) + "/stat";
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Error::Sys("open " + path);
  char buf[1024];
  ssize_t n = read(fd, buf, sizeof buf - 1);
  int saved = errno;
  close(fd);
  if (n < 0) return Error(saved, "read " + path);
  return ParseProcStat(std::string_view(buf, n));
}

bool InitIsAlive(pid_t pid, uint64_t start_time) {
  if (pid <= 0) return false;
  auto stat = ReadProcStat(pid);
  if (!stat) return false;
  if (stat->start_time != start_time) return false;
  return stat->state != 'Z' && stat->state != 'X' && stat->state != 'x';
}

}  // namespace berth::container
