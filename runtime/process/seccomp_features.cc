#include "runtime/process/seccomp_features.h"
#include "runtime/base/syscalls.h"

#include <linux/seccomp.h>
#include <seccomp.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>

#include "spec/names.h"

namespace berth::process {

std::vector<std::string> SupportedSeccompArchitectures() {
  std::vector<std::string> out;
  for (std::string_view name : spec::names::kSeccompArchitectures) {
    std::string lower(name.substr(sizeof("SCMP_ARCH_") - 1));
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (seccomp_arch_resolve_name(lower.c_str()) != 0) out.emplace_back(name);
  }
  return out;
}

std::vector<std::string> SupportedSeccompFlags() {
  struct Probe {
    std::string_view name;
    unsigned long flags;  // what to pass: some flags are only valid in company
  };
  static constexpr Probe kProbes[] = {
      {"SECCOMP_FILTER_FLAG_TSYNC", SECCOMP_FILTER_FLAG_TSYNC},
      {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
      {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
      {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV",
       SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
  };
  std::vector<std::string> out;
  for (const auto& probe : kProbes) {
    // A null program never installs anything: the kernel validates the
    // flags first (EINVAL) and only then copies the program (EFAULT).
    long rc = sys::Seccomp(SECCOMP_SET_MODE_FILTER, probe.flags, nullptr);
    if (rc < 0 && errno == EFAULT) out.emplace_back(probe.name);
  }
  return out;
}

}  // namespace berth::process
