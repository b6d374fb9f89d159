// A container payload that stays alive until killed, for `exec` benchmarks.
#include <unistd.h>

int main() {
  for (;;) pause();
}
