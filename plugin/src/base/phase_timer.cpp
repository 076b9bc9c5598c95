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

// The process's peak resident memory so far (VmHWM), in KiB; 0 if unknown.
long peak_rss_kib() {
  long kib = 0;
  if (std::FILE* status = std::fopen("/proc/self/status", "r")) {
    char line[256];
    while (std::fgets(line, sizeof line, status) != nullptr)
      if (std::sscanf(line, "VmHWM: %ld", &kib) == 1) break;
    std::fclose(status);
  }
  return kib;
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
  std::fprintf(stderr, "dismake profile: %s %.3f peak %.1f MiB\n", phase_.c_str(), seconds,
               static_cast<double>(peak_rss_kib()) / 1024);
}

}  // namespace dismake
