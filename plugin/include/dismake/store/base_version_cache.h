// BaseVersionCache: the NTFS volumes a commit extracted the base versions of
// its replaced files into (commit_plan.h), kept for the next commit. Those
// volumes depend only on the base image, the renames and deletions before
// them, and which files are extracted; the next build after a one-file or
// one-value change stages exactly the same ones. Copying the kept volume (a
// sparse file, or a reflink) replaces a second load of the image's metadata
// and the decompression of every replaced file's old content: for a 100 MB
// SOFTWARE hive, that is paid once, not at each commit that edits it.
//
// A kept volume goes into the output as it is (its files' attributes,
// streams and descriptors), so each has a digest of its content
// (sparse_file_sha256_hex) recorded when it was extracted, and a copy
// that does not match it is extracted again, with a warning.
#pragma once

#include <filesystem>
#include <set>
#include <string>

namespace dismake {

class BaseVersionCache {
 public:
  // No cache: every lookup misses and nothing is kept.
  BaseVersionCache() = default;
  // Volumes extracted from the base image identified by `base_identity`
  // (BaseImage::identity), kept in `dir`.
  BaseVersionCache(std::filesystem::path dir, std::string base_identity);

  // The key of the volume extracted with `description` (the image index,
  // the structure commands, the files and the volume's size, as text).
  std::string key_of(const std::string& description) const;
  // Copies the volume kept under `key` to `volume` (which must not exist);
  // false, with `volume` absent, when there is none or when the copy does
  // not match the digest recorded by keep(): that volume is then removed
  // and named in a warning on stderr (and removed without one when it has
  // no digest: kept by an older dismake).
  bool restore(const std::string& key, const std::filesystem::path& volume);
  // Keeps a durable copy of `volume`, just extracted, under `key`.
  void keep(const std::string& key, const std::filesystem::path& volume);
  // Removes the volumes that neither restore nor keep named since this
  // object was made: those of an earlier base or file set.
  void drop_unused() const;

 private:
  std::filesystem::path path_of(const std::string& key) const;
  std::filesystem::path digest_path_of(const std::string& key) const;

  std::filesystem::path dir_;
  std::string base_identity_;
  std::set<std::string> used_;
};

}  // namespace dismake
