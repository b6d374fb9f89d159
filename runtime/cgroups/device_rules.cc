#include "runtime/cgroups/device_rules.h"

namespace berth::cgroups {
namespace {

spec::DeviceCgroupRule Allow(std::string type, std::optional<int64_t> major, std::optional<int64_t> minor,
                             std::string access) {
  spec::DeviceCgroupRule rule;
  rule.allow = true;
  rule.type = std::move(type);
  rule.major = major;
  rule.minor = minor;
  rule.access = std::move(access);
  return rule;
}

}  // namespace

const std::vector<spec::DeviceCgroupRule>& ImplicitDeviceRules() {
  static const std::vector<spec::DeviceCgroupRule> rules = {
      Allow("c", std::nullopt, std::nullopt, "m"),  // mknod any char device
      Allow("b", std::nullopt, std::nullopt, "m"),  // mknod any block device
      Allow("c", 1, 3, "rwm"),                      // /dev/null
      Allow("c", 1, 5, "rwm"),                      // /dev/zero
      Allow("c", 1, 7, "rwm"),                      // /dev/full
      Allow("c", 1, 8, "rwm"),                      // /dev/random
      Allow("c", 1, 9, "rwm"),                      // /dev/urandom
      Allow("c", 5, 0, "rwm"),                      // /dev/tty
      Allow("c", 5, 2, "rwm"),                      // /dev/ptmx
      Allow("c", 136, std::nullopt, "rwm"),         // /dev/pts/*
      Allow("c", 5, 1, "rwm"),                      // /dev/console
      Allow("c", 10, 200, "rwm"),                   // /dev/net/tun
  };
  return rules;
}

Result<std::vector<spec::DeviceCgroupRule>> EffectiveDeviceRules(
    const std::vector<spec::DeviceCgroupRule>& config_rules) {
  std::vector<spec::DeviceCgroupRule> out;
  spec::DeviceCgroupRule deny_all;
  deny_all.allow = false;
  deny_all.type = "a";
  deny_all.access = "rwm";
  out.push_back(deny_all);
  for (size_t i = 0; i < config_rules.size(); ++i) {
    spec::DeviceCgroupRule rule = config_rules[i];
    std::string where = "linux.resources.devices[" + std::to_string(i) + "]";
    if (rule.type.empty()) rule.type = "a";
    if (rule.type != "a" && rule.type != "c" && rule.type != "b")
      return Error(EINVAL, where + ".type: \"" + rule.type + "\" is not a, c or b");
    if (rule.access.empty()) rule.access = "rwm";
    for (char c : rule.access)
      if (c != 'r' && c != 'w' && c != 'm')
        return Error(EINVAL, where + ".access: \"" + rule.access + "\" is not a subset of rwm");
    // A major/minor must fit the BPF immediate and the kernel's 32-bit dev_t parts.
    if (rule.major && (*rule.major < 0 || *rule.major > 0x7fffffff))
      return Error(EINVAL, where + ".major: out of range");
    if (rule.minor && (*rule.minor < 0 || *rule.minor > 0x7fffffff))
      return Error(EINVAL, where + ".minor: out of range");
    out.push_back(std::move(rule));
  }
  for (const auto& rule : ImplicitDeviceRules()) out.push_back(rule);
  return out;
}

std::string FormatV1DeviceRule(const spec::DeviceCgroupRule& rule) {
  std::string out = rule.type.empty() ? "a" : rule.type;
  out += ' ';
  out += rule.major ? std::to_string(*rule.major) : "*";
  out += ':';
  out += rule.minor ? std::to_string(*rule.minor) : "*";
  out += ' ';
  out += rule.access.empty() ? "rwm" : rule.access;
  return out;
}

}  // namespace berth::cgroups
