// The device program's verdicts, run through a small interpreter of the
// instructions it uses (the kernel's verifier is exercised by the host test).
#include <gtest/gtest.h>

#include "runtime/cgroups/device_filter.h"
#include "runtime/cgroups/device_rules.h"
#include "runtime/cgroups/testing/fake_tree.h"

namespace berth::cgroups {
namespace {

using testing::RunDeviceProgram;

spec::DeviceCgroupRule Rule(bool allow, std::string type, std::optional<int64_t> major,
                            std::optional<int64_t> minor, std::string access) {
  spec::DeviceCgroupRule r;
  r.allow = allow;
  r.type = std::move(type);
  r.major = major;
  r.minor = minor;
  r.access = std::move(access);
  return r;
}

std::vector<bpf_insn> Compile(const std::vector<spec::DeviceCgroupRule>& config) {
  auto rules = EffectiveDeviceRules(config);
  EXPECT_TRUE(rules.ok());
  return CompileDeviceFilter(*rules);
}

TEST(DeviceFilter, DefaultAllowsOnlyTheImplicitList) {
  auto prog = Compile({});
  for (auto [major, minor] : std::vector<std::pair<int, int>>{
           {1, 3}, {1, 5}, {1, 7}, {1, 8}, {1, 9}, {5, 0}, {5, 1}, {5, 2}, {136, 0}, {136, 77}, {10, 200}})
    for (char access : {'r', 'w', 'm'})
      EXPECT_EQ(RunDeviceProgram(prog, 'c', major, minor, access), 1) << major << ":" << minor << access;
  EXPECT_EQ(RunDeviceProgram(prog, 'c', 1, 1, 'r'), 0);     // /dev/mem
  EXPECT_EQ(RunDeviceProgram(prog, 'b', 8, 0, 'r'), 0);     // sda
  EXPECT_EQ(RunDeviceProgram(prog, 'b', 1, 3, 'r'), 0);     // block 1:3 is not /dev/null
  EXPECT_EQ(RunDeviceProgram(prog, 'c', 10, 229, 'w'), 0);  // fuse
  EXPECT_EQ(RunDeviceProgram(prog, 'c', 10, 229, 'm'), 1);  // mknod is allowed for any char device
  EXPECT_EQ(RunDeviceProgram(prog, 'b', 8, 0, 'm'), 1);
}

TEST(DeviceFilter, LastMatchingRuleWins) {
  auto prog = Compile({Rule(true, "c", 10, std::nullopt, "rw"), Rule(false, "c", 10, 229, "w")});
  EXPECT_EQ(RunDeviceProgram(prog, 'c', 10, 229, 'r'), 1);
  EXPECT_EQ(RunDeviceProgram(prog, 'c', 10, 229, 'w'), 0);
  EXPECT_EQ(RunDeviceProgram(prog, 'c', 10, 1, 'w'), 1);
}

TEST(DeviceFilter, AccessMustBeASubsetOfTheRule) {
  auto prog = Compile({Rule(true, "b", 8, 0, "rm")});
  EXPECT_EQ(RunDeviceProgram(prog, 'b', 8, 0, 'r'), 1);
  EXPECT_EQ(RunDeviceProgram(prog, 'b', 8, 0, 'w'), 0);
}

TEST(DeviceFilter, ImplicitListCannotBeRemoved) {
  auto prog = Compile({Rule(false, "a", std::nullopt, std::nullopt, "rwm")});
  EXPECT_EQ(RunDeviceProgram(prog, 'c', 1, 3, 'r'), 1);
  EXPECT_EQ(RunDeviceProgram(prog, 'c', 1, 1, 'r'), 0);
}

TEST(DeviceFilter, AllowAllEndsTheProgramWithoutDeadCode) {
  auto rules = EffectiveDeviceRules({});
  ASSERT_TRUE(rules.ok());
  rules->push_back(Rule(true, "a", std::nullopt, std::nullopt, "rwm"));
  auto prog = CompileDeviceFilter(*rules);
  // 6 loads, then "r0 = 1; exit" and nothing after it.
  ASSERT_EQ(prog.size(), 8u);
  EXPECT_EQ(prog.back().code, BPF_JMP | BPF_EXIT);
  EXPECT_EQ(RunDeviceProgram(prog, 'b', 8, 0, 'w'), 1);
  // An allow-all rule from the config still lets the implicit rules run first.
  auto privileged = Compile({Rule(true, "a", std::nullopt, std::nullopt, "")});
  EXPECT_EQ(RunDeviceProgram(privileged, 'b', 253, 1, 'w'), 1);
  EXPECT_EQ(RunDeviceProgram(privileged, 'c', 1, 3, 'r'), 1);
}

TEST(DeviceFilter, EveryJumpStaysInsideTheProgram) {
  auto prog = Compile({Rule(true, "c", 4, std::nullopt, "r"), Rule(false, "b", std::nullopt, 3, "w")});
  for (size_t pc = 0; pc < prog.size(); ++pc)
    if (prog[pc].code == (BPF_JMP | BPF_JNE | BPF_K)) {
      EXPECT_GE(prog[pc].off, 0);
      EXPECT_LT(pc + 1 + prog[pc].off, prog.size());
    }
  EXPECT_EQ(RunDeviceProgram(prog, 'c', 4, 9, 'r'), 1);
  EXPECT_EQ(RunDeviceProgram(prog, 'c', 4, 9, 'w'), 0);
}

TEST(DeviceRules, FormatV1) {
  EXPECT_EQ(FormatV1DeviceRule(Rule(true, "", std::nullopt, std::nullopt, "")), "a *:* rwm");
  EXPECT_EQ(FormatV1DeviceRule(Rule(true, "c", 136, std::nullopt, "rw")), "c 136:* rw");
  EXPECT_EQ(FormatV1DeviceRule(Rule(false, "b", 8, 0, "m")), "b 8:0 m");
}

TEST(DeviceRules, RejectsOutOfRangeNumbers) {
  EXPECT_FALSE(EffectiveDeviceRules({Rule(true, "c", -1, 0, "r")}).ok());
  EXPECT_FALSE(EffectiveDeviceRules({Rule(true, "c", 1, int64_t{1} << 40, "r")}).ok());
}

}  // namespace
}  // namespace berth::cgroups
