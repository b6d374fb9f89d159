#include "runtime/cgroups/device_filter.h"

#include <unistd.h>

#include <cstring>

#include "runtime/base/syscalls.h"

// GCC 12 reports a false -Wstringop-overflow for vectors of bpf_insn (a
// struct with 4-bit fields) at -O2 (GCC bug 106297 family).
#pragma GCC diagnostic ignored "-Wstringop-overflow"

namespace berth::cgroups {
namespace {

// Registers: r1 = ctx (then scratch), r2 = device type, r3 = access bits,
// r4 = major, r5 = minor.
bpf_insn Insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn insn;
  std::memset(&insn, 0, sizeof insn);
  insn.code = code;
  insn.dst_reg = dst & 0xf;
  insn.src_reg = src & 0xf;
  insn.off = off;
  insn.imm = imm;
  return insn;
}
bpf_insn LoadCtxWord(uint8_t dst, int16_t off) { return Insn(BPF_LDX | BPF_MEM | BPF_W, dst, 1, off, 0); }
bpf_insn Alu32Imm(uint8_t op, uint8_t dst, int32_t imm) { return Insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm); }
bpf_insn Alu64Imm(uint8_t op, uint8_t dst, int32_t imm) {
  return Insn(BPF_ALU64 | op | BPF_K, dst, 0, 0, imm);
}
bpf_insn MovReg(uint8_t dst, uint8_t src) { return Insn(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0); }
bpf_insn JumpIfNotEqual(uint8_t dst, int32_t imm) { return Insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, 0, imm); }
bpf_insn Exit() { return Insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0); }

int AccessBits(const std::string& access) {
  int bits = 0;
  for (char c : access) {
    if (c == 'r') bits |= BPF_DEVCG_ACC_READ;
    if (c == 'w') bits |= BPF_DEVCG_ACC_WRITE;
    if (c == 'm') bits |= BPF_DEVCG_ACC_MKNOD;
  }
  return bits;
}

constexpr int kAllAccess = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;

long Bpf(int cmd, bpf_attr* attr) { return sys::Bpf(cmd, attr, sizeof *attr); }

}  // namespace

std::vector<bpf_insn> CompileDeviceFilter(const std::vector<spec::DeviceCgroupRule>& rules) {
  std::vector<bpf_insn> prog = {
      LoadCtxWord(2, offsetof(bpf_cgroup_dev_ctx, access_type)),
      Alu32Imm(BPF_AND, 2, 0xffff),
      LoadCtxWord(3, offsetof(bpf_cgroup_dev_ctx, access_type)),
      Alu32Imm(BPF_RSH, 3, 16),
      LoadCtxWord(4, offsetof(bpf_cgroup_dev_ctx, major)),
      LoadCtxWord(5, offsetof(bpf_cgroup_dev_ctx, minor)),
  };
  // Last match wins: test the rules from the last one back; the first test
  // that matches returns that rule's verdict.
  for (auto it = rules.rbegin(); it != rules.rend(); ++it) {
    const auto& rule = *it;
    std::vector<bpf_insn> block;
    std::vector<size_t> jumps;  // indexes of "skip to next rule" jumps
    const std::string type = rule.type.empty() ? "a" : rule.type;
    if (type != "a") {
      jumps.push_back(block.size());
      block.push_back(JumpIfNotEqual(2, type == "c" ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK));
    }
    int access = rule.access.empty() ? kAllAccess : AccessBits(rule.access);
    if (access != kAllAccess) {
      // The rule matches when every requested access bit is in the rule.
      block.push_back(MovReg(1, 3));
      block.push_back(Alu64Imm(BPF_AND, 1, ~access & kAllAccess));
      jumps.push_back(block.size());
      block.push_back(JumpIfNotEqual(1, 0));
    }
    if (rule.major) {
      jumps.push_back(block.size());
      block.push_back(JumpIfNotEqual(4, static_cast<int32_t>(*rule.major)));
    }
    if (rule.minor) {
      jumps.push_back(block.size());
      block.push_back(JumpIfNotEqual(5, static_cast<int32_t>(*rule.minor)));
    }
    block.push_back(Alu64Imm(BPF_MOV, 0, rule.allow ? 1 : 0));
    block.push_back(Exit());
    for (size_t j : jumps) block[j].off = static_cast<int16_t>(block.size() - j - 1);
    prog.insert(prog.end(), block.begin(), block.end());
    // A rule that matches everything ends the program: what follows is dead.
    if (jumps.empty()) return prog;
  }
  prog.push_back(Alu64Imm(BPF_MOV, 0, 0));
  prog.push_back(Exit());
  return prog;
}

Status AttachDeviceProgram(int cgroup_dir_fd, const std::vector<bpf_insn>& program) {
  static const char kLicense[] = "Apache";
  bpf_attr load;
  std::memset(&load, 0, sizeof load);
  load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  load.insns = reinterpret_cast<uintptr_t>(program.data());
  load.insn_cnt = static_cast<uint32_t>(program.size());
  load.license = reinterpret_cast<uintptr_t>(kLicense);
  // BPF fds are always close-on-exec.
  int prog_fd = static_cast<int>(Bpf(BPF_PROG_LOAD, &load));
  if (prog_fd < 0) return Error::Sys("bpf(BPF_PROG_LOAD) of the device filter");

  uint32_t old_ids[64];
  bpf_attr query;
  std::memset(&query, 0, sizeof query);
  query.query.target_fd = static_cast<uint32_t>(cgroup_dir_fd);
  query.query.attach_type = BPF_CGROUP_DEVICE;
  query.query.prog_ids = reinterpret_cast<uintptr_t>(old_ids);
  query.query.prog_cnt = 64;
  uint32_t old_count = 0;
  if (Bpf(BPF_PROG_QUERY, &query) == 0) old_count = query.query.prog_cnt;

  bpf_attr attach;
  std::memset(&attach, 0, sizeof attach);
  attach.target_fd = static_cast<uint32_t>(cgroup_dir_fd);
  attach.attach_bpf_fd = static_cast<uint32_t>(prog_fd);
  attach.attach_type = BPF_CGROUP_DEVICE;
  attach.attach_flags = BPF_F_ALLOW_MULTI;
  if (Bpf(BPF_PROG_ATTACH, &attach) != 0) {
    Error err = Error::Sys("bpf(BPF_PROG_ATTACH) of the device filter");
    close(prog_fd);
    return err;
  }
  close(prog_fd);

  for (uint32_t i = 0; i < old_count && i < 64; ++i) {
    bpf_attr get;
    std::memset(&get, 0, sizeof get);
    get.prog_id = old_ids[i];
    int old_fd = static_cast<int>(Bpf(BPF_PROG_GET_FD_BY_ID, &get));
    if (old_fd < 0) continue;  // already gone
    bpf_attr detach;
    std::memset(&detach, 0, sizeof detach);
    detach.target_fd = static_cast<uint32_t>(cgroup_dir_fd);
    detach.attach_bpf_fd = static_cast<uint32_t>(old_fd);
    detach.attach_type = BPF_CGROUP_DEVICE;
    long rc = Bpf(BPF_PROG_DETACH, &detach);
    Error err = Error::Sys("bpf(BPF_PROG_DETACH) of the previous device filter");
    close(old_fd);
    if (rc != 0 && err.code() != ENOENT) return err;
  }
  return Ok();
}

}  // namespace berth::cgroups
