#include "spec/state.h"

#include <gtest/gtest.h>

#include "spec/testdata_util.h"

namespace berth::spec {
namespace {

using testing::ReadTestdata;

TEST(State, SchemaFixtures) {
  auto good = ParseState(ReadTestdata("state/good/spec-example.json"));
  ASSERT_TRUE(good.ok()) << good.error().ToString();
  EXPECT_EQ(good->ociVersion, "0.2.0");
  EXPECT_EQ(good->id, "oci-container1");
  EXPECT_EQ(good->status, ContainerStatus::running);
  EXPECT_EQ(good->pid, 4422);
  EXPECT_EQ(good->bundle, "/containers/redis");
  EXPECT_EQ(good->annotations.at("myKey"), "myValue");
  auto bad = ParseState(ReadTestdata("state/bad/invalid-json.json"));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().ToString(),
            "invalid JSON: parse error: invalid object key (must be a string) at byte 2");
}

TEST(State, RoundTripsEveryStatus) {
  for (auto status : {ContainerStatus::creating, ContainerStatus::created, ContainerStatus::running,
                      ContainerStatus::stopped, ContainerStatus::paused}) {
    State s{"1.3.0", "id-1", status, 77, "/b u n d l e", {{"k", "v"}, {"a.b", ""}}};
    auto back = ParseState(SerializeState(s));
    ASSERT_TRUE(back.ok()) << back.error().ToString();
    EXPECT_EQ(*back, s);
  }
  State stopped{"1.3.0", "x", ContainerStatus::stopped, 0, "/b", {}};
  EXPECT_EQ(SerializeState(stopped), R"({"ociVersion":"1.3.0","id":"x","status":"stopped","bundle":"/b"})");
  auto back = ParseState(SerializeState(stopped));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, stopped);
}

TEST(State, StatusNames) {
  EXPECT_EQ(ContainerStatusName(ContainerStatus::creating), "creating");
  EXPECT_EQ(ContainerStatusName(ContainerStatus::paused), "paused");
  EXPECT_EQ(ContainerStatusFromName("created").value(), ContainerStatus::created);
  EXPECT_FALSE(ContainerStatusFromName("exited").ok());
}

TEST(State, Errors) {
  struct Case {
    std::string json, error;
  } cases[] = {
      {R"({"id":"a","status":"running","bundle":"/b"})", "ociVersion: missing required property"},
      {R"({"ociVersion":"1.0.0","status":"running","bundle":"/b"})", "id: missing required property"},
      {R"({"ociVersion":"1.0.0","id":"a","bundle":"/b"})", "status: missing required property"},
      {R"({"ociVersion":"1.0.0","id":"a","status":"running"})", "bundle: missing required property"},
      {R"({"ociVersion":"1.0.0","id":"a","status":"exited","bundle":"/b"})",
       "status: unknown container status \"exited\" (expected one of creating, created, running, "
       "stopped, paused)"},
      {R"({"ociVersion":"1.0.0","id":"a","status":"running","pid":-1,"bundle":"/b"})",
       "pid: expected pid >= 0, got -1"},
      {R"({"ociVersion":"1.0.0","id":"a","status":"running","pid":"1","bundle":"/b"})",
       "pid: expected integer, got string"},
      {R"({"ociVersion":"1.0.0","id":"a","status":"running","pid":1,"bundle":"/b","annotations":[]})",
       "annotations: expected object, got array"},
  };
  for (const auto& c : cases) {
    auto s = ParseState(c.json);
    ASSERT_FALSE(s.ok()) << c.json;
    EXPECT_EQ(s.error().ToString(), c.error);
  }
}

}  // namespace
}  // namespace berth::spec
