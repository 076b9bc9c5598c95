#include "wim_error.h"

#include <sys/statvfs.h>
#include <wimlib.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>

#include "dismake/base/error.h"

namespace dismake {

namespace {
// Less than a megabyte free for unprivileged writers: wimlib's failed write
// was, most likely, the disk running out.
bool filesystem_is_full(const std::string& path) {
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  struct statvfs fs {};
  if (::statvfs(dir.empty() ? "." : dir.c_str(), &fs) != 0) return false;
  return static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize < (1U << 20);
}

HResult hresult_for(int ret) {
  switch (ret) {
    case WIMLIB_ERR_OPEN:
      return hr::kFileNotFound;
    case WIMLIB_ERR_IS_DIRECTORY:
    case WIMLIB_ERR_NOT_A_WIM_FILE:
    case WIMLIB_ERR_UNKNOWN_VERSION:
    case WIMLIB_ERR_IMAGE_COUNT:
      return hr::kBadFormat;
    case WIMLIB_ERR_INVALID_HEADER:
    case WIMLIB_ERR_UNEXPECTED_END_OF_FILE:
    case WIMLIB_ERR_READ:
    case WIMLIB_ERR_XML:
    case WIMLIB_ERR_INVALID_METADATA_RESOURCE:
    case WIMLIB_ERR_INVALID_LOOKUP_TABLE_ENTRY:
    case WIMLIB_ERR_INVALID_RESOURCE_HASH:
    case WIMLIB_ERR_INVALID_CHUNK_SIZE:
    case WIMLIB_ERR_DECOMPRESSION:
    case WIMLIB_ERR_INTEGRITY:
    case WIMLIB_ERR_INVALID_INTEGRITY_TABLE:
    case WIMLIB_ERR_RESOURCE_NOT_FOUND:
      return hr::kFileCorrupt;
    case WIMLIB_ERR_INVALID_IMAGE:
      return hr::kInvalidImageIndex;
    case WIMLIB_ERR_ABORTED_BY_PROGRESS:
      return hr::kRequestAborted;
    case WIMLIB_ERR_NOMEM:
      return hr::kOutOfMemory;
    case WIMLIB_ERR_PATH_DOES_NOT_EXIST:
      return hr::kPathNotFound;
    case WIMLIB_ERR_INVALID_PARAM:
      return hr::kInvalidArg;
    case WIMLIB_ERR_WIM_IS_READONLY:
      return hr::kWriteProtect;
    case WIMLIB_ERR_UNSUPPORTED:
      return hr::kNotSupported;
    case WIMLIB_ERR_IMAGE_NAME_COLLISION:
      return hr::kAlreadyExists;
    default:
      return hr::kFail;
  }
}

std::string hint_for(HResult code) {
  switch (code) {
    case hr::kFileNotFound:
      return "check the path";
    case hr::kBadFormat:
      return "give a .wim (or .esd) file made by DISM or wimlib";
    case hr::kFileCorrupt:
      return "the file is damaged or truncated; rebuild or re-download it "
             "(`wimlib-imagex verify` shows where)";
    case hr::kRequestAborted:
      return "nothing was changed";
    case hr::kAlreadyExists:
      return "images in one WIM need different names: rename one first (set-image-info --name)";
    default:
      return "";
  }
}
}  // namespace

void throw_wimlib_error(int ret, const std::string& action, const std::string& path) {
  // wimlib says only "Failed to write data to a file"; a full disk is worth
  // its own code (ERROR_DISK_FULL) and the filesystem's name. errno still
  // holds write(2)'s, or the filesystem shows no room left.
  if (ret == WIMLIB_ERR_WRITE && (errno == ENOSPC || filesystem_is_full(path)))
    throw error_from_errno(action, path, ENOSPC);
  HResult code = hresult_for(ret);
  const char* reason = wimlib_get_error_string(static_cast<wimlib_error_code>(ret));
  std::string what = "cannot " + action + " '" + path + "': " + reason;
  if (code == hr::kRequestAborted) what = action + " of '" + path + "' was cancelled";
  // wimlib's "The XML data of the WIM is invalid" does not say the file is
  // damaged, which is what it means: its image descriptions are unreadable.
  if (ret == WIMLIB_ERR_XML)
    what = "cannot " + action + " '" + path + "': its XML data (the image descriptions) is damaged";
  throw Error(code, what, hint_for(code));
}

}  // namespace dismake
