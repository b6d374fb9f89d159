// A large seccomp profile shaped like Docker's default (deny by default, an
// allow-list of every syscall but the dangerous ones, a few argument rules,
// three x86 architectures), for tests and the compile benchmark.
#pragma once

#include "spec/config.h"

namespace berth::testing {

spec::Seccomp DockerLikeProfile();

}  // namespace berth::testing
