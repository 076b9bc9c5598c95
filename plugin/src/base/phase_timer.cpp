#include "dismake/base/phase_timer.h"

#include <time.h>

#include <cstdio>
#include <cstdlib>

namespace dismake {

namespace {

std::int64_t monotonic_ns() {
  struct timespec t {};
  ::clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

}  // namespace

bool PhaseTimer::enabled() {
  static const bool on = [] {
    const char* value = std::getenv("DISMAKE_PROFILE");
    return value != nullptr && *value != '\0';
  }();
  return on;
}

PhaseTimer::PhaseTimer(std::string phase) : phase_(std::move(phase)) {
  if (enabled()) start_ns_ = monotonic_ns();
}

void PhaseTimer::stop() {
  if (!enabled() || stopped_) return;
  stopped_ = true;
  double seconds = static_cast<double>(monotonic_ns() - start_ns_) / 1e9;
  std::fprintf(stderr, "dismake profile: %s %.3f\n", phase_.c_str(), seconds);
}

}  // namespace dismake
