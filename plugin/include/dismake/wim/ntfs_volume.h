// NtfsVolume: a small NTFS file system in a sparse file, edited through
// libntfs-3g (no FUSE, no root). A commit stages the files it changes in one
// (DESIGN.md, "Commit"): wimlib extracts their base versions into it with
// every bit of Windows metadata (security descriptor, attributes, named
// streams, short names, hard links), the commit writes the new content and
// metadata over them, and wimlib's NTFS capture adds them back to the image.
// A plain Linux file cannot carry any of that metadata; an NTFS file does.
//
// Paths are image paths: '/'-separated, relative to the volume's root.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

struct _ntfs_volume;

namespace dismake {

class NtfsVolume {
 public:
  // Makes `image` a new sparse file of `size` bytes holding an empty NTFS
  // file system (mkntfs, with its own times zeroed so the volume is the same
  // whenever it is made). Throws Error naming what failed.
  static void format(const std::filesystem::path& image, std::uint64_t size);

  // Opens a formatted volume for writing. Throws Error when it is not NTFS.
  static NtfsVolume open(const std::filesystem::path& image);

  NtfsVolume(NtfsVolume&& other) noexcept;
  NtfsVolume& operator=(NtfsVolume&&) = delete;
  ~NtfsVolume();  // unmounts, ignoring errors: call close() to see them

  bool exists(const std::string& path) const;

  // Creates the directory `path` and any missing parents, each with no
  // attribute but DIRECTORY.
  void create_directories(const std::string& path);

  // Creates the regular file `path` (its parent must exist) with the content
  // of `source` and the attributes `attributes`.
  void create_file(const std::string& path, const std::filesystem::path& source,
                   std::uint32_t attributes);

  // Replaces the unnamed data stream of the existing file `path` with the
  // content of `source`; everything else about the file stays.
  void write_content(const std::string& path, const std::filesystem::path& source);
  // Makes `path` (its parent must exist) another name of the existing file
  // `existing`: one file, two names, as NTFS hard links are.
  void create_hard_link(const std::string& existing, const std::string& path);

  // Drops the reparse point of `path`, if it has one, and with it a
  // WofCompressedData stream (what a WOF-compressed file holds its content
  // in): its content is then its unnamed data stream, as a file Windows
  // rewrote.
  void drop_reparse_point(const std::string& path);
  std::uint32_t attributes(const std::string& path) const;
  void set_attributes(const std::string& path, std::uint32_t attributes);

  // The self-relative security descriptor of `path` ("" when none).
  void set_security_descriptor(const std::string& path, const std::string& descriptor);

  // Sets the last write, last access and (when `set_creation`) creation time
  // of `path` to `unix_seconds`.
  void set_times(const std::string& path, std::int64_t unix_seconds, bool set_creation);

  // Writes everything out and unmounts; throws Error when that fails.
  void close();

 private:
  explicit NtfsVolume(_ntfs_volume* volume, std::filesystem::path image);
  _ntfs_volume* volume_ = nullptr;
  std::filesystem::path image_;
};

// Windows file attributes that the rules for changed files use.
constexpr std::uint32_t kFileAttributeReadonly = 0x1;
constexpr std::uint32_t kFileAttributeHidden = 0x2;
constexpr std::uint32_t kFileAttributeSystem = 0x4;
constexpr std::uint32_t kFileAttributeDirectory = 0x10;
constexpr std::uint32_t kFileAttributeArchive = 0x20;
constexpr std::uint32_t kFileAttributeNormal = 0x80;
constexpr std::uint32_t kFileAttributeReparsePoint = 0x400;

}  // namespace dismake
