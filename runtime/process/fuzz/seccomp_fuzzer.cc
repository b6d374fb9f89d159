// libFuzzer target for seccomp profiles: read a linux.seccomp object and
// compile it to classic BPF with libseccomp, as the parent does before clone
// (built by tools/fuzz; replayed over fuzz/corpus/seccomp by
// seccomp_fuzzer_corpus_test). Compile only: nothing is ever installed.
//
// A compiled program must be one the kernel would accept (every jump inside
// the program, loads inside seccomp_data, ends in a return, at most
// BPF_MAXINSNS instructions), and when it is run on sample syscalls of the
// native architecture it must return only actions the profile names; write(2)
// must never be sent to a notify listener (the init writes to its sync socket
// after the filter is installed).
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "runtime/process/seccomp.h"
#include "spec/config_json.h"

namespace {

void Check(bool condition) {
  if (!condition) __builtin_trap();
}

// What seccomp_check_filter() and sk_chk_filter() require of the shape.
void CheckShape(const std::vector<sock_filter>& program) {
  Check(!program.empty() && program.size() <= BPF_MAXINSNS);
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const sock_filter& in = program[pc];
    const size_t left = program.size() - pc - 1;
    switch (BPF_CLASS(in.code)) {
      case BPF_LD:
        if (BPF_MODE(in.code) == BPF_ABS) {
          Check(BPF_SIZE(in.code) == BPF_W);
          Check(in.k < sizeof(seccomp_data) && in.k % 4 == 0);
        }
        if (BPF_MODE(in.code) == BPF_MEM) Check(in.k < BPF_MEMWORDS);
        break;
      case BPF_LDX:
      case BPF_ST:
      case BPF_STX:
        if (BPF_CLASS(in.code) != BPF_LDX || BPF_MODE(in.code) == BPF_MEM) Check(in.k < BPF_MEMWORDS);
        break;
      case BPF_JMP:
        if (BPF_OP(in.code) == BPF_JA)
          Check(in.k <= left);
        else
          Check(in.jt <= left && in.jf <= left);
        break;
      case BPF_RET:
      case BPF_ALU:
      case BPF_MISC: break;
      default: Check(false);
    }
  }
  Check(BPF_CLASS(program.back().code) == BPF_RET);
}

// A classic BPF interpreter for the instructions seccomp filters use.
uint32_t Run(const std::vector<sock_filter>& program, const seccomp_data& data) {
  uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = {};
  for (size_t pc = 0; pc < program.size(); ++pc) {
    const sock_filter& in = program[pc];
    const uint32_t src = BPF_SRC(in.code) == BPF_X ? x : in.k;
    switch (BPF_CLASS(in.code)) {
      case BPF_LD:
        if (BPF_MODE(in.code) == BPF_ABS)
          std::memcpy(&a, reinterpret_cast<const char*>(&data) + in.k, 4);
        else if (BPF_MODE(in.code) == BPF_IMM)
          a = in.k;
        else if (BPF_MODE(in.code) == BPF_MEM)
          a = mem[in.k];
        else if (BPF_MODE(in.code) == BPF_LEN)
          a = sizeof data;
        else
          Check(false);
        break;
      case BPF_LDX:
        x = BPF_MODE(in.code) == BPF_MEM   ? mem[in.k]
            : BPF_MODE(in.code) == BPF_LEN ? static_cast<uint32_t>(sizeof data)
                                           : in.k;
        break;
      case BPF_ST: mem[in.k] = a; break;
      case BPF_STX: mem[in.k] = x; break;
      case BPF_ALU:
        switch (BPF_OP(in.code)) {
          case BPF_ADD: a += src; break;
          case BPF_SUB: a -= src; break;
          case BPF_MUL: a *= src; break;
          case BPF_DIV:
            Check(src != 0);
            a /= src;
            break;
          case BPF_MOD:
            Check(src != 0);
            a %= src;
            break;
          case BPF_AND: a &= src; break;
          case BPF_OR: a |= src; break;
          case BPF_XOR: a ^= src; break;
          case BPF_LSH: a = src < 32 ? a << src : 0; break;
          case BPF_RSH: a = src < 32 ? a >> src : 0; break;
          case BPF_NEG: a = -a; break;
          default: Check(false);
        }
        break;
      case BPF_JMP: {
        bool taken = false;
        switch (BPF_OP(in.code)) {
          case BPF_JA: pc += in.k; continue;
          case BPF_JEQ: taken = a == src; break;
          case BPF_JGT: taken = a > src; break;
          case BPF_JGE: taken = a >= src; break;
          case BPF_JSET: taken = (a & src) != 0; break;
          default: Check(false);
        }
        pc += taken ? in.jt : in.jf;
        break;
      }
      case BPF_RET: return BPF_RVAL(in.code) == BPF_A ? a : in.k;
      case BPF_MISC:
        if (BPF_MISCOP(in.code) == BPF_TAX)
          x = a;
        else
          a = x;
        break;
    }
  }
  Check(false);  // fell off the end (CheckShape rules it out)
  return 0;
}

uint32_t ActionOf(uint32_t ret) { return ret & SECCOMP_RET_ACTION_FULL; }

bool KnownAction(uint32_t action) {
  switch (action) {
    case SECCOMP_RET_KILL_PROCESS:
    case SECCOMP_RET_KILL_THREAD:
    case SECCOMP_RET_TRAP:
    case SECCOMP_RET_ERRNO:
    case SECCOMP_RET_USER_NOTIF:
    case SECCOMP_RET_TRACE:
    case SECCOMP_RET_LOG:
    case SECCOMP_RET_ALLOW: return true;
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto profile = berth::spec::ParseSeccomp(text);
  if (!profile.ok()) {
    Check(!profile.error().message().empty());
    return 0;
  }
  auto filter = berth::process::CompileSeccomp(profile.value());
  if (!filter.ok()) {
    Check(!filter.error().message().empty());
    return 0;
  }
  const auto& program = filter.value().program;
  CheckShape(program);

  // Sample syscalls of the native architecture, arguments all zero and all
  // ones: the program must decide each with a real action.
  const int samples[] = {SYS_read, SYS_write, SYS_openat, SYS_clone, SYS_mount, SYS_ptrace,
                         SYS_kill, 0,         449,        1023,      -1};
  for (int nr : samples) {
    for (uint64_t arg : {uint64_t{0}, ~uint64_t{0}}) {
      seccomp_data sd{};
      sd.nr = nr;
      sd.arch = AUDIT_ARCH_X86_64;
      for (auto& a : sd.args) a = arg;
      const uint32_t action = ActionOf(Run(program, sd));
      Check(KnownAction(action));
      if (action == SECCOMP_RET_USER_NOTIF) Check(filter.value().uses_notify);
      if (nr == SYS_write) Check(action != SECCOMP_RET_USER_NOTIF);
    }
  }
  return 0;
}
