// Plain value types the wim layer hands to the layers above, so that nothing
// above plugin/src/wim/ needs wimlib.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dismake {

enum class Compression { kNone, kXpress, kLzx, kLzms };

// "none", "xpress", "lzx", "lzms" (case-insensitive) → Compression; throws
// Error(E_INVALIDARG) naming the accepted values.
Compression parse_compression(const std::string& name);
// "None", "XPRESS", "LZX", "LZMS": what `dism /Get-WimInfo` shows.
const char* compression_name(Compression compression);
// The compression a written WIM gets: the one asked for, else LZMS for a
// solid archive (as wimlib-imagex --solid and DISM's ESD files), else
// `otherwise` (the source's, or a new WIM's default). The one rule for
// commit, unmount and assemble.
Compression output_compression(std::optional<Compression> requested, bool solid,
                               Compression otherwise);

// Whole-file facts (wimlib_get_wim_info).
struct WimInfo {
  std::string guid;  // 32 lower-case hex digits
  std::uint32_t image_count = 0;
  std::uint32_t boot_index = 0;  // 0 = none
  Compression compression = Compression::kNone;
  std::uint32_t chunk_size = 0;  // of its compressed resources
  bool has_integrity_table = false;
};

// A named data stream ("alternate data stream") of a file.
struct WimStream {
  std::string name;  // UTF-8
  std::uint64_t size = 0;
  std::string sha1;  // "" when empty

  bool operator==(const WimStream& other) const {
    return name == other.name && size == other.size && sha1 == other.sha1;
  }
};

// One file or directory of an image, as wimlib_iterate_dir_tree reports it.
struct WimEntry {
  std::string path;  // relative to the image root, '/'-separated; "" is the root
  bool is_directory = false;
  bool is_reparse_point = false;
  std::uint32_t attributes = 0;
  std::uint64_t size = 0;  // of the unnamed data stream
  std::string sha1;        // hex of the unnamed data stream; "" when empty
  std::uint64_t hard_link_group = 0;
  // Nanoseconds since 1970, as wimlib gives them (100 ns steps): a rename
  // keeps both, a copy gets new ones (`dismake diff` tells the two apart).
  std::int64_t creation_time_ns = 0;
  std::int64_t last_write_time_ns = 0;
  // The metadata `dismake diff` compares. Of the security descriptor only a
  // SHA-256 is kept ("" when the file has none): a whole image's descriptors
  // would cost more memory than its listing, and a digest tells whether two
  // differ.
  std::uint32_t link_count = 1;  // names of this file in the image
  std::uint32_t reparse_tag = 0;
  std::string short_name;  // the 8.3 DOS name, "" when none
  std::string security_digest;
  std::vector<WimStream> named_streams;
};

// A change to apply to an image (wimlib_update_image). Paths in the image are
// '/'-separated and relative to its root.
struct UpdateCommand {
  enum class Kind { kAdd, kDelete, kRename };
  Kind kind = Kind::kAdd;
  std::string source;  // kAdd: file or directory on disk; kRename: image path
  std::string target;  // kAdd/kRename: image path; kDelete: image path
  // kAdd: `source` is an NTFS volume image (ntfs_volume.h), captured whole
  // with its Windows metadata; without `with_security` its files get no
  // security descriptor (Windows gives them their parent's when applied).
  bool from_ntfs_volume = false;
  bool with_security = true;

  static UpdateCommand add(std::string from_disk, std::string to_image);
  static UpdateCommand add_ntfs_volume(std::string volume, std::string to_image,
                                       bool with_security);
  static UpdateCommand remove(std::string image_path);
  static UpdateCommand rename(std::string from, std::string to);
};

// How a finished image is written.
struct WriteOptions {
  bool check_integrity = false;  // write an integrity table
  bool solid = false;            // one solid LZMS resource, as an ESD file
  unsigned threads = 0;          // 0 = one per core; never changes the bytes
};

}  // namespace dismake
