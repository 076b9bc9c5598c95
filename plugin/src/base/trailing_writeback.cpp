#include "dismake/base/trailing_writeback.h"

#include <fcntl.h>

#include <chrono>

#include "dismake/base/unique_fd.h"

namespace dismake {

namespace {

constexpr std::chrono::milliseconds kInterval{100};

}  // namespace

TrailingWriteback::TrailingWriteback(std::filesystem::path path)
    : path_(std::move(path)), thread_([this] { follow(); }) {}

TrailingWriteback::~TrailingWriteback() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  stop_requested_.notify_one();
  thread_.join();
}

void TrailingWriteback::follow() {
  int fd = -1;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      if (stop_requested_.wait_for(lock, kInterval, [this] { return stop_; })) break;
    }
    // Only a hint: a file not there yet, or a kernel that refuses, leaves
    // the work to the caller's fsync.
    if (fd < 0) fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) ::sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
  }
  UniqueFd close_on_exit(fd);
}

}  // namespace dismake
