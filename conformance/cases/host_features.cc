// Fields that depend on host hardware or interfaces: CPU affinity,
// Intel RDT (absent here, so it must be an error), network devices moved
// into the container (one end of a veth pair made by the harness).
#include <cstdlib>

#include "conformance/cases/common.h"

namespace berth::conformance {

namespace json = spec::json;
namespace {

std::string StatusField(const std::string& text, const std::string& key) {
  size_t pos = text.find(key + ":");
  if (pos == std::string::npos) return "";
  size_t start = text.find_first_not_of(" \t", pos + key.size() + 1);
  size_t end = text.find('\n', start);
  return text.substr(start, end - start);
}

}  // namespace

CONFORMANCE_CASE(cpu_affinity_left_to_the_kernel, "config.md#linux-process-5") {
  auto own = ReadFileText("/proc/self/status");
  if (!own) return c.Abort("cannot read the harness's status");
  std::string host = StatusField(*own, "Cpus_allowed_list");
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  auto run = RunOrAbort(c, *b);
  if (!run) return;
  std::string inside = run->report.At("status.Cpus_allowed_list")
                           ? run->report.At("status.Cpus_allowed_list")->as_string()
                           : "";
  c.Expect(
      "config.md#linux-process-5", inside == host,
      "without execCPUAffinity the container's CPUs are " + Quote(inside) + ", the runtime's " + Quote(host));
}

CONFORMANCE_CASE(intel_rdt_without_resctrl_is_error, "config-linux.md#intelrdt-2") {
  auto mounts = ReadFileText("/proc/self/mountinfo");
  if (mounts && mounts->find(" - resctrl ") != std::string::npos)
    return c.SkipRest("host has a resctrl filesystem mounted; this case needs one without");
  auto b = NewBundleOrAbort(c);
  if (!b) return;
  b->Linux()["intelRdt"]["closID"] = "conformance";
  b->Linux()["intelRdt"]["l3CacheSchema"] = "L3:0=f";
  Container ct(c, *b);
  CommandResult r = ct.Create();
  c.Expect("config-linux.md#intelrdt-2", !r.ok(),
           "intelRdt was accepted although no resctrl filesystem is mounted");
}

CONFORMANCE_CASE(net_device_moved_into_container, "config-linux.md#network-devices-1",
                 "config-linux.md#network-devices-5", "config-linux.md#network-devices-6") {
  std::string dev = "cfdum" + std::to_string(getpid() % 100000);
  // One end of a veth pair (this kernel has veth but no dummy driver).
  CommandResult add =
      RunCommand({"/usr/sbin/ip", "link", "add", dev, "type", "veth", "peer", "name", dev + "p"});
  if (!add.ok()) return c.SkipRest("host: cannot create a veth pair: " + add.Describe());
  RunCommand({"/usr/sbin/ip", "addr", "add", "fd00:c0f::1/64", "dev", dev, "nodad"});
  auto b = NewBundleOrAbort(c);
  if (b) {
    b->Linux()["netDevices"][dev] = json::Value::Object();
    b->SetArgs({"/probe", "read:/sys/class/net/" + dev + "/flags", "read:/proc/net/if_inet6"});
    auto run = RunProbe(c, *b);
    if (!run) {
      c.Abort(run.error().ToString());
    } else {
      const json::Value& r = run->report;
      bool present = Contains(StringList(r.Find("net")), dev);
      c.Expect("config-linux.md#network-devices-1", present,
               dev + " is not in the container: " + Field(r, "net"));
      std::string flags = ActionData(r, "read", "/sys/class/net/" + dev + "/flags");
      bool up = !flags.empty() && (std::strtol(flags.c_str(), nullptr, 16) & 1) == 1;
      c.Expect("config-linux.md#network-devices-6", present && up,
               "the moved interface is not up (flags " + Quote(flags) + ")");
      std::string v6 = ActionData(r, "read", "/proc/net/if_inet6");
      c.Expect("config-linux.md#network-devices-5",
               v6.find("fd000c0f000000000000000000000001") != std::string::npos,
               "the interface's permanent global address fd00:c0f::1 was not preserved");
    }
  }
  RunCommand({"/usr/sbin/ip", "link", "del", dev});
}

}  // namespace berth::conformance
