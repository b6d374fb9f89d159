// What the runtime-spec demands of a config.json before `create`, beyond its
// JSON shape (which ParseConfig checks). Every violation is reported, each as
// "json.path: problem", e.g. "process.cwd: must be an absolute path".
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runtime/base/error.h"
#include "spec/config.h"

namespace berth::spec {

// Every violation, in document order; empty when the config is valid.
std::vector<std::string> Validate(const Config& config);

// Validate() joined into one error ("invalid config: a; b; c").
Status ValidateForCreate(const Config& config);

// SemVer 2.0.0 (https://semver.org): MAJOR.MINOR.PATCH[-pre][+build].
bool IsSemVer(std::string_view version);

// A mount destination as an absolute path: relative destinations are
// deprecated but allowed on Linux, "interpreted as relative to /" (config.md).
std::string AbsoluteMountDestination(const Mount& mount);

}  // namespace berth::spec
