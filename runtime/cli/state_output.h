// How `state` and `list` show a container: runc's JSON (the OCI state plus
// rootfs, created, owner) and its time and owner formats, so engines that
// parse runc's output read berth's unchanged.
#pragma once

#include <cstdint>
#include <string>

#include "runtime/container/container.h"

namespace berth::cli {

// Go's time.RFC3339Nano in UTC: fraction without trailing zeros.
std::string Rfc3339Nano(int64_t ns);

// The user name of `uid` from /etc/passwd ("#uid" when absent), as runc
// shows it; read directly since NSS is unavailable in a static binary.
std::string OwnerName(const std::string& uid);

// One container as runc's containerState: pid always present (0 when
// stopped), annotations only when set. `state` passes indent "  " (runc's
// json.MarshalIndent) and an empty owner (runc leaves it unset there).
std::string RuncStateJson(const container::ListEntry& entry, const std::string& owner, const char* indent);

// `list --format json`: an array of the above on one line, "null" when empty.
std::string RuncListJson(const std::vector<container::ListEntry>& entries);

}  // namespace berth::cli
