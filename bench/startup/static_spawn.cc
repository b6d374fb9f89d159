// A container payload holding N processes (itself and N-1 children), each
// sleeping until killed: what `delete --force` has to kill in the
// delete_100_processes benchmark. Usage: /bin/spawn N
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char** argv) {
  int processes = argc > 1 ? atoi(argv[1]) : 1;
  for (int i = 1; i < processes; ++i) {
    pid_t pid = fork();
    if (pid == 0) break;  // a child sleeps too
    if (pid < 0) return 1;
  }
  for (;;) pause();
}
