// Runs the fuzz target over every document in spec/testdata (and a few edge
// inputs) under Bazel, so its round-trip invariants are checked by every test
// run, not only by tools/fuzz-spec.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "spec/testdata_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace berth::spec {
namespace {

int RunOne(const std::string& input) {
  return LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(input.data()), input.size());
}

TEST(ConfigFuzzerRegression, EveryFixtureHoldsTheInvariants) {
  int documents = 0;
  for (const char* dir :
       {"config/good", "config/bad", "state/good", "state/bad", "features/good", "features/bad"}) {
    for (const auto& name : testing::ListTestdata(dir)) {
      SCOPED_TRACE(std::string(dir) + "/" + name);
      EXPECT_EQ(RunOne(testing::ReadTestdata(std::string(dir) + "/" + name)), 0);
      ++documents;
    }
  }
  for (const char* name :
       {"config-md-example.json", "runc-spec.json", "runc-spec-rootless.json", "crun-spec.json"}) {
    EXPECT_EQ(RunOne(testing::ReadTestdata(name)), 0);
    ++documents;
  }
  EXPECT_EQ(documents, 18);
}

TEST(ConfigFuzzerRegression, EdgeInputs) {
  for (const std::string& input :
       {std::string(), std::string("\0", 1), std::string("{"), std::string(200, '['),
        std::string(R"({"ociVersion":"1.0.0","hostname":"\u0000"})"),
        std::string(R"({"ociVersion":"1.0.0","annotations":{"a":"1","a":"2"}})"),
        std::string("{\"ociVersion\":\"1.0.0\",\"hostname\":\"\xff\"}")})
    EXPECT_EQ(RunOne(input), 0);
}

}  // namespace
}  // namespace berth::spec
