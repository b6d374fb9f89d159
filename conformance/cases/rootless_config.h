// The config of the rootless cases: runc's ToRootless, the transformation
// behind `spec --rootless`, applied to any config.
#pragma once

#include <sys/types.h>

#include "spec/json.h"

namespace berth::conformance {

namespace json = spec::json;

// A user namespace mapping container 0 to uid/gid (one id each), no network
// namespace, /sys an `rbind,nosuid,noexec,nodev,ro` bind, no uid=/gid= mount
// options, no linux.resources. cgroupsPath is dropped too (the template has
// none; runc fails a rootless create whose explicit path it cannot make).
json::Value ToRootless(json::Value config, uid_t uid, gid_t gid);

}  // namespace berth::conformance
