#include "runtime/process/testing/docker_like_profile.h"

#include <seccomp.h>

#include <algorithm>
#include <cstdlib>
#include <string>

namespace berth::testing {

spec::Seccomp DockerLikeProfile() {
  // Denied by Docker's default profile (or allowed only with arguments).
  static const char* kDenied[] = {"acct",
                                  "add_key",
                                  "bpf",
                                  "clock_adjtime",
                                  "clock_settime",
                                  "clone",
                                  "clone3",
                                  "create_module",
                                  "delete_module",
                                  "finit_module",
                                  "get_kernel_syms",
                                  "get_mempolicy",
                                  "init_module",
                                  "ioperm",
                                  "iopl",
                                  "kcmp",
                                  "kexec_file_load",
                                  "kexec_load",
                                  "keyctl",
                                  "lookup_dcookie",
                                  "mbind",
                                  "mount",
                                  "move_pages",
                                  "name_to_handle_at",
                                  "nfsservctl",
                                  "open_by_handle_at",
                                  "perf_event_open",
                                  "personality",
                                  "pivot_root",
                                  "process_vm_readv",
                                  "process_vm_writev",
                                  "ptrace",
                                  "query_module",
                                  "quotactl",
                                  "reboot",
                                  "request_key",
                                  "set_mempolicy",
                                  "setns",
                                  "settimeofday",
                                  "stime",
                                  "swapon",
                                  "swapoff",
                                  "sysfs",
                                  "_sysctl",
                                  "umount",
                                  "umount2",
                                  "unshare",
                                  "uselib",
                                  "userfaultfd",
                                  "ustat",
                                  "vm86",
                                  "vm86old"};
  spec::Seccomp profile;
  profile.defaultAction = "SCMP_ACT_ERRNO";
  profile.defaultErrnoRet = 1;
  profile.architectures = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"};
  spec::SeccompSyscall allow;
  allow.action = "SCMP_ACT_ALLOW";
  for (int nr = 0; nr < 460; ++nr) {
    char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, nr);
    if (!name) continue;
    std::string n = name;
    std::free(name);
    if (std::find_if(std::begin(kDenied), std::end(kDenied), [&](const char* d) { return n == d; }) ==
        std::end(kDenied))
      allow.names.push_back(n);
  }
  profile.syscalls.push_back(allow);
  // personality: only a few domains; clone without namespace flags.
  for (uint64_t persona : {0x0ULL, 0x0008ULL, 0x20000ULL, 0x20008ULL, 0xffffffffULL}) {
    spec::SeccompSyscall p;
    p.names = {"personality"};
    p.action = "SCMP_ACT_ALLOW";
    p.args = {spec::SeccompArg{0, persona, 0, "SCMP_CMP_EQ"}};
    profile.syscalls.push_back(p);
  }
  spec::SeccompSyscall clone;
  clone.names = {"clone"};
  clone.action = "SCMP_ACT_ALLOW";
  clone.args = {spec::SeccompArg{0, 0x7E020000, 0, "SCMP_CMP_MASKED_EQ"}};
  profile.syscalls.push_back(clone);
  spec::SeccompSyscall clone3;
  clone3.names = {"clone3"};
  clone3.action = "SCMP_ACT_ERRNO";
  clone3.errnoRet = 38;
  profile.syscalls.push_back(clone3);
  return profile;
}

}  // namespace berth::testing
