#include "runtime/cgroups/systemd_properties.h"

#include <gtest/gtest.h>

#include <map>

namespace berth::cgroups {
namespace {

using dbus::Value;

// name -> the variant's value, and the order of the names.
std::map<std::string, Value> ByName(const std::vector<Value>& props,
                                    std::vector<std::string>* order = nullptr) {
  std::map<std::string, Value> out;
  for (const auto& p : props) {
    EXPECT_EQ(p.Sig(), "(sv)");
    out[p.items[0].text] = p.items[1].items[0];
    if (order) order->push_back(p.items[0].text);
  }
  return out;
}

TEST(CpuListBitmask, SetsBitNOfByteNOver8) {
  EXPECT_EQ(*CpuListBitmask("0"), std::vector<uint8_t>({0x01}));
  EXPECT_EQ(*CpuListBitmask("0-2,7"), std::vector<uint8_t>({0x87}));
  EXPECT_EQ(*CpuListBitmask("9"), std::vector<uint8_t>({0x00, 0x02}));
  EXPECT_EQ(*CpuListBitmask("1,8-9"), std::vector<uint8_t>({0x02, 0x03}));
  EXPECT_TRUE(CpuListBitmask("").ok());
  for (const char* bad : {"a", "1-", "3-1", "1,,2", ",", "-1", "99999"})
    EXPECT_EQ(CpuListBitmask(bad).error().code(), EINVAL) << bad;
}

TEST(CpuQuotaPerSecUSec, RoundsUpToTenMilliseconds) {
  EXPECT_EQ(CpuQuotaPerSecUSec(50000, 100000), 500000u);
  EXPECT_EQ(CpuQuotaPerSecUSec(25000, 0), 250000u);  // default period
  EXPECT_EQ(CpuQuotaPerSecUSec(1234, 100000), 20000u);
  EXPECT_EQ(CpuQuotaPerSecUSec(-1, 100000), UINT64_MAX);
}

spec::Resources Limits() {
  spec::Resources r;
  r.memory.emplace();
  r.memory->limit = 1 << 20;
  r.memory->reservation = 1 << 19;
  r.cpu.emplace();
  r.cpu->shares = 1024;
  r.cpu->quota = 50000;
  r.cpu->period = 100000;
  r.cpu->cpus = "0-1";
  r.cpu->mems = "0";
  r.blockIO.emplace();
  r.blockIO->weight = 500;
  r.pids.emplace();
  r.pids->limit = 10;
  return r;
}

TEST(ResourceProperties, V1SetAsRuncSendsIt) {
  std::vector<std::string> order;
  auto props = ByName(*ResourceProperties(Limits(), false), &order);
  EXPECT_EQ(order,
            std::vector<std::string>({"MemoryLimit", "CPUShares", "CPUQuotaPeriodUSec", "CPUQuotaPerSecUSec",
                                      "AllowedCPUs", "AllowedMemoryNodes", "BlockIOWeight", "TasksMax"}));
  EXPECT_EQ(props["MemoryLimit"], Value::Uint64(1 << 20));
  EXPECT_EQ(props["CPUShares"], Value::Uint64(1024));
  EXPECT_EQ(props["CPUQuotaPeriodUSec"], Value::Uint64(100000));
  EXPECT_EQ(props["CPUQuotaPerSecUSec"], Value::Uint64(500000));
  EXPECT_EQ(props["AllowedCPUs"], Value::Array("y", {Value::Byte(0x03)}));
  EXPECT_EQ(props["AllowedMemoryNodes"], Value::Array("y", {Value::Byte(0x01)}));
  EXPECT_EQ(props["BlockIOWeight"], Value::Uint64(500));
  EXPECT_EQ(props["TasksMax"], Value::Uint64(10));
}

TEST(ResourceProperties, V2NamesAndConversions) {
  auto props = ByName(*ResourceProperties(Limits(), true));
  EXPECT_EQ(props.count("MemoryLimit"), 0u);
  EXPECT_EQ(props["MemoryMax"], Value::Uint64(1 << 20));
  EXPECT_EQ(props["MemoryLow"], Value::Uint64(1 << 19));
  EXPECT_EQ(props["CPUWeight"], Value::Uint64(39));   // 1 + (1024-2)*9999/262142
  EXPECT_EQ(props["IOWeight"], Value::Uint64(4950));  // 1 + (500-10)*9999/990
  EXPECT_EQ(props.count("CPUShares"), 0u);
  EXPECT_EQ(props.count("BlockIOWeight"), 0u);
}

TEST(ResourceProperties, UnlimitedAndUnsetValues) {
  spec::Resources r;
  EXPECT_TRUE(ResourceProperties(r, false)->empty());
  r.memory.emplace();
  r.memory->limit = -1;
  r.pids.emplace();
  r.pids->limit = -1;
  auto props = ByName(*ResourceProperties(r, false));
  EXPECT_EQ(props["MemoryLimit"], Value::Uint64(UINT64_MAX));
  EXPECT_EQ(props["TasksMax"], Value::Uint64(UINT64_MAX));
  r.pids->limit = 0;  // left to cgroupfs, as runc does
  r.memory->limit = 0;
  EXPECT_TRUE(ResourceProperties(r, false)->empty());
}

TEST(ResourceProperties, BadCpuListIsAnError) {
  spec::Resources r;
  r.cpu.emplace();
  r.cpu->cpus = "0-";
  auto props = ResourceProperties(r, false);
  ASSERT_FALSE(props.ok());
  EXPECT_NE(props.error().ToString().find("linux.resources.cpu.cpus"), std::string::npos);
}

TEST(RestoringProperties, OldValuesElseWhatClearsEachProperty) {
  spec::Resources before;
  before.memory.emplace().limit = 1 << 20;
  spec::Resources after;
  after.memory.emplace().limit = 2 << 20;
  after.memory->reservation = 1 << 20;
  after.cpu.emplace().shares = 512;
  after.cpu->quota = 50000;
  after.cpu->period = 100000;
  after.cpu->cpus = "0";
  after.cpu->mems = "0";
  after.blockIO.emplace().weight = 300;
  after.pids.emplace().limit = 10;
  for (bool unified : {true, false}) {
    std::vector<Value> applied = *ResourceProperties(after, unified);
    std::vector<std::string> applied_order, restored_order;
    ByName(applied, &applied_order);
    auto restored =
        ByName(RestoringProperties(applied, *ResourceProperties(before, unified)), &restored_order);
    EXPECT_EQ(restored_order, applied_order);
    const uint64_t unset = UINT64_MAX;
    EXPECT_EQ(restored[unified ? "MemoryMax" : "MemoryLimit"], Value::Uint64(1 << 20));
    EXPECT_EQ(restored["TasksMax"], Value::Uint64(unset));
    EXPECT_EQ(restored["CPUQuotaPerSecUSec"], Value::Uint64(unset));
    EXPECT_EQ(restored["CPUQuotaPeriodUSec"], Value::Uint64(unset));
    EXPECT_EQ(restored[unified ? "CPUWeight" : "CPUShares"], Value::Uint64(unset));
    EXPECT_EQ(restored[unified ? "IOWeight" : "BlockIOWeight"], Value::Uint64(unset));
    EXPECT_EQ(restored["AllowedCPUs"], Value::Array("y", {}));
    EXPECT_EQ(restored["AllowedMemoryNodes"], Value::Array("y", {}));
    if (unified) {
      EXPECT_EQ(restored["MemoryLow"], Value::Uint64(0));
    }
  }
}

}  // namespace
}  // namespace berth::cgroups
