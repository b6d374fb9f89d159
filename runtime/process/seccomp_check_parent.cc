// PARENT side: what the compiled filter answers for the calls the runtime
// itself must make after loading it (finish_exec_child.cc: sendmsg of the
// notify fd, capset without noNewPrivileges, execve). A profile that refuses
// one of them would make the child fail where it can no longer report (its
// write(2) is usually refused too): the container exited 1 with no message.
// Asking the filter in the parent turns that into a create/exec error that
// names the call.
#include <linux/audit.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>

#include "runtime/process/seccomp.h"

namespace berth::process {
namespace {

#if defined(__x86_64__)
constexpr uint32_t kNativeArch = AUDIT_ARCH_X86_64;
#elif defined(__aarch64__)
constexpr uint32_t kNativeArch = AUDIT_ARCH_AARCH64;
#else
#error "set kNativeArch for this architecture"
#endif

// The action's name for the message, as the profile spells it.
std::string ActionName(uint32_t ret) {
  switch (ret & SECCOMP_RET_ACTION_FULL) {
    case SECCOMP_RET_KILL_PROCESS: return "SCMP_ACT_KILL_PROCESS";
    case SECCOMP_RET_KILL_THREAD: return "SCMP_ACT_KILL";
    case SECCOMP_RET_TRAP: return "SCMP_ACT_TRAP";
    case SECCOMP_RET_ERRNO: return "SCMP_ACT_ERRNO(" + std::to_string(ret & SECCOMP_RET_DATA) + ")";
    case SECCOMP_RET_TRACE: return "SCMP_ACT_TRACE";
    case SECCOMP_RET_USER_NOTIF: return "SCMP_ACT_NOTIFY";
    case SECCOMP_RET_LOG: return "SCMP_ACT_LOG";
    case SECCOMP_RET_ALLOW: return "SCMP_ACT_ALLOW";
  }
  return "action " + std::to_string(ret);
}

// The call goes through: allowed, logged, or handed to the agent (which may
// let it continue). TRACE without a tracer fails with ENOSYS.
bool LetsThrough(uint32_t ret) {
  uint32_t action = ret & SECCOMP_RET_ACTION_FULL;
  return action == SECCOMP_RET_ALLOW || action == SECCOMP_RET_LOG || action == SECCOMP_RET_USER_NOTIF;
}

}  // namespace

Result<uint32_t> RunSeccompProgram(const std::vector<sock_filter>& program, const seccomp_data& data) {
  // Classic BPF as seccomp accepts it: loads from seccomp_data, scratch
  // memory, ALU, forward jumps only (so the loop ends), RET.
  uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {};
  const auto word_at = [&](uint32_t offset) -> Result<uint32_t> {
    if (offset % 4 != 0 || offset + 4 > sizeof data)
      return Error(EINVAL, "seccomp BPF: load outside seccomp_data");
    uint32_t value;
    std::memcpy(&value, reinterpret_cast<const char*>(&data) + offset, 4);
    return value;
  };
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const sock_filter& insn = program[pc];
    const uint32_t k = insn.k;
    const uint32_t src = BPF_SRC(insn.code) == BPF_X ? x : k;
    switch (BPF_CLASS(insn.code)) {
      case BPF_LD:
      case BPF_LDX: {
        uint32_t value;
        switch (BPF_MODE(insn.code)) {
          case BPF_ABS: value = BERTH_TRY(word_at(k)); break;
          case BPF_IMM: value = k; break;
          case BPF_MEM:
            if (k >= BPF_MEMWORDS) return Error(EINVAL, "seccomp BPF: scratch index out of range");
            value = mem[k];
            break;
          case BPF_LEN: value = sizeof data; break;
          default: return Error(EINVAL, "seccomp BPF: unsupported load at " + std::to_string(pc));
        }
        (BPF_CLASS(insn.code) == BPF_LD ? a : x) = value;
        break;
      }
      case BPF_ST:
      case BPF_STX:
        if (k >= BPF_MEMWORDS) return Error(EINVAL, "seccomp BPF: scratch index out of range");
        mem[k] = BPF_CLASS(insn.code) == BPF_ST ? a : x;
        break;
      case BPF_ALU:
        switch (BPF_OP(insn.code)) {
          case BPF_ADD: a += src; break;
          case BPF_SUB: a -= src; break;
          case BPF_MUL: a *= src; break;
          case BPF_DIV:
            if (src == 0) return uint32_t{SECCOMP_RET_KILL_THREAD};  // the kernel's answer
            a /= src;
            break;
          case BPF_MOD:
            if (src == 0) return uint32_t{SECCOMP_RET_KILL_THREAD};
            a %= src;
            break;
          case BPF_OR: a |= src; break;
          case BPF_AND: a &= src; break;
          case BPF_XOR: a ^= src; break;
          case BPF_LSH: a = src < 32 ? a << src : 0; break;
          case BPF_RSH: a = src < 32 ? a >> src : 0; break;
          case BPF_NEG: a = -a; break;
          default: return Error(EINVAL, "seccomp BPF: unsupported ALU op at " + std::to_string(pc));
        }
        break;
      case BPF_JMP: {
        size_t offset;
        if (BPF_OP(insn.code) == BPF_JA) {
          offset = k;
        } else {
          bool taken;
          switch (BPF_OP(insn.code)) {
            case BPF_JEQ: taken = a == src; break;
            case BPF_JGT: taken = a > src; break;
            case BPF_JGE: taken = a >= src; break;
            case BPF_JSET: taken = (a & src) != 0; break;
            default: return Error(EINVAL, "seccomp BPF: unsupported jump at " + std::to_string(pc));
          }
          offset = taken ? insn.jt : insn.jf;
        }
        if (offset >= program.size() - pc - 1) return Error(EINVAL, "seccomp BPF: jump out of the program");
        pc += offset;
        break;
      }
      case BPF_RET: return BPF_RVAL(insn.code) == BPF_A ? a : k;
      case BPF_MISC:
        if (BPF_MISCOP(insn.code) == BPF_TAX)
          x = a;
        else
          a = x;
        break;
      default: return Error(EINVAL, "seccomp BPF: unsupported instruction at " + std::to_string(pc));
    }
  }
  return Error(EINVAL, "seccomp BPF: the program ends without a return");
}

bool CapsetFollowsFilter(const spec::Process& process) {
  if (process.noNewPrivileges) return false;
  // CAP_SYS_ADMIN kept for the filter is dropped after it, unless the
  // process is to keep it anyway (capabilities.cc: ApplyCapabilitiesRetaining).
  const auto lists = [](const std::vector<std::string>& set) {
    return std::find(set.begin(), set.end(), "CAP_SYS_ADMIN") != set.end();
  };
  return !(process.capabilities && lists(process.capabilities->effective) &&
           lists(process.capabilities->permitted));
}

Status CheckFilterLetsRuntimeFinish(const SeccompFilter& filter, const spec::Process& process) {
  struct Needed {
    int nr;
    const char* name;
    const char* why;
  };
  std::vector<Needed> needed;
  if (filter.uses_notify)
    needed.push_back(
        {SYS_sendmsg, "sendmsg", "to send the notify fd to listenerPath after loading the filter"});
  if (CapsetFollowsFilter(process))
    needed.push_back({SYS_capset, "capset",
                      "to drop CAP_SYS_ADMIN after loading the filter, which process.noNewPrivileges "
                      "false makes it keep (set noNewPrivileges, or allow capset)"});
  needed.push_back({SYS_execve, "execve", "to start the container process"});
  for (const Needed& call : needed) {
    seccomp_data data{};
    data.nr = call.nr;
    data.arch = kNativeArch;
    uint32_t ret = BERTH_TRY(RunSeccompProgram(filter.program, data));
    if (!LetsThrough(ret))
      return Error(EPERM, std::string("the profile answers ") + call.name + " with " + ActionName(ret) +
                              ", but the runtime must call it " + call.why);
  }
  return Ok();
}

}  // namespace berth::process
