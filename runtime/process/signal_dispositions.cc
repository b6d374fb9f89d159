#include "runtime/process/signal_dispositions.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <string>

namespace berth::process {

std::optional<uint64_t> ParseStatusSignalMask(std::string_view status, std::string_view field) {
  size_t at = 0;
  while (at < status.size()) {
    size_t end = status.find('\n', at);
    if (end == std::string_view::npos) end = status.size();
    std::string_view line = status.substr(at, end - at);
    at = end + 1;
    if (line.size() <= field.size() || line.substr(0, field.size()) != field || line[field.size()] != ':')
      continue;
    std::string_view hex = line.substr(field.size() + 1);
    while (!hex.empty() && (hex.front() == ' ' || hex.front() == '\t')) hex.remove_prefix(1);
    if (hex.empty() || hex.size() > 16) return std::nullopt;
    uint64_t mask = 0;
    for (char c : hex) {
      int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
      if (digit < 0) return std::nullopt;
      mask = mask << 4 | static_cast<uint64_t>(digit);
    }
    return mask;
  }
  return std::nullopt;
}

uint64_t ChangedSignalDispositions() {
  uint64_t changed = ~uint64_t{0};
  // Small and fixed-size: one read holds it (about 1.5 KB).
  char buf[4096];
  int fd = open("/proc/self/status", O_RDONLY | O_CLOEXEC);
  if (fd >= 0) {
    ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    if (n > 0) {
      std::string_view status(buf, static_cast<size_t>(n));
      auto ignored = ParseStatusSignalMask(status, "SigIgn");
      auto caught = ParseStatusSignalMask(status, "SigCgt");
      if (ignored && caught) changed = *ignored | *caught;
    }
  }
  return changed;
}

void ResetSignalDispositions(uint64_t changed) {
  for (int sig = 1; sig < NSIG && sig <= 64; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    if (changed & (uint64_t{1} << (sig - 1))) signal(sig, SIG_DFL);
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

}  // namespace berth::process
