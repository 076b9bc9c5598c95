// Private to the wim layer: wimlib error codes → dismake::Error.
#pragma once

#include <string>

namespace dismake {

// Throws the Error for a non-zero wimlib return code `ret` of `action`
// ("open", "extract", ...) on `path`.
[[noreturn]] void throw_wimlib_error(int ret, const std::string& action, const std::string& path);

// Calls throw_wimlib_error when `ret` is non-zero.
inline void check_wimlib(int ret, const std::string& action, const std::string& path) {
  if (ret != 0) throw_wimlib_error(ret, action, path);
}

}  // namespace dismake
