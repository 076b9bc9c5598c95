#include "dismake/base/clock.h"

#include <time.h>

#include <cstdlib>
#include <ctime>

#include "dismake/base/error.h"

namespace dismake {

std::int64_t now_ns() {
  struct timespec t {};
  ::clock_gettime(CLOCK_REALTIME, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

std::string utc_now_iso8601() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::int64_t reproducible_time(std::int64_t fallback) {
  const char* env = std::getenv("SOURCE_DATE_EPOCH");
  if (env == nullptr || *env == '\0') return fallback;
  char* end = nullptr;
  long long value = std::strtoll(env, &end, 10);
  if (*end != '\0' || value < 0)
    throw Error(hr::kInvalidArg, std::string("SOURCE_DATE_EPOCH='") + env + "' is not a Unix time",
                "set it to whole seconds since 1970, e.g. $(git log -1 --format=%ct)");
  return value;
}

}  // namespace dismake
