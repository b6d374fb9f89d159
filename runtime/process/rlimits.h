// Child side: resource limits (process.rlimits).
#pragma once

#include <string_view>
#include <vector>

#include "runtime/base/error.h"
#include "spec/config.h"

namespace berth::process {

// "RLIMIT_NOFILE" -> RLIMIT_NOFILE; error naming an unknown type.
Result<int> RlimitFromName(std::string_view name);

// setrlimit for each entry, in order. Raising a hard limit needs
// CAP_SYS_RESOURCE; failures name the rlimit and the values.
Status ApplyRlimits(const std::vector<spec::Rlimit>& rlimits);

}  // namespace berth::process
