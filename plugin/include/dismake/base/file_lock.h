// An exclusive advisory lock (flock) on a file, held for the object's life.
// Two dismake processes that change the same mount take its lock, so they
// wait for each other instead of interleaving. A reader that cannot write
// the lock file (a read-only record directory) takes a shared lock instead.
#pragma once

#include <chrono>
#include <filesystem>

namespace dismake {

class FileLock {
 public:
  // Waits up to `timeout` for the lock; throws Error (DISMAPI_E_BUSY) naming
  // `what` when another process still holds it.
  FileLock(const std::filesystem::path& path, std::chrono::milliseconds timeout, const char* what);
  // For a reader only: the exclusive lock when `path` can be written, else
  // a shared one on the file opened read-only (it still waits for a writer
  // that holds the lock), else none when the file cannot be opened at all
  // (nobody can write what it guards then). `writable()` says which.
  static FileLock for_reading(const std::filesystem::path& path, std::chrono::milliseconds timeout,
                              const char* what);
  ~FileLock();
  FileLock(FileLock&& other) noexcept : fd_(other.fd_), writable_(other.writable_) {
    other.fd_ = -1;
  }
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

  // False when for_reading could not open the file for writing.
  bool writable() const { return writable_; }

 private:
  FileLock() = default;
  // Takes `operation` (LOCK_EX or LOCK_SH) on fd_, closing it on failure.
  void acquire(const std::filesystem::path& path, int operation, std::chrono::milliseconds timeout,
               const char* what);

  int fd_ = -1;
  bool writable_ = true;
};

// How long a command waits for a mount's lock: DISMAKE_LOCK_TIMEOUT seconds
// when set, else 60 s.
std::chrono::milliseconds default_lock_timeout();

}  // namespace dismake
