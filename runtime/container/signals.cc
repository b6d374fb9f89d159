#include "runtime/container/signals.h"

#include <signal.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>

namespace berth::container {
namespace {

struct NamedSignal {
  std::string_view name;  // without "SIG"
  int number;
};

constexpr NamedSignal kSignals[] = {
    {"ABRT", SIGABRT},     {"ALRM", SIGALRM},   {"BUS", SIGBUS},   {"CHLD", SIGCHLD}, {"CLD", SIGCHLD},
    {"CONT", SIGCONT},     {"FPE", SIGFPE},     {"HUP", SIGHUP},   {"ILL", SIGILL},   {"INT", SIGINT},
    {"IO", SIGIO},         {"IOT", SIGIOT},     {"KILL", SIGKILL}, {"PIPE", SIGPIPE}, {"POLL", SIGPOLL},
    {"PROF", SIGPROF},     {"PWR", SIGPWR},     {"QUIT", SIGQUIT}, {"SEGV", SIGSEGV}, {"STKFLT", SIGSTKFLT},
    {"STOP", SIGSTOP},     {"SYS", SIGSYS},     {"TERM", SIGTERM}, {"TRAP", SIGTRAP}, {"TSTP", SIGTSTP},
    {"TTIN", SIGTTIN},     {"TTOU", SIGTTOU},   {"URG", SIGURG},   {"USR1", SIGUSR1}, {"USR2", SIGUSR2},
    {"VTALRM", SIGVTALRM}, {"WINCH", SIGWINCH}, {"XCPU", SIGXCPU}, {"XFSZ", SIGXFSZ},
};

std::optional<int> ParseInt(std::string_view s) {
  int v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// "RTMIN", "RTMIN+N", "RTMAX", "RTMAX-N".
std::optional<int> ParseRealtime(std::string_view name) {
  auto offset = [](std::string_view rest, char sign) -> std::optional<int> {
    if (rest.empty()) return 0;
    if (rest[0] != sign) return std::nullopt;
    return ParseInt(rest.substr(1));
  };
  if (name.starts_with("RTMIN")) {
    auto n = offset(name.substr(5), '+');
    if (!n) return std::nullopt;
    return SIGRTMIN + *n;
  }
  if (name.starts_with("RTMAX")) {
    auto n = offset(name.substr(5), '-');
    if (!n) return std::nullopt;
    return SIGRTMAX - *n;
  }
  return std::nullopt;
}

}  // namespace

Result<int> ParseSignal(std::string_view text) {
  std::string upper(text);
  std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
  std::optional<int> number = ParseInt(upper);
  if (!number) {
    std::string_view name = upper;
    if (name.starts_with("SIG")) name.remove_prefix(3);
    for (const auto& s : kSignals)
      if (s.name == name) number = s.number;
    if (!number) number = ParseRealtime(name);
  }
  if (!number || *number < 1 || *number > SIGRTMAX)
    return Error(EINVAL, "unknown signal \"" + std::string(text) + "\"");
  return *number;
}

std::string SignalName(int signal) {
  for (const auto& s : kSignals)
    if (s.number == signal) return "SIG" + std::string(s.name);
  return "";
}

}  // namespace berth::container
