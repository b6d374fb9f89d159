// Shared between the seccomp translation units; not part of the public API.
#pragma once

#include <linux/filter.h>

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/process/seccomp.h"

namespace berth::process {

std::vector<sock_filter> EnosysPrefix(const std::map<uint32_t, int>& max_nr_by_arch);
Result<SeccompFilter> CompileSeccompUncached(const spec::Seccomp& profile);

}  // namespace berth::process

namespace berth::process {

// The container process state (config-linux.md) sent to listenerPath.
std::string ContainerProcessStateJson(const spec::Seccomp& seccomp, int pid, std::string_view state_json);

}  // namespace berth::process

namespace berth::process {

// The exact text a cache entry is keyed by, and its file in cache_dir.
std::string SeccompCacheKey(const spec::Seccomp& seccomp);
std::string SeccompCachePath(const std::string& cache_dir, const std::string& key);
// The bytes of a cache file holding filter under key.
std::string EncodeSeccompCacheEntry(const std::string& key, const SeccompFilter& filter);

}  // namespace berth::process
