// The filter's answer for the runtime's own calls after loading it, and the
// BPF evaluator behind it checked against the kernel's answers.
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gtest/gtest.h>
#include <cerrno>

#include "runtime/process/attributes.h"
#include "runtime/process/seccomp.h"
#include "runtime/process/testing/docker_like_profile.h"
#include "runtime/process/testing/fork_child.h"
#include "runtime/process/testing/seccomp_rules.h"

namespace berth::process {
namespace {

using berth::testing::Arg;
using berth::testing::Rule;

// conformance/fixtures/seccomp/minimal-static-true.json: what a static
// `true` needs, errno for the rest.
spec::Process WithNoNewPrivileges(bool on) {
  spec::Process process;
  process.noNewPrivileges = on;
  return process;
}

spec::Seccomp MinimalProfile() {
  spec::Seccomp profile;
  profile.defaultAction = "SCMP_ACT_ERRNO";
  profile.architectures = {"SCMP_ARCH_X86_64"};
  profile.syscalls = {
      Rule({"execve", "brk", "arch_prctl", "set_tid_address", "set_robust_list", "rseq", "prlimit64",
            "readlink", "getrandom", "mprotect", "prctl", "getuid", "exit_group", "clock_nanosleep"},
           "SCMP_ACT_ALLOW")};
  return profile;
}

TEST(SeccompCheck, MinimalProfileWithoutNoNewPrivilegesNamesCapset) {
  auto filter = CompileSeccomp(MinimalProfile());
  ASSERT_TRUE(filter) << filter.error().ToString();
  Status refused = CheckFilterLetsRuntimeFinish(*filter, WithNoNewPrivileges(false));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code(), EPERM);
  EXPECT_NE(refused.error().message().find("capset"), std::string::npos) << refused.error().message();
  EXPECT_NE(refused.error().message().find("SCMP_ACT_ERRNO(1)"), std::string::npos)
      << refused.error().message();
  EXPECT_NE(refused.error().message().find("noNewPrivileges"), std::string::npos);
  EXPECT_TRUE(CheckFilterLetsRuntimeFinish(*filter, WithNoNewPrivileges(true)));
  // A process that keeps CAP_SYS_ADMIN has nothing to drop: no capset.
  spec::Process admin = WithNoNewPrivileges(false);
  admin.capabilities = spec::Capabilities{};
  admin.capabilities->effective = {"CAP_SYS_ADMIN"};
  admin.capabilities->permitted = {"CAP_SYS_ADMIN"};
  EXPECT_TRUE(CheckFilterLetsRuntimeFinish(*filter, admin));
}

TEST(SeccompCheck, DockerProfilePassesEitherWay) {
  auto filter = CompileSeccomp(berth::testing::DockerLikeProfile());
  ASSERT_TRUE(filter) << filter.error().ToString();
  EXPECT_TRUE(CheckFilterLetsRuntimeFinish(*filter, WithNoNewPrivileges(false)));
  EXPECT_TRUE(CheckFilterLetsRuntimeFinish(*filter, WithNoNewPrivileges(true)));
}

TEST(SeccompCheck, ExecveRefusedIsNamed) {
  spec::Seccomp profile;
  profile.defaultAction = "SCMP_ACT_ALLOW";
  profile.syscalls = {Rule({"execve"}, "SCMP_ACT_KILL_PROCESS")};
  auto filter = CompileSeccomp(profile);
  ASSERT_TRUE(filter);
  Status refused = CheckFilterLetsRuntimeFinish(*filter, WithNoNewPrivileges(true));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("execve with SCMP_ACT_KILL_PROCESS"), std::string::npos)
      << refused.error().message();
}

TEST(SeccompCheck, NotifyNeedsSendmsg) {
  spec::Seccomp profile = MinimalProfile();
  profile.syscalls.push_back(Rule({"mkdir"}, "SCMP_ACT_NOTIFY"));
  auto filter = CompileSeccomp(profile);
  ASSERT_TRUE(filter);
  ASSERT_TRUE(filter->uses_notify);
  Status refused = CheckFilterLetsRuntimeFinish(*filter, WithNoNewPrivileges(true));
  ASSERT_FALSE(refused);
  EXPECT_NE(refused.error().message().find("sendmsg"), std::string::npos) << refused.error().message();
  profile.syscalls.push_back(Rule({"sendmsg"}, "SCMP_ACT_ALLOW"));
  EXPECT_TRUE(CheckFilterLetsRuntimeFinish(*CompileSeccomp(profile), WithNoNewPrivileges(true)));
}

TEST(SeccompCheck, ProgramThatJumpsOutIsAnError) {
  std::vector<sock_filter> program = {BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0),
                                      BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 1, 5, 0),
                                      BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW)};
  seccomp_data nr_one{};
  nr_one.nr = 1;  // takes the jump past the end
  EXPECT_FALSE(RunSeccompProgram(program, nr_one));
  EXPECT_TRUE(RunSeccompProgram(program, seccomp_data{}));
  EXPECT_FALSE(RunSeccompProgram({BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0)}, seccomp_data{}));
}

// The evaluator answers as the kernel does: a profile whose rules give
// distinct errnos (by name, by argument, by masked and 64-bit argument),
// loaded in a child, against RunSeccompProgram on the same seccomp_data.
TEST(SeccompCheck, EvaluatorAgreesWithTheKernel) {
  spec::Seccomp profile;
  profile.defaultAction = "SCMP_ACT_ALLOW";
  profile.syscalls = {
      Rule({"getppid"}, "SCMP_ACT_ERRNO", {}, 11),
      Rule({"dup"}, "SCMP_ACT_ERRNO", {Arg(0, 1000, "SCMP_CMP_EQ")}, 12),
      Rule({"dup"}, "SCMP_ACT_ERRNO", {Arg(0, 0xf0, "SCMP_CMP_MASKED_EQ", 0x20)}, 13),
      Rule({"lseek"}, "SCMP_ACT_ERRNO", {Arg(1, 0x100000000ull, "SCMP_CMP_GE")}, 14),
  };
  auto filter = CompileSeccomp(profile);
  ASSERT_TRUE(filter) << filter.error().ToString();
  struct Call {
    long nr;
    uint64_t arg0, arg1;
    int want;  // the errno the profile says, 0 for allowed
  };
  const std::vector<Call> calls = {{SYS_getppid, 0, 0, 11},
                                   {SYS_dup, 1000, 0, 12},
                                   {SYS_dup, 0x2f, 0, 13},
                                   {SYS_dup, 999, 0, 0},
                                   {SYS_lseek, 999, 0x100000005ull, 14},
                                   {SYS_lseek, 999, 5, 0},
                                   {SYS_getpid, 0, 0, 0}};
  for (const Call& call : calls) {
    seccomp_data data{};
    data.nr = static_cast<int>(call.nr);
    data.arch = AUDIT_ARCH_X86_64;
    data.args[0] = call.arg0;
    data.args[1] = call.arg1;
    auto answer = RunSeccompProgram(filter->program, data);
    ASSERT_TRUE(answer) << answer.error().ToString();
    const int expected_errno = (*answer & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_ERRNO
                                   ? static_cast<int>(*answer & SECCOMP_RET_DATA)
                                   : 0;
    EXPECT_EQ(expected_errno, call.want) << "evaluator, syscall " << call.nr << " arg0 " << call.arg0;

    auto outcome = berth::testing::RunInChild([&] {
      if (Status s = ApplyNoNewPrivileges(true); !s) return s.error().ToString();
      auto fd = InstallSeccomp(*filter);
      if (!fd) return "install: " + fd.error().ToString();
      errno = 0;
      long rc = syscall(call.nr, call.arg0, call.arg1, 0);
      // Only the filter's errnos (11..14) count; EBADF from a real dup or
      // lseek of fd 999 means the call went through.
      int seen = rc == -1 && errno >= 11 && errno <= 14 ? errno : 0;
      return std::to_string(seen);
    });
    EXPECT_EQ(outcome.output, std::to_string(expected_errno))
        << "syscall " << call.nr << " arg0 " << call.arg0 << " arg1 " << call.arg1;
  }
}

}  // namespace
}  // namespace berth::process
