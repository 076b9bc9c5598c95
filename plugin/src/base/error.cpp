#include "dismake/base/error.h"

#include <cerrno>
#include <cstring>

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

void throw_errno(const std::string& action, const std::string& path, int err) {
  throw Error(hresult_from_errno(err),
              "cannot " + action + " '" + path + "': " + std::strerror(err));
}

}  // namespace dismake
