#include "runtime/terminal/terminal.h"

namespace berth::terminal {

Result<ConsolePair> OpenConsole() { return Error(ENOSYS, "terminal: not yet implemented"); }
Status SendConsoleMaster(int, int) { return Error(ENOSYS, "terminal: not yet implemented"); }
Status BecomeControllingTerminal(int, const std::optional<spec::ConsoleSize>&) {
  return Error(ENOSYS, "terminal: not yet implemented");
}

}  // namespace berth::terminal
