// Private to the wim layer: wimlib error codes → dismake::Error.
#pragma once

#include <string>

namespace dismake {

// Throws the Error for a non-zero wimlib return code `ret` of `action`
// ("open", "extract", ...) on `path`.
[[noreturn]] void throw_wimlib_error(int ret, const std::string& action, const std::string& path);

// Whether `ret` says the WIM's bytes are damaged (a SHA-1 that does not
// match, data that does not decompress, a resource out of the file).
bool is_damage(int ret);

// Throws ERROR_FILE_CORRUPT: the WIM `path` is damaged in `where` (a file of
// the image, "'Windows/x'", or "the metadata of image 1"), with wimlib's
// account of the damage.
[[noreturn]] void throw_damaged(int ret, const std::string& path, const std::string& where);

// Calls throw_wimlib_error when `ret` is non-zero.
inline void check_wimlib(int ret, const std::string& action, const std::string& path) {
  if (ret != 0) throw_wimlib_error(ret, action, path);
}

}  // namespace dismake
