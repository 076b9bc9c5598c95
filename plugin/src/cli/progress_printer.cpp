#include "progress_printer.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

namespace dismake::cli {

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kBarWidth = 30;
constexpr double kDefaultIntervalSeconds = 5;

struct PrinterState {
  std::string label;
  bool tty = false;
  int last_percent = -1;
  Clock::time_point last_line;
  std::chrono::duration<double> interval{kDefaultIntervalSeconds};
};

std::chrono::duration<double> line_interval() {
  const char* text = std::getenv("DISMAKE_PROGRESS_INTERVAL");
  if (!text || !*text) return std::chrono::duration<double>(kDefaultIntervalSeconds);
  char* end = nullptr;
  double seconds = std::strtod(text, &end);
  if (*end || seconds < 0) return std::chrono::duration<double>(kDefaultIntervalSeconds);
  return std::chrono::duration<double>(seconds);
}

void draw_bar(const PrinterState& state, int percent) {
  int filled = percent * kBarWidth / 100;
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(kBarWidth - filled), ' ');
  std::fprintf(stderr, "\r%s [%s] %3d%%%s", state.label.c_str(), bar.c_str(), percent,
               percent == 100 ? "\n" : "");
  std::fflush(stderr);
}

void print(PrinterState& state, std::uint64_t done, std::uint64_t total) {
  int percent = total == 0 ? 100 : static_cast<int>(done * 100 / total);
  if (percent == state.last_percent) return;
  if (state.tty) {
    draw_bar(state, percent);
  } else {
    // The first line, the last, and one per interval between them.
    Clock::time_point now = Clock::now();
    bool first = state.last_percent < 0;
    if (!first && percent < 100 && now - state.last_line < state.interval) return;
    std::fprintf(stderr, "%s: %d%%\n", state.label.c_str(), percent);
    std::fflush(stderr);
    state.last_line = now;
  }
  state.last_percent = percent;
}

}  // namespace

ProgressFn progress_printer(const std::string& label, bool quiet) {
  if (quiet) return [](std::uint64_t, std::uint64_t) { return true; };
  auto state = std::make_shared<PrinterState>();
  state->label = "dismake: " + label;
  state->tty = ::isatty(STDERR_FILENO) != 0;
  state->interval = line_interval();
  return [state](std::uint64_t done, std::uint64_t total) {
    print(*state, done, total);
    return true;
  };
}

}  // namespace dismake::cli
