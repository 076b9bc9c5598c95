// Where a command's time and memory go: with DISMAKE_PROFILE set in the
// environment, each PhaseTimer prints "dismake profile: <phase> <seconds>
// peak <MiB> MiB" to stderr when it ends (the peak is the process's resident
// memory so far, VmHWM). Off by default, and then it costs one getenv per
// process. The benchmark (tests/bench) and issue notes use it to say what a
// mount, a step or a commit spends its time and memory on.
#pragma once

#include <cstdint>
#include <string>

namespace dismake {

class PhaseTimer {
 public:
  explicit PhaseTimer(std::string phase);
  ~PhaseTimer() { stop(); }
  PhaseTimer(const PhaseTimer&) = delete;
  PhaseTimer& operator=(const PhaseTimer&) = delete;

  // Ends the phase now (prints once; the destructor then does nothing).
  void stop();

  // True when DISMAKE_PROFILE is set (read once per process).
  static bool enabled();

 private:
  std::string phase_;
  std::int64_t start_ns_ = 0;
  bool stopped_ = false;
};

}  // namespace dismake
