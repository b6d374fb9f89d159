// Child side: become the configured user (process.user).
#pragma once

#include "runtime/base/error.h"
#include "spec/config.h"

namespace berth::process {

// setgroups(additionalGids), setresgid(gid), setresuid(uid) with
// PR_SET_KEEPCAPS set so the permitted capabilities survive the uid change
// (ApplyCapabilities then sets the final sets), then umask if configured.
// When setgroups is denied in this user namespace (/proc/self/setgroups is
// "deny") and no additional gids are asked for, setgroups is skipped.
Status SetUser(const spec::User& user);

}  // namespace berth::process
