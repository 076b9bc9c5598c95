#include "progress_printer.h"

#include <unistd.h>

#include <cstdio>
#include <memory>

namespace dismake::cli {

namespace {
constexpr int kLineStepPercent = 10;

struct PrinterState {
  std::string label;
  bool tty = false;
  int last_percent = -1;
};

void print(PrinterState& state, std::uint64_t done, std::uint64_t total) {
  int percent = total == 0 ? 100 : static_cast<int>(done * 100 / total);
  if (state.tty) {
    if (percent == state.last_percent) return;
    std::fprintf(stderr, "\r%s: %3d%%%s", state.label.c_str(), percent, percent == 100 ? "\n" : "");
  } else {
    if (state.last_percent >= 0 && percent < 100 &&
        percent / kLineStepPercent == state.last_percent / kLineStepPercent)
      return;
    if (percent == state.last_percent) return;
    std::fprintf(stderr, "%s: %d%%\n", state.label.c_str(), percent);
  }
  state.last_percent = percent;
}
}  // namespace

ProgressFn progress_printer(const std::string& label, bool quiet) {
  if (quiet) return [](std::uint64_t, std::uint64_t) { return true; };
  auto state = std::make_shared<PrinterState>();
  state->label = "dismake: " + label;
  state->tty = ::isatty(STDERR_FILENO) != 0;
  return [state](std::uint64_t done, std::uint64_t total) {
    print(*state, done, total);
    return true;
  };
}

}  // namespace dismake::cli
