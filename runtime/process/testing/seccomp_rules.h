// Test helpers: one syscall rule and one argument condition of a seccomp
// profile, built from the spec's strings as a config.json would give them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "spec/config.h"

namespace berth::testing {

inline spec::SeccompSyscall Rule(std::vector<std::string> names, std::string action,
                                 std::vector<spec::SeccompArg> args = {},
                                 std::optional<uint32_t> errno_ret = std::nullopt) {
  spec::SeccompSyscall s;
  s.names = std::move(names);
  s.action = std::move(action);
  s.args = std::move(args);
  s.errnoRet = errno_ret;
  return s;
}

inline spec::SeccompArg Arg(uint32_t index, uint64_t value, std::string op, uint64_t two = 0) {
  spec::SeccompArg a;
  a.index = index;
  a.value = value;
  a.valueTwo = two;
  a.op = std::move(op);
  return a;
}

}  // namespace berth::testing
