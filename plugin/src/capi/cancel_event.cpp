#include "cancel_event.h"

#include <atomic>
#include <memory>
#include <mutex>
#include <new>
#include <unordered_map>

namespace dismake::capi {

namespace {

// Manual-reset, as the Win32 event DISM programs create for this.
struct CancelFlag {
  std::atomic<bool> set{false};
};

class LiveEvents {
 public:
  HANDLE add() {
    auto flag = std::unique_ptr<CancelFlag>(new (std::nothrow) CancelFlag());
    if (!flag) return nullptr;
    HANDLE handle = flag.get();
    std::lock_guard<std::mutex> lock(mutex_);
    events_.emplace(handle, std::move(flag));
    return handle;
  }

  // The flag of a live handle, else nullptr; the caller holds the lock.
  CancelFlag* find(HANDLE handle) {
    auto it = events_.find(handle);
    return it == events_.end() ? nullptr : it->second.get();
  }

  void remove(HANDLE handle) {
    std::unique_ptr<CancelFlag> flag;
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = events_.find(handle);
    if (it == events_.end()) return;
    flag = std::move(it->second);
    events_.erase(it);
  }

  std::mutex& mutex() { return mutex_; }

 private:
  std::mutex mutex_;
  std::unordered_map<HANDLE, std::unique_ptr<CancelFlag>> events_;
};

LiveEvents& live_events() {
  static LiveEvents* events = new LiveEvents();  // never destroyed: usable at exit
  return *events;
}

}  // namespace

bool cancel_event_is_set(HANDLE handle) noexcept {
  if (!handle) return false;
  LiveEvents& events = live_events();
  std::lock_guard<std::mutex> lock(events.mutex());
  CancelFlag* flag = events.find(handle);
  return flag && flag->set.load(std::memory_order_acquire);
}

HANDLE create_cancel_flag() { return live_events().add(); }

void set_cancel_flag(HANDLE handle) {
  LiveEvents& events = live_events();
  std::lock_guard<std::mutex> lock(events.mutex());
  if (CancelFlag* flag = events.find(handle)) flag->set.store(true, std::memory_order_release);
}

void close_cancel_flag(HANDLE handle) { live_events().remove(handle); }

}  // namespace dismake::capi

extern "C" HANDLE DismakeCreateCancelEvent(void) { return dismake::capi::create_cancel_flag(); }

extern "C" void DismakeSetCancelEvent(HANDLE CancelEvent) {
  dismake::capi::set_cancel_flag(CancelEvent);
}

extern "C" void DismakeCloseCancelEvent(HANDLE CancelEvent) {
  dismake::capi::close_cancel_flag(CancelEvent);
}
