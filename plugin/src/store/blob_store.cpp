#include "dismake/store/blob_store.h"

#include <cerrno>
#include <fstream>
#include <vector>

#include "dismake/base/digest.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"

namespace dismake {

namespace fs = std::filesystem;

BlobStore::BlobStore(fs::path dir) : dir_(std::move(dir)) {}

fs::path BlobStore::path_of(const std::string& sha256) const { return dir_ / sha256; }

namespace {

// Copies `from` to `to` and hashes what it copies: one read of the source,
// so a file changing meanwhile cannot get a name that is not its content.
StoredBlob copy_and_hash(const fs::path& from, const fs::path& to) {
  std::ifstream in(from, std::ios::binary);
  if (!in) throw_errno("read", from.string(), errno ? errno : ENOENT);
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  if (!out) throw_errno("create", to.string(), errno ? errno : EIO);
  ContentDigests digests;
  std::vector<char> buffer(1 << 17);
  std::uint64_t size = 0;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    std::streamsize n = in.gcount();
    if (n <= 0) break;
    digests.update(buffer.data(), static_cast<size_t>(n));
    out.write(buffer.data(), n);
    size += static_cast<std::uint64_t>(n);
  }
  if (in.bad()) throw_errno("read", from.string(), EIO);
  out.close();
  if (!out) throw_errno("write", to.string(), ENOSPC);
  return StoredBlob{digests.sha256_hex(), digests.sha1_hex(), size};
}

}  // namespace

StoredBlob BlobStore::put(const fs::path& file) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw_errno("create", dir_.string(), ec.value());
  fs::path tmp = temporary_sibling(dir_ / "incoming");
  StoredBlob blob;
  try {
    blob = copy_and_hash(file, tmp);
  } catch (...) {
    fs::remove(tmp, ec);
    throw;
  }
  fs::path final_path = path_of(blob.sha256);
  if (fs::exists(final_path)) {
    fs::remove(tmp, ec);
  } else {
    fs::rename(tmp, final_path);
  }
  return blob;
}

void BlobStore::sync() const {
  std::error_code ec;
  if (fs::is_directory(dir_, ec)) sync_filesystem(dir_);
}

void BlobStore::copy_to(const std::string& sha256, const fs::path& target) const {
  fs::path tmp = temporary_sibling(target);
  copy_file_durable(path_of(sha256), tmp, /*durable=*/false);
  fs::rename(tmp, target);
}

}  // namespace dismake
