// An exclusive advisory lock (flock) on a file, held for the object's life.
// Two dismake processes that change the same mount take its lock, so they
// wait for each other instead of interleaving.
#pragma once

#include <chrono>
#include <filesystem>

namespace dismake {

class FileLock {
 public:
  // Waits up to `timeout` for the lock; throws Error (DISMAPI_E_BUSY) naming
  // `what` when another process still holds it.
  FileLock(const std::filesystem::path& path, std::chrono::milliseconds timeout, const char* what);
  ~FileLock();
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
};

// How long a command waits for a mount's lock: DISMAKE_LOCK_TIMEOUT seconds
// when set, else 60 s.
std::chrono::milliseconds default_lock_timeout();

}  // namespace dismake
