#include "conformance/cases/rootless_config.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>

#include "conformance/harness/bundle.h"
#include "conformance/harness/process.h"

namespace berth::conformance {

namespace json = spec::json;
namespace {

// The document with every object's members sorted: equal configs compare
// equal whatever order their writer used.
std::string Canonical(const json::Value& j) {
  if (j.is_object()) {
    auto members = j.members;
    std::sort(members.begin(), members.end(), [](const auto& a, const auto& b) { return a.key < b.key; });
    std::string out = "{";
    for (const auto& [key, value] : members) out += json::Quote(key) + ":" + Canonical(value) + ",";
    return out + "}";
  }
  if (j.is_array()) {
    std::string out = "[";
    for (const auto& item : j.items) out += Canonical(item) + ",";
    return out + "]";
  }
  return j.Dump();
}

std::vector<std::string> NamespaceTypes(const json::Value& config) {
  std::vector<std::string> types;
  for (const auto& ns : config["linux"]["namespaces"].items) types.push_back(ns["type"].as_string());
  return types;
}

TEST(ToRootless, GivesTheSuiteConfigTheRootlessTemplateShape) {
  json::Value c = ToRootless(DefaultConfig("id"), 1234, 5678);
  EXPECT_EQ(NamespaceTypes(c), (std::vector<std::string>{"pid", "ipc", "uts", "mount", "user"}));
  EXPECT_EQ(c["linux"]["uidMappings"].Dump(), R"([{"containerID":0,"hostID":1234,"size":1}])");
  EXPECT_EQ(c["linux"]["gidMappings"].Dump(), R"([{"containerID":0,"hostID":5678,"size":1}])");
  EXPECT_EQ(c["linux"].Find("resources"), nullptr);
  EXPECT_EQ(c["linux"].Find("cgroupsPath"), nullptr);
  bool sys = false;
  for (const auto& m : c["mounts"].items) {
    for (const auto& o : m["options"].items)
      EXPECT_TRUE(o.as_string().rfind("gid=", 0) != 0 && o.as_string().rfind("uid=", 0) != 0) << m.Dump();
    if (m["destination"].as_string() == "/sys") {
      sys = true;
      EXPECT_EQ(
          m.Dump(),
          R"({"destination":"/sys","type":"none","source":"/sys","options":["rbind","nosuid","noexec","nodev","ro"]})");
    }
  }
  EXPECT_TRUE(sys);
}

// The transformation is runc's: applied to `runc spec` it gives what
// `runc spec --rootless` writes for the same user.
TEST(ToRootless, OfRuncsTemplateIsRuncsRootlessTemplate) {
  std::string runc;
  for (const char* candidate : {"/usr/sbin/runc", "/usr/bin/runc", "/usr/local/sbin/runc"})
    if (access(candidate, X_OK) == 0) runc = candidate;
  if (runc.empty()) GTEST_SKIP() << "runc is not installed";
  char tmpl[] = "/tmp/rootless-config-test.XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  auto spec = [&](const std::string& sub, bool rootless) -> json::Value {
    std::string bundle = dir + "/" + sub;
    EXPECT_EQ(mkdir(bundle.c_str(), 0700), 0);
    std::vector<std::string> argv = {runc, "spec", "--bundle", bundle};
    if (rootless) argv.push_back("--rootless");
    CommandResult r = RunCommand(argv);
    EXPECT_TRUE(r.ok()) << r.Describe();
    auto text = ReadFileText(bundle + "/config.json");
    EXPECT_TRUE(text.ok());
    auto json = json::Parse(text.ok() ? *text : "");
    EXPECT_TRUE(json.ok());
    return json.ok() ? *json : json::Value();
  };
  json::Value plain = spec("plain", false), rootless = spec("rootless", true);
  RemoveTree(dir);
  EXPECT_EQ(Canonical(ToRootless(plain, geteuid(), getegid())), Canonical(rootless));
}

}  // namespace
}  // namespace berth::conformance
