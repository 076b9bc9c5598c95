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

FileLock::FileLock(const std::filesystem::path& path, std::chrono::milliseconds timeout,
                   const char* what) {
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw_errno("open lock file", path.string(), errno);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) {
      int err = errno;
      ::close(fd_);
      throw_errno("lock", path.string(), err);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::close(fd_);
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
