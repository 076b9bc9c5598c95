#include "dismake/store/blob_store.h"

#include <cerrno>
#include <fstream>

#include "dismake/base/digest.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"

namespace dismake {

namespace fs = std::filesystem;

BlobStore::BlobStore(fs::path dir) : dir_(std::move(dir)) {}

fs::path BlobStore::path_of(const std::string& sha256) const { return dir_ / sha256; }

StoredBlob BlobStore::put(const fs::path& file) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw_errno("create", dir_.string(), ec.value());
  // Copy first, hash the copy: the source may change while we read it, the
  // copy cannot.
  fs::path tmp = temporary_sibling(dir_ / "incoming");
  copy_file_durable(file, tmp);
  StoredBlob blob{sha256_file_hex(tmp), sha1_file_hex(tmp), fs::file_size(tmp)};
  fs::path final_path = path_of(blob.sha256);
  if (fs::exists(final_path)) {
    fs::remove(tmp, ec);
  } else {
    rename_durable(tmp, final_path);
  }
  return blob;
}

void BlobStore::copy_to(const std::string& sha256, const fs::path& target) const {
  fs::path tmp = temporary_sibling(target);
  copy_file_durable(path_of(sha256), tmp);
  rename_durable(tmp, target);
}

}  // namespace dismake
