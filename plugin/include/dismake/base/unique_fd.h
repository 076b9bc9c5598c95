// UniqueFd: a file descriptor closed when it goes out of scope, for the
// places that work below std::fstream (O_NOFOLLOW, SEEK_DATA, fsync).
#pragma once

#include <unistd.h>

namespace dismake {

class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  // -1 when the open failed.
  int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace dismake
