// Test helper for sealed_self_test: prints what it was started with (argv,
// environ, every open fd, the exe's protection, the mount table's size), then
// calls ReexecFromProtectedSelf with the method named by argv[1] ("auto",
// "bind" or "memfd") and prints again. The test compares the reports before
// and after the re-exec.
#include <dirent.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "runtime/base/sealed_self.h"

namespace {

// Bytes shown unambiguously: printable ASCII as is, the rest as \xNN.
std::string Escape(const char* s) {
  std::string out;
  for (const unsigned char* p = reinterpret_cast<const unsigned char*>(s); *p; ++p) {
    if (*p >= 0x20 && *p < 0x7f && *p != '\\') {
      out += static_cast<char>(*p);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", *p);
      out += buf;
    }
  }
  return out;
}

void WriteAll(const std::string& text) {
  for (size_t done = 0; done < text.size();) {
    ssize_t n = write(1, text.data() + done, text.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

int CountLines(const char* path) {
  FILE* f = std::fopen(path, "re");
  if (!f) return -1;
  int lines = 0;
  for (int c; (c = std::fgetc(f)) != EOF;)
    if (c == '\n') ++lines;
  std::fclose(f);
  return lines;
}

std::string Report(int argc, char** argv) {
  std::string out = "report\n";
  auto protection = berth::base::CurrentExeProtection();
  out += "exe: " +
         (protection ? std::string(berth::base::ExeProtectionName(*protection))
                     : protection.error().ToString()) +
         "\n";
  for (int i = 0; i < argc; ++i) out += "argv: " + Escape(argv[i]) + "\n";
  out += "argv_null: " + std::string(argv[argc] == nullptr ? "yes" : "no") + "\n";
  for (char** e = environ; *e; ++e) out += "env: " + Escape(*e) + "\n";
  DIR* dir = opendir("/proc/self/fd");
  if (dir) {
    while (struct dirent* entry = readdir(dir)) {
      int fd = std::atoi(entry->d_name);
      if (entry->d_name[0] == '.' || fd == dirfd(dir)) continue;
      char target[4096] = {};
      std::string link = std::string("/proc/self/fd/") + entry->d_name;
      ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
      if (n > 0) target[n] = 0;
      out += "fd " + std::to_string(fd) + ": " + target + " fd_flags=" + std::to_string(fcntl(fd, F_GETFD)) +
             " status_flags=" + std::to_string(fcntl(fd, F_GETFL)) + "\n";
    }
    closedir(dir);
  }
  out += "mountinfo_lines: " + std::to_string(CountLines("/proc/self/mountinfo")) + "\n";
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  WriteAll(Report(argc, argv));
  using berth::base::ReexecMethod;
  ReexecMethod method = ReexecMethod::kAuto;
  if (argc > 1 && std::strcmp(argv[1], "bind") == 0) method = ReexecMethod::kReadOnlyBind;
  if (argc > 1 && std::strcmp(argv[1], "memfd") == 0) method = ReexecMethod::kSealedMemfd;
  berth::Status s = berth::base::ReexecFromProtectedSelf(argv, environ, method);
  if (!s) {
    WriteAll("error: " + s.error().ToString() + "\n");
    return 1;
  }
  // Already protected: ReexecFromProtectedSelf returned without exec'ing.
  WriteAll("done\n");
  return 0;
}
