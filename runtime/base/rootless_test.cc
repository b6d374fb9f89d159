#include "runtime/base/rootless.h"

#include <gtest/gtest.h>

namespace berth::base {
namespace {

constexpr char kInitial[] = "         0          0 4294967295\n";

TEST(UidMapIsUserNamespace, OnlyTheFullIdentityMapIsTheInitialNamespace) {
  EXPECT_FALSE(UidMapIsUserNamespace(kInitial));
  EXPECT_FALSE(UidMapIsUserNamespace(""));  // unreadable
  // podman rootless: root is the user, then the subordinate range.
  EXPECT_TRUE(UidMapIsUserNamespace("         0       1000          1\n         1     100000      65536\n"));
  // `unshare -r` by root: 0 -> 0, one id.
  EXPECT_TRUE(UidMapIsUserNamespace("         0          0          1\n"));
  EXPECT_TRUE(UidMapIsUserNamespace("         0          0 4294967294\n"));
}

TEST(UidMapMapsHostRoot, AnyLineWhoseOutsideRangeStartsAtZero) {
  EXPECT_TRUE(UidMapMapsHostRoot(kInitial));
  EXPECT_TRUE(UidMapMapsHostRoot("0 0 1\n"));
  EXPECT_FALSE(UidMapMapsHostRoot("0 1000 1\n1 100000 65536\n"));
  EXPECT_FALSE(UidMapMapsHostRoot(""));
}

TEST(RootlessByDefault, UnprivilegedOrRootOfAUserNamespace) {
  EXPECT_TRUE(RootlessByDefault({1000, ""}));
  EXPECT_TRUE(RootlessByDefault({1000, kInitial}));
  EXPECT_FALSE(RootlessByDefault({0, kInitial}));
  EXPECT_TRUE(RootlessByDefault({0, "0 1000 1\n"}));  // podman's rootless runtime call
}

TEST(CurrentRootlessFacts, ReadsTheMapOnlyForEuidZero) {
  RootlessFacts facts = CurrentRootlessFacts();
  EXPECT_EQ(facts.euid, geteuid());
  if (facts.euid == 0)
    EXPECT_FALSE(facts.uid_map.empty());
  else
    EXPECT_TRUE(facts.uid_map.empty());
}

}  // namespace
}  // namespace berth::base
