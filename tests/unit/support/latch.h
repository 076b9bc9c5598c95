// A one-shot countdown latch (C++17 has no std::latch): lets a test hold
// threads at a known point and know for certain that they have reached it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace dismake::test {

class Latch {
 public:
  explicit Latch(int count) : count_(count) {}

  void count_down() {
    std::lock_guard<std::mutex> lock(mutex_);
    if (--count_ == 0) reached_zero_.notify_all();
  }

  void wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    reached_zero_.wait(lock, [&] { return count_ <= 0; });
  }

  // True if the count reached zero within `timeout`.
  bool wait_for(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    return reached_zero_.wait_for(lock, timeout, [&] { return count_ <= 0; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable reached_zero_;
  int count_;
};

}  // namespace dismake::test
