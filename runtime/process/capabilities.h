// Child side: the process's capability sets (process.capabilities).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/error.h"
#include "spec/config.h"

namespace berth::process {

// "CAP_KILL" -> 5. Upper-case "CAP_" names as in the spec. Error (naming it)
// for a name neither berth nor libcap knows.
Result<int> CapabilityFromName(std::string_view name);

// The highest capability number the running kernel supports (probed with
// prctl, the same value as /proc/sys/kernel/cap_last_cap).
int LastCapability();

// Bitmask of the named capabilities; names the running kernel does not
// support are left out (and listed in *unsupported when given).
Result<uint64_t> CapabilityMask(const std::vector<std::string>& names,
                                std::vector<std::string>* unsupported = nullptr);

// Applies the configured sets, called after SetUser:
//   1. drop from the bounding set every capability not listed in bounding;
//   2. set effective/permitted/inheritable exactly to the lists (capset);
//   3. clear ambient, then raise each listed ambient capability.
// Nothing that is not listed is ever added (CVE-2022-29162). With no
// capabilities object every set is emptied. Names the kernel lacks are
// ignored in bounding/inheritable/ambient (as runc); in effective/permitted
// a capability the process cannot hold is an error naming it.
Status ApplyCapabilities(const std::optional<spec::Capabilities>& caps);

// The effective/permitted/inheritable sets of one capset(2).
struct CapabilitySets {
  uint64_t effective = 0;
  uint64_t permitted = 0;
  uint64_t inheritable = 0;
};

// ApplyCapabilities, but the held capabilities in `retain` stay in effective
// and permitted on top of the configured sets (seccomp without no_new_privs
// needs CAP_SYS_ADMIN after the user change). Returns the configured sets
// when something was retained, for SetCapabilitySets at the very end; nullopt
// when the configured sets already hold all of `retain` (or it is 0).
Result<std::optional<CapabilitySets>> ApplyCapabilitiesRetaining(
    const std::optional<spec::Capabilities>& caps, uint64_t retain);

// Exactly `sets`, with one capset(2) and no allocation (safe after a seccomp
// filter that allows capset).
Status SetCapabilitySets(const CapabilitySets& sets);

}  // namespace berth::process
