#include "dismake/store/base_version_cache.h"

#include <cstdio>
#include <optional>

#include "dismake/base/digest.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"

namespace dismake {

namespace fs = std::filesystem;

BaseVersionCache::BaseVersionCache(fs::path dir, std::string base_identity)
    : dir_(std::move(dir)), base_identity_(std::move(base_identity)) {}

std::string BaseVersionCache::key_of(const std::string& description) const {
  return Sha256().add("base versions").add(base_identity_).add(description).hex();
}

fs::path BaseVersionCache::path_of(const std::string& key) const { return dir_ / (key + ".ntfs"); }

fs::path BaseVersionCache::digest_path_of(const std::string& key) const {
  return dir_ / (key + ".sha256");
}

bool BaseVersionCache::restore(const std::string& key, const fs::path& volume) {
  if (dir_.empty() || base_identity_.empty()) return false;
  std::error_code ec;
  if (!fs::is_regular_file(fs::symlink_status(path_of(key), ec))) return false;
  // Kept before digests were (an older dismake): not trusted, not worth a
  // warning either.
  std::optional<std::string> recorded;
  try {
    recorded = read_file(digest_path_of(key));
  } catch (const Error&) {
  }
  bool matches = false;
  if (recorded) {
    copy_file_durable(path_of(key), volume, /*durable=*/false);
    // The copy is checked, not the kept file: it is what the commit uses.
    matches = sparse_file_sha256_hex(volume) == *recorded;
    if (!matches)
      std::fprintf(stderr,
                   "dismake: warning: kept base versions '%s' differ from the digest recorded "
                   "when they were extracted; they are extracted again from the base\n",
                   path_of(key).c_str());
  }
  if (matches) {
    used_.insert(key);
    return true;
  }
  fs::remove(volume, ec);
  fs::remove(path_of(key), ec);
  fs::remove(digest_path_of(key), ec);
  return false;
}

void BaseVersionCache::keep(const std::string& key, const fs::path& volume) {
  if (dir_.empty() || base_identity_.empty()) return;
  create_private_directory(dir_);
  // The digest first, then the volume, durable before it has its name: a
  // torn volume must never be found, and a volume is never without its
  // digest.
  write_file_atomic(digest_path_of(key), sparse_file_sha256_hex(volume), 0600);
  replace_through_temporary(
      path_of(key), [&](const fs::path& tmp) { copy_file_durable(volume, tmp, /*durable=*/true); });
  used_.insert(key);
}

void BaseVersionCache::drop_unused() const {
  if (dir_.empty()) return;
  std::error_code ec;
  for (fs::directory_iterator it(dir_, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    std::string key = it->path().stem().string();  // <key>.ntfs, <key>.sha256
    if (used_.count(key) == 0) fs::remove(it->path(), ec);
  }
}

}  // namespace dismake
