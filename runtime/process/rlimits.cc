#include "runtime/process/rlimits.h"

#include <sys/resource.h>

#include <array>
#include <string>
#include <utility>

namespace berth::process {
namespace {

constexpr std::array<std::pair<std::string_view, int>, 16> kRlimits = {{
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
}};

std::string Describe(const spec::Rlimit& r) {
  return r.type + " (soft " + std::to_string(r.soft) + ", hard " + std::to_string(r.hard) + ")";
}

}  // namespace

Result<int> RlimitFromName(std::string_view name) {
  for (const auto& [n, v] : kRlimits)
    if (n == name) return v;
  return Error(EINVAL, "unknown rlimit type \"" + std::string(name) + "\"");
}

Status ApplyRlimits(const std::vector<spec::Rlimit>& rlimits) {
  for (const auto& r : rlimits) {
    int resource = BERTH_TRY(RlimitFromName(r.type));
    if (r.soft > r.hard) return Error(EINVAL, "setrlimit " + Describe(r) + ": soft limit exceeds hard limit");
    struct rlimit value;
    value.rlim_cur = static_cast<rlim_t>(r.soft);
    value.rlim_max = static_cast<rlim_t>(r.hard);
    if (setrlimit(static_cast<__rlimit_resource>(resource), &value) != 0) {
      Error err = Error::Sys("setrlimit " + Describe(r));
      if (err.code() == EPERM)
        return Error(EPERM, "setrlimit " + Describe(r) + ": raising a hard limit needs CAP_SYS_RESOURCE");
      return err;
    }
  }
  return Ok();
}

}  // namespace berth::process
