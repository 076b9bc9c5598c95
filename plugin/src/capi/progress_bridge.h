// DISM's (CancelEvent, Progress, UserData) triple as the ProgressFn the
// store takes: 64-bit byte counts scaled into DISM's UINT pair, and the
// cancel event turned into the `false` that makes an operation stop with
// ERROR_REQUEST_ABORTED and roll back.
#pragma once

#include <cstdint>

#include "dismake/base/progress.h"
#include "dismapi.h"

namespace dismake::capi {

class ProgressBridge {
 public:
  // Throws Error ERROR_REQUEST_ABORTED when the event is already set, so a
  // cancelled operation never starts. A foreign handle never cancels.
  ProgressBridge(HANDLE cancel_event, DISM_PROGRESS_CALLBACK callback, void* user_data);

  // Reports to the callback; false once the event is set. Must not outlive
  // this bridge.
  ProgressFn fn();

  // Reports one step of a count the caller keeps (for operations that are
  // no byte stream). Throws ERROR_REQUEST_ABORTED once the event is set.
  void step(std::uint64_t done, std::uint64_t total);

  // After success: makes sure the last report has Current == Total.
  void finish();

 private:
  bool report(std::uint64_t current, std::uint64_t total);

  HANDLE cancel_event_;
  DISM_PROGRESS_CALLBACK callback_;
  void* user_data_;
  bool reported_ = false;
  UINT last_current_ = 0;
  UINT last_total_ = 0;
};

}  // namespace dismake::capi
