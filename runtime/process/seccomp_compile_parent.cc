// Parent side: turns linux.seccomp into classic BPF with libseccomp, so the
// container init only has to call seccomp(2).
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "runtime/process/seccomp.h"
#include "runtime/process/seccomp_internal.h"

namespace berth::process {
namespace {

struct CtxFree {
  void operator()(void* ctx) const { seccomp_release(ctx); }
};
using Ctx = std::unique_ptr<void, CtxFree>;

bool ActionTakesErrno(std::string_view name) { return name == "SCMP_ACT_ERRNO" || name == "SCMP_ACT_TRACE"; }

// errno_ret: the entry's errnoRet (or defaultErrnoRet for the default action).
Result<uint32_t> ActionValue(std::string_view name, std::optional<uint32_t> errno_ret) {
  if (errno_ret && !ActionTakesErrno(name))
    return Error(EINVAL, "seccomp action " + std::string(name) + " does not take an errno");
  const uint32_t err = errno_ret.value_or(EPERM);
  if (name == "SCMP_ACT_KILL" || name == "SCMP_ACT_KILL_THREAD") return SCMP_ACT_KILL_THREAD;
  if (name == "SCMP_ACT_KILL_PROCESS") return SCMP_ACT_KILL_PROCESS;
  if (name == "SCMP_ACT_TRAP") return SCMP_ACT_TRAP;
  if (name == "SCMP_ACT_ERRNO") return SCMP_ACT_ERRNO(err);
  if (name == "SCMP_ACT_TRACE") return SCMP_ACT_TRACE(err);
  if (name == "SCMP_ACT_ALLOW") return SCMP_ACT_ALLOW;
  if (name == "SCMP_ACT_LOG") return SCMP_ACT_LOG;
  if (name == "SCMP_ACT_NOTIFY") return SCMP_ACT_NOTIFY;
  return Error(EINVAL, "unknown seccomp action \"" + std::string(name) + "\"");
}

Result<scmp_compare> OperatorValue(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, scmp_compare>, 7> kOps = {{
      {"SCMP_CMP_NE", SCMP_CMP_NE},
      {"SCMP_CMP_LT", SCMP_CMP_LT},
      {"SCMP_CMP_LE", SCMP_CMP_LE},
      {"SCMP_CMP_EQ", SCMP_CMP_EQ},
      {"SCMP_CMP_GE", SCMP_CMP_GE},
      {"SCMP_CMP_GT", SCMP_CMP_GT},
      {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
  }};
  for (const auto& [n, v] : kOps)
    if (n == name) return v;
  return Error(EINVAL, "unknown seccomp operator \"" + std::string(name) + "\"");
}

// "SCMP_ARCH_X86_64" -> libseccomp's token (an AUDIT_ARCH_* value, except x32).
Result<uint32_t> ArchToken(std::string_view name) {
  if (name.substr(0, 10) != "SCMP_ARCH_")
    return Error(EINVAL, "unknown seccomp architecture \"" + std::string(name) + "\"");
  std::string lower(name.substr(10));
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  uint32_t token = seccomp_arch_resolve_name(lower.c_str());
  if (token == 0)
    return Error(EINVAL, "seccomp architecture \"" + std::string(name) +
                             "\" is not supported by this build's libseccomp");
  return token;
}

Result<unsigned> FlagValue(std::string_view name) {
  if (name == "SECCOMP_FILTER_FLAG_TSYNC") return SECCOMP_FILTER_FLAG_TSYNC;
  if (name == "SECCOMP_FILTER_FLAG_LOG") return SECCOMP_FILTER_FLAG_LOG;
  if (name == "SECCOMP_FILTER_FLAG_SPEC_ALLOW") return SECCOMP_FILTER_FLAG_SPEC_ALLOW;
  if (name == "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV") return SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
  return Error(EINVAL, "unknown seccomp flag \"" + std::string(name) + "\"");
}

// Adds one spec syscall entry for one resolved syscall number. Conditions on
// distinct arguments are ANDed in one rule; when an argument index repeats,
// libseccomp cannot AND two tests of one argument, so (as runc) each
// condition becomes its own rule and they are ORed.
Status AddRule(void* ctx, uint32_t action, int nr, const std::vector<scmp_arg_cmp>& conds,
               const std::string& name) {
  bool repeated = false;
  for (size_t i = 0; i < conds.size() && !repeated; ++i)
    for (size_t j = i + 1; j < conds.size(); ++j)
      if (conds[i].arg == conds[j].arg) repeated = true;
  if (!repeated) {
    int rc = seccomp_rule_add_array(ctx, action, nr, static_cast<unsigned>(conds.size()),
                                    conds.empty() ? nullptr : conds.data());
    if (rc != 0) return Error(-rc, "seccomp rule for " + name);
    return Ok();
  }
  for (const auto& cond : conds) {
    int rc = seccomp_rule_add_array(ctx, action, nr, 1, &cond);
    if (rc != 0) return Error(-rc, "seccomp rule for " + name);
  }
  return Ok();
}

Result<std::vector<sock_filter>> ExportBpf(void* ctx) {
  // libseccomp 2.5 exports only to an fd; a memfd keeps it in memory.
  int fd = memfd_create("berth-seccomp-bpf", MFD_CLOEXEC);
  if (fd < 0) return Error::Sys("memfd_create");
  int rc = seccomp_export_bpf(ctx, fd);
  if (rc != 0) {
    close(fd);
    return Error(-rc, "seccomp_export_bpf");
  }
  off_t size = lseek(fd, 0, SEEK_END);
  if (size < 0 || size % sizeof(sock_filter) != 0) {
    close(fd);
    return Error(EIO, "seccomp_export_bpf produced " + std::to_string(size) + " bytes");
  }
  std::vector<sock_filter> program(static_cast<size_t>(size) / sizeof(sock_filter));
  ssize_t n = pread(fd, program.data(), static_cast<size_t>(size), 0);
  int saved = errno;
  close(fd);
  if (n != size) return Error(n < 0 ? saved : EIO, "read exported seccomp program");
  return program;
}

bool IsAllowLike(uint32_t action) { return action == SCMP_ACT_ALLOW || action == SCMP_ACT_LOG; }

}  // namespace

// A prefix that returns ENOSYS for syscall numbers above the highest one the
// profile names, per architecture, so syscalls newer than the profile look
// absent (libc then falls back) instead of hitting a deny-by-default action.
std::vector<sock_filter> EnosysPrefix(const std::map<uint32_t, int>& max_nr_by_arch) {
  std::vector<sock_filter> out;
  std::vector<size_t> to_main;  // indexes of jumps whose target is the main program
  for (const auto& [arch, max_nr] : max_nr_by_arch) {
    const bool x86_64 = arch == AUDIT_ARCH_X86_64;
    const uint8_t block_rest = x86_64 ? 4 : 3;  // instructions after the arch test
    out.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, arch)));
    out.push_back(BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arch, 0, block_rest));
    out.push_back(BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)));
    if (x86_64) {  // x32 numbers (bit 30) belong to the main program
      to_main.push_back(out.size());
      out.push_back(BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000U, 0, 0));
    }
    to_main.push_back(out.size());
    out.push_back(BPF_JUMP(BPF_JMP | BPF_JGT | BPF_K, static_cast<uint32_t>(max_nr), 0, 0));
    out.push_back(BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA)));
  }
  // Patch: "taken" jumps of the x32 test and "not taken" of the max test go
  // to the first instruction after the prefix.
  for (size_t i : to_main) {
    uint8_t distance = static_cast<uint8_t>(out.size() - (i + 1));
    if (out[i].code == (BPF_JMP | BPF_JGE | BPF_K))
      out[i].jt = distance;
    else
      out[i].jf = distance;
  }
  return out;
}

Result<SeccompFilter> CompileSeccompUncached(const spec::Seccomp& profile) {
  SeccompFilter filter;
  uint32_t default_action =
      BERTH_TRY_CTX(ActionValue(profile.defaultAction, profile.defaultErrnoRet), "seccomp defaultAction");
  if (default_action == SCMP_ACT_NOTIFY)
    return Error(EINVAL, "seccomp: SCMP_ACT_NOTIFY cannot be the default action");
  Ctx ctx(seccomp_init(default_action));
  if (!ctx) return Error(EINVAL, "seccomp_init " + profile.defaultAction);

  std::vector<uint32_t> arches = {seccomp_arch_native()};
  for (const auto& name : profile.architectures) {
    uint32_t token = BERTH_TRY(ArchToken(name));
    if (std::find(arches.begin(), arches.end(), token) != arches.end()) continue;
    int rc = seccomp_arch_add(ctx.get(), token);
    if (rc != 0 && rc != -EEXIST) return Error(-rc, "seccomp: add architecture " + name);
    arches.push_back(token);
  }
  for (const auto& name : profile.flags) filter.flags |= BERTH_TRY(FlagValue(name));

  std::map<uint32_t, int> max_nr;
  for (const auto& entry : profile.syscalls) {
    uint32_t action = BERTH_TRY_CTX(ActionValue(entry.action, entry.errnoRet), "seccomp syscalls entry");
    // libseccomp takes names as C strings: "write\0x" would be write(2)
    // under a name no check below recognises.
    for (const auto& name : entry.names)
      if (name.find('\0') != std::string::npos) return Error(EINVAL, "seccomp: syscall name with a NUL byte");
    if (action == SCMP_ACT_NOTIFY) {
      filter.uses_notify = true;
      // The runtime's own init still writes to its sync socket after the
      // filter is in place; notifying write(2) would deadlock it (runc too).
      if (std::find(entry.names.begin(), entry.names.end(), "write") != entry.names.end())
        return Error(EINVAL, "seccomp: SCMP_ACT_NOTIFY cannot be used for write");
    }
    std::vector<scmp_arg_cmp> conds;
    for (const auto& arg : entry.args) {
      if (arg.index >= 6)
        return Error(EINVAL, "seccomp: argument index " + std::to_string(arg.index) + " out of range (0-5)");
      scmp_compare op = BERTH_TRY(OperatorValue(arg.op));
      conds.push_back(scmp_arg_cmp{arg.index, op, arg.value, arg.valueTwo});
    }
    for (const auto& name : entry.names) {
      for (uint32_t arch : arches) {
        int nr = seccomp_syscall_resolve_name_arch(arch, name.c_str());
        if (nr >= 0) max_nr[arch] = std::max(max_nr[arch], nr);
      }
      // Same action as the default: nothing to add (libseccomp refuses it).
      if (action == default_action) continue;
      int nr = seccomp_syscall_resolve_name(name.c_str());
      if (nr == __NR_SCMP_ERROR) continue;  // unknown to libseccomp: ignored, as runc
      BERTH_TRY(AddRule(ctx.get(), action, nr, conds, name));
    }
  }

  std::vector<sock_filter> program = BERTH_TRY(ExportBpf(ctx.get()));
  // x32 shares AUDIT_ARCH_X86_64 with bit 30 in the number: not in the prefix.
  max_nr.erase(SCMP_ARCH_X32);
  if (!IsAllowLike(default_action) && !max_nr.empty()) {
    filter.program = EnosysPrefix(max_nr);
    filter.program.insert(filter.program.end(), program.begin(), program.end());
  } else {
    filter.program = std::move(program);
  }
  if (filter.program.size() > BPF_MAXINSNS)
    return Error(E2BIG, "seccomp program has " + std::to_string(filter.program.size()) +
                            " instructions, over the kernel's " + std::to_string(BPF_MAXINSNS));
  // Only meaningful with a listener; the kernel rejects it otherwise.
  if (!filter.uses_notify) filter.flags &= ~SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
  return filter;
}

Result<SeccompFilter> CompileSeccomp(const spec::Seccomp& profile) { return CompileSeccompUncached(profile); }

}  // namespace berth::process
