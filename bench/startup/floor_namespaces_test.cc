// The floor benchmark's child really gets the namespaces it is asked for.
#include <gtest/gtest.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "bench/startup/bundle.h"
#include "bench/startup/command.h"

namespace berth::bench {
namespace {

std::string NsLink(const char* name) {
  char buf[64] = {};
  std::string path = std::string("/proc/self/ns/") + name;
  if (readlink(path.c_str(), buf, sizeof buf - 1) < 0) return "";
  return buf;
}

TEST(Floor, ChildRunsAsPid1InFreshNamespaces) {
  if (geteuid() != 0) GTEST_SKIP() << "creating namespaces needs root";
  const char* base = getenv("TEST_TMPDIR");
  std::string dir = std::string(base ? base : "/tmp") + "/floor-XXXXXX";
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  std::string out = dir + "/seen", script = dir + "/probe";
  // The floor passes no arguments, so the probe is a script with its paths baked in.
  ASSERT_TRUE(WriteFile(script, "#!/bin/sh\necho $$ > " + out +
                                    "\nreadlink /proc/self/ns/net /proc/self/ns/uts >> " + out + "\n")
                  .ok());
  ASSERT_EQ(chmod(script.c_str(), 0755), 0);

  auto r =
      RunInNewNamespaces(CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS, script);
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_TRUE(r->Succeeded()) << r->Describe();
  auto seen = base::ReadFileText(out);
  ASSERT_TRUE(seen.ok()) << seen.error().ToString();
  EXPECT_EQ(seen->substr(0, 2), "1\n") << *seen;
  EXPECT_EQ(seen->find(NsLink("net")), std::string::npos) << *seen;
  EXPECT_EQ(seen->find(NsLink("uts")), std::string::npos) << *seen;
  EXPECT_NE(seen->find("net:["), std::string::npos) << *seen;
  EXPECT_TRUE(RemoveTree(dir).ok());
}

}  // namespace
}  // namespace berth::bench
