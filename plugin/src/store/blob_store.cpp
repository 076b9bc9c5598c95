#include "dismake/store/blob_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "dismake/base/digest.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/base/unique_fd.h"

namespace dismake {

namespace fs = std::filesystem;

BlobStore::BlobStore(fs::path dir) : dir_(std::move(dir)) {}

fs::path BlobStore::path_of(const std::string& sha256) const { return dir_ / sha256; }

namespace {

// Opens `path` for reading without following a link and without blocking:
// a FIFO or device is refused, naming it, before anything reads it.
UniqueFd open_regular(const fs::path& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (fd.get() < 0) throw_errno("read", path.string(), errno);
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw_errno("stat", path.string(), errno);
  std::string special = special_file_kind(st.st_mode);
  if (!special.empty())
    throw Error(hr::kNotSupported,
                "'" + path.string() + "' is " + special +
                    ", which a Windows image cannot hold (reading it could block forever)",
                "remove it, or replace it with a regular file");
  return UniqueFd(::dup(fd.get()));
}

bool all_zero(const char* data, size_t n) {
  return n == 0 || (data[0] == 0 && std::memcmp(data, data + 1, n - 1) == 0);
}

// Copies `in` to a new private file `to` and hashes what it copies: one read
// of the source, so a file changing meanwhile cannot get a name that is not
// its content. Zero blocks are left as holes: a sparse file stays sparse.
StoredBlob copy_and_hash(int in, const fs::path& from, const fs::path& to) {
  UniqueFd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (out.get() < 0) throw_errno("create", to.string(), errno);
  if (::fchmod(out.get(), 0600) != 0) throw_errno("chmod", to.string(), errno);
  ContentDigests digests;
  std::vector<char> buffer(1 << 17);
  std::uint64_t size = 0;
  for (;;) {
    ssize_t n = ::read(in, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("read", from.string(), errno);
    }
    if (n == 0) break;
    digests.update(buffer.data(), static_cast<size_t>(n));
    bool hole = all_zero(buffer.data(), static_cast<size_t>(n));
    for (ssize_t done = 0; done < n && !hole;) {
      ssize_t w = ::pwrite(out.get(), buffer.data() + done, static_cast<size_t>(n - done),
                           static_cast<off_t>(size) + done);
      if (w < 0) {
        if (errno == EINTR) continue;
        throw_errno("write", to.string(), errno);
      }
      done += w;
    }
    size += static_cast<std::uint64_t>(n);
  }
  if (::ftruncate(out.get(), static_cast<off_t>(size)) != 0)
    throw_errno("write", to.string(), errno);
  return StoredBlob{digests.sha256_hex(), digests.sha1_hex(), size};
}

// Reads `fd` to its end in blocks, passing each to `use`.
template <typename Use>
void read_blocks(int fd, const fs::path& path, Use use) {
  std::vector<char> buffer(1 << 17);
  for (;;) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("read", path.string(), errno);
    }
    if (n == 0 || !use(buffer.data(), static_cast<size_t>(n))) return;
  }
}

void rewind(int fd, const fs::path& path) {
  if (::lseek(fd, 0, SEEK_SET) != 0) throw_errno("read", path.string(), errno);
}

StoredBlob hash_content(int fd, const fs::path& path) {
  ContentDigests digests;
  std::uint64_t size = 0;
  read_blocks(fd, path, [&](const char* data, size_t n) {
    digests.update(data, n);
    size += n;
    return true;
  });
  return StoredBlob{digests.sha256_hex(), digests.sha1_hex(), size};
}

// True when `blob` exists as a regular file with exactly the bytes `fd`
// holds from its start. Compared, not trusted: a blob changed since it was
// stored is written again.
bool holds_exactly(const fs::path& blob, int fd, const fs::path& path) {
  UniqueFd stored(::open(blob.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  struct stat st {
  }, source{};
  if (stored.get() < 0 || ::fstat(stored.get(), &st) != 0 || !S_ISREG(st.st_mode) ||
      ::fstat(fd, &source) != 0 || st.st_size != source.st_size)
    return false;
  rewind(fd, path);
  std::vector<char> other(1 << 17);
  bool same = true;
  read_blocks(fd, path, [&](const char* data, size_t n) {
    for (size_t done = 0; done < n && same;) {
      ssize_t m = ::read(stored.get(), other.data(), n - done);
      if (m < 0 && errno == EINTR) continue;
      same = m > 0 && std::memcmp(data + done, other.data(), static_cast<size_t>(m)) == 0;
      done += m > 0 ? static_cast<size_t>(m) : 0;
    }
    return same;
  });
  return same;
}

Error tampered(const fs::path& blob, const std::string& actual) {
  return Error(hr::kFileCorrupt,
               "the stored blob '" + blob.string() + "' does not match its hash (its content has " +
                   "SHA-256 " + actual.substr(0, 16) + "...): it was changed after a step wrote it",
               "unmount with --discard and build again; check who can write the record directory");
}

}  // namespace

StoredBlob BlobStore::put(const fs::path& file) {
  UniqueFd in = open_regular(file);
  create_private_directory(dir_);
  // A blob the store holds already, intact, is not written again: a step
  // that re-runs on the same files (its parent changed) writes nothing
  // twice, and the step's one sync has that much less to flush.
  StoredBlob hashed = hash_content(in.get(), file);
  if (holds_exactly(path_of(hashed.sha256), in.get(), file)) return hashed;
  rewind(in.get(), file);
  fs::path tmp = temporary_sibling(dir_ / "incoming");
  StoredBlob blob;
  try {
    blob = copy_and_hash(in.get(), file, tmp);
    // Renamed over a blob that is there but changed since: the fresh copy
    // is its true content.
    fs::rename(tmp, path_of(blob.sha256));
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
  return blob;
}

fs::path BlobStore::verified_path_of(const std::string& sha256) const {
  fs::path blob = path_of(sha256);
  std::string actual = sha256_file_hex(blob);
  if (actual != sha256) throw tampered(blob, actual);
  return blob;
}

void BlobStore::copy_to(const std::string& sha256, const fs::path& target) const {
  fs::path blob = path_of(sha256);
  UniqueFd in = open_regular(blob);
  replace_through_temporary(target, [&](const fs::path& tmp) {
    StoredBlob copied = copy_and_hash(in.get(), blob, tmp);
    if (copied.sha256 != sha256) throw tampered(blob, copied.sha256);
    if (::chmod(tmp.c_str(), 0644) != 0) throw_errno("chmod", tmp.string(), errno);
  });
}

}  // namespace dismake
