#include "dismake/store/base_version_cache.h"

#include "dismake/base/digest.h"
#include "dismake/base/files.h"

namespace dismake {

namespace fs = std::filesystem;

BaseVersionCache::BaseVersionCache(fs::path dir, std::string base_identity)
    : dir_(std::move(dir)), base_identity_(std::move(base_identity)) {}

std::string BaseVersionCache::key_of(const std::string& description) const {
  return Sha256().add("base versions").add(base_identity_).add(description).hex();
}

fs::path BaseVersionCache::path_of(const std::string& key) const { return dir_ / (key + ".ntfs"); }

bool BaseVersionCache::restore(const std::string& key, const fs::path& volume) {
  if (dir_.empty() || base_identity_.empty()) return false;
  std::error_code ec;
  if (!fs::is_regular_file(fs::symlink_status(path_of(key), ec))) return false;
  used_.insert(key);
  copy_file_durable(path_of(key), volume, /*durable=*/false);
  return true;
}

void BaseVersionCache::keep(const std::string& key, const fs::path& volume) {
  if (dir_.empty() || base_identity_.empty()) return;
  create_private_directory(dir_);
  // Durable before it has its name: a torn volume must never be found.
  replace_through_temporary(
      path_of(key), [&](const fs::path& tmp) { copy_file_durable(volume, tmp, /*durable=*/true); });
  used_.insert(key);
}

void BaseVersionCache::drop_unused() const {
  if (dir_.empty()) return;
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    std::string name = it->path().filename().string();
    std::string key = name.size() > 5 ? name.substr(0, name.size() - 5) : name;
    if (used_.count(key) == 0) fs::remove(it->path(), ec);
  }
}

}  // namespace dismake
