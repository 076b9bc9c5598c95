// BlobStore: the content-addressed files steps wrote, kept in the mount's
// record directory (blobs/<sha256>). A state names its files by hash, so
// restoring any known state copies them back from here without re-running
// the step that made them.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace dismake {

struct StoredBlob {
  std::string sha256;
  std::string sha1;
  std::uint64_t size = 0;
};

class BlobStore {
 public:
  explicit BlobStore(std::filesystem::path dir);

  // Stores a private (0600) copy of `file` (atomically). The name is the
  // hash of what was copied, so a file changing meanwhile cannot get a name
  // that is not its content. A blob the store holds already is compared,
  // not written again (a changed one is replaced).
  // Throws ERROR_NOT_SUPPORTED naming `file` when it is a FIFO, socket or
  // device: it is never opened for reading. Not yet durable: the filesystem
  // is synced once (sync_filesystem) before a state that names it is recorded.
  StoredBlob put(const std::filesystem::path& file);
  std::filesystem::path path_of(const std::string& sha256) const;
  // path_of(), after hashing the blob: throws ERROR_FILE_CORRUPT naming it
  // when its content no longer has the hash it is stored under (a blob is
  // never committed on trust).
  std::filesystem::path verified_path_of(const std::string& sha256) const;
  // Copies blob `sha256` to `target` (replacing it atomically), checking
  // its hash as it copies (ERROR_FILE_CORRUPT on a mismatch, `target`
  // untouched). The working tree is not made durable: after a crash the
  // index tells what to restore.
  void copy_to(const std::string& sha256, const std::filesystem::path& target) const;

 private:
  std::filesystem::path dir_;
};

}  // namespace dismake
