#include "progress_bridge.h"

#include <algorithm>
#include <climits>
#include <utility>

#include "cancel_event.h"
#include "dismake/base/error.h"

namespace dismake::capi {

namespace {

// Both shifted by the same amount, so their ratio survives.
std::pair<UINT, UINT> scale(std::uint64_t current, std::uint64_t total) {
  unsigned shift = 0;
  while ((std::max(current, total) >> shift) > UINT_MAX) ++shift;
  return {static_cast<UINT>(current >> shift), static_cast<UINT>(total >> shift)};
}

[[noreturn]] void throw_cancelled() {
  throw Error(hr::kRequestAborted, "the operation was cancelled through its CancelEvent",
              "nothing was changed");
}

}  // namespace

ProgressBridge::ProgressBridge(HANDLE cancel_event, DISM_PROGRESS_CALLBACK callback,
                               void* user_data)
    : cancel_event_(cancel_event), callback_(callback), user_data_(user_data) {
  if (cancel_event_is_set(cancel_event_)) throw_cancelled();
}

// The event was checked by the constructor; from here on a report runs
// inside wimlib's callbacks, where nothing may throw.
bool ProgressBridge::report(std::uint64_t current, std::uint64_t total) {
  if (cancel_event_is_set(cancel_event_)) return false;
  auto [scaled_current, scaled_total] = scale(current, total);
  reported_ = true;
  last_current_ = scaled_current;
  last_total_ = scaled_total;
  if (callback_) callback_(scaled_current, scaled_total, user_data_);
  // A callback may set the event itself; stop at once rather than a step later.
  return !cancel_event_is_set(cancel_event_);
}

ProgressFn ProgressBridge::fn() {
  return [this](std::uint64_t current, std::uint64_t total) { return report(current, total); };
}

void ProgressBridge::step(std::uint64_t done, std::uint64_t total) {
  if (!report(done, total)) throw_cancelled();
}

void ProgressBridge::finish() {
  if (reported_ && last_current_ != last_total_ && callback_)
    callback_(last_total_, last_total_, user_data_);
}

}  // namespace dismake::capi
