// The one exception type of the library. Every failure a user can cause
// carries what went wrong, what to do about it, and the HRESULT a DISM user
// would expect, so the CLI and the C API report it the same way.
#pragma once

#include <stdexcept>
#include <string>

#include "dismake/base/hresult.h"

namespace dismake {

class Error : public std::runtime_error {
 public:
  // `what` says what was wrong; `hint` says what to do next (may be empty).
  Error(HResult code, std::string what, std::string hint = "");

  HResult code() const { return code_; }
  const std::string& problem() const { return problem_; }
  const std::string& hint() const { return hint_; }

 private:
  HResult code_;
  std::string problem_;
  std::string hint_;
};

// An Error from errno, naming the path the system call was about. A full
// disk (ENOSPC) also names the filesystem: "no space left on /var (ext4)".
// The mount point of the filesystem holding `path` (or its nearest existing
// ancestor), with its type: "/var (ext4)".
std::string filesystem_of(const std::string& path);

Error error_from_errno(const std::string& action, const std::string& path, int err);
[[noreturn]] void throw_errno(const std::string& action, const std::string& path, int err);

}  // namespace dismake
