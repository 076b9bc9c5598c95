#include "dismake/base/error.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace dismake {

namespace {
std::string compose(HResult code, const std::string& what, const std::string& hint) {
  std::string text = what;
  if (!hint.empty()) text += "; " + hint;
  return text + " (" + format_hresult(code) + ")";
}

HResult hresult_from_errno(int err) {
  switch (err) {
    case ENOENT:
      return hr::kFileNotFound;
    case ENOTDIR:
      return hr::kPathNotFound;
    case EACCES:
    case EPERM:
      return hr::kAccessDenied;
    case EEXIST:
      return hr::kAlreadyExists;
    case ENOTEMPTY:
      return hr::kDirNotEmpty;
    case ENAMETOOLONG:
      return hr::kFilenameTooLong;
    case ENOSPC:
      return hr::kDiskFull;
    case EROFS:
      return hr::kWriteProtect;
    case ENOMEM:
      return hr::kOutOfMemory;
    default:
      return hr::kFail;
  }
}
}  // namespace

Error::Error(HResult code, std::string what, std::string hint)
    : std::runtime_error(compose(code, what, hint)),
      code_(code),
      problem_(std::move(what)),
      hint_(std::move(hint)) {}

std::string filesystem_of(const std::string& path) {
  std::filesystem::path p = std::filesystem::absolute(path);
  struct stat st {};
  while (::stat(p.c_str(), &st) != 0 && p.has_relative_path()) p = p.parent_path();
  dev_t dev = st.st_dev;
  while (p.has_relative_path()) {
    struct stat up {};
    if (::stat(p.parent_path().c_str(), &up) != 0 || up.st_dev != dev) break;
    p = p.parent_path();
  }
  std::string type;
  std::ifstream mounts("/proc/self/mounts");
  std::string device, point, fstype, rest;
  while (mounts >> device >> point >> fstype && std::getline(mounts, rest))
    if (point == p.string()) type = fstype;  // the last mount there is the one seen
  return p.string() + (type.empty() ? "" : " (" + type + ")");
}

Error error_from_errno(const std::string& action, const std::string& path, int err) {
  if (err == ENOSPC)
    return Error(hr::kDiskFull,
                 "cannot " + action + " '" + path + "': no space left on " + filesystem_of(path),
                 "free space there (or point the mount or output elsewhere), then run the "
                 "command again");
  return Error(hresult_from_errno(err),
               "cannot " + action + " '" + path + "': " + std::strerror(err));
}

void throw_errno(const std::string& action, const std::string& path, int err) {
  throw error_from_errno(action, path, err);
}

}  // namespace dismake
