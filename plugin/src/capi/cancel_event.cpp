#include "cancel_event.h"

#include <atomic>
#include <cstdint>
#include <new>

#include "dismake/base/error.h"

namespace dismake::capi {

namespace {

constexpr std::uint64_t kMagic = 0x43414E43454C4556;  // "CANCELEV"

// Manual-reset, as the Win32 event DISM programs create for this.
struct CancelFlag {
  std::uint64_t magic = kMagic;
  std::atomic<bool> set{false};
};

CancelFlag* flag_of(HANDLE handle) {
  auto* flag = static_cast<CancelFlag*>(handle);
  if (flag->magic != kMagic)
    throw Error(hr::kInvalidArg, "CancelEvent is not a handle made by DismakeCreateCancelEvent",
                "Linux has no Win32 events: use DismakeCreateCancelEvent()");
  return flag;
}

}  // namespace

bool cancel_event_is_set(HANDLE handle) {
  return handle && flag_of(handle)->set.load(std::memory_order_acquire);
}

HANDLE create_cancel_flag() { return new (std::nothrow) CancelFlag(); }

void set_cancel_flag(HANDLE handle) {
  if (handle) static_cast<CancelFlag*>(handle)->set.store(true, std::memory_order_release);
}

void close_cancel_flag(HANDLE handle) {
  auto* flag = static_cast<CancelFlag*>(handle);
  if (flag) flag->magic = 0;
  delete flag;
}

}  // namespace dismake::capi

extern "C" HANDLE DismakeCreateCancelEvent(void) { return dismake::capi::create_cancel_flag(); }

extern "C" void DismakeSetCancelEvent(HANDLE CancelEvent) {
  dismake::capi::set_cancel_flag(CancelEvent);
}

extern "C" void DismakeCloseCancelEvent(HANDLE CancelEvent) {
  dismake::capi::close_cancel_flag(CancelEvent);
}
