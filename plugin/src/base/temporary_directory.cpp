#include "dismake/base/temporary_directory.h"

#include <cerrno>
#include <cstdlib>
#include <system_error>
#include <vector>

#include "dismake/base/error.h"

namespace dismake {

namespace {
std::filesystem::path default_parent() {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  return ec ? std::filesystem::path("/tmp") : base;
}
}  // namespace

TemporaryDirectory::TemporaryDirectory(const std::string& purpose)
    : TemporaryDirectory(purpose, default_parent()) {}

TemporaryDirectory::TemporaryDirectory(const std::string& purpose,
                                       const std::filesystem::path& base) {
  std::string pattern = (base / ("dismake-" + purpose + "-XXXXXX")).string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  if (::mkdtemp(name.data()) == nullptr)
    throw_errno("create a temporary directory", pattern, errno);
  path_ = name.data();
}

TemporaryDirectory::~TemporaryDirectory() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace dismake
