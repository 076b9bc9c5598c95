#include "dismake/base/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <string>
#include <thread>

#include "dismake/base/error.h"

namespace dismake {

namespace {

// A lock file that cannot be written means a read-only record directory:
// reading commands still work there, changing ones cannot.
[[noreturn]] void throw_lock_open_error(const std::filesystem::path& path, int err) {
  Error error = error_from_errno("open lock file", path.string(), err);
  if (err != EACCES && err != EPERM && err != EROFS) throw error;
  throw Error(error.code(), error.problem(),
              "its directory is read-only: reading commands (`dismake status`) still work; "
              "make it writable to change it");
}

}  // namespace

FileLock::FileLock(const std::filesystem::path& path, std::chrono::milliseconds timeout,
                   const char* what) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw_lock_open_error(path, errno);
  acquire(path, LOCK_EX, timeout, what);
}

FileLock FileLock::for_reading(const std::filesystem::path& path, std::chrono::milliseconds timeout,
                               const char* what) {
  FileLock lock;
  lock.fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock.fd_ >= 0) {
    lock.acquire(path, LOCK_EX, timeout, what);
    return lock;
  }
  if (errno != EACCES && errno != EPERM && errno != EROFS) throw_lock_open_error(path, errno);
  lock.writable_ = false;
  lock.fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (lock.fd_ >= 0) lock.acquire(path, LOCK_SH, timeout, what);
  return lock;
}

void FileLock::acquire(const std::filesystem::path& path, int operation,
                       std::chrono::milliseconds timeout, const char* what) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (::flock(fd_, operation | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      int err = errno;
      ::close(fd_);
      fd_ = -1;
      throw_errno("lock", path.string(), err);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::close(fd_);
      fd_ = -1;
      throw Error(hr::kBusy, std::string(what) + " is in use by another dismake process",
                  "wait for it to finish, or raise DISMAKE_LOCK_TIMEOUT (seconds)");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);
}

std::chrono::milliseconds default_lock_timeout() {
  if (const char* env = std::getenv("DISMAKE_LOCK_TIMEOUT")) {
    char* end = nullptr;
    double seconds = std::strtod(env, &end);
    if (end != env && seconds >= 0)
      return std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  }
  return std::chrono::seconds(60);
}

}  // namespace dismake
