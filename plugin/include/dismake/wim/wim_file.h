// WimFile: an open WIM file, RAII over wimlib's WIMStruct. The only gateway to
// wimlib in the project (DESIGN.md, layer 1): it turns wimlib's error codes
// into dismake::Error with the HRESULT a DISM user expects, and its progress
// messages into ProgressFn calls (whose `false` cancels the operation).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "dismake/base/progress.h"
#include "dismake/wim/wim_types.h"

struct WIMStruct;

namespace dismake {

class WimFile {
 public:
  // Opens `path`; with `writable`, wimlib checks it may be overwritten.
  // Throws Error: ERROR_FILE_NOT_FOUND, ERROR_BAD_FORMAT (not a WIM),
  // ERROR_FILE_CORRUPT (a damaged WIM).
  static WimFile open(const std::filesystem::path& path, bool writable = false);

  // A new, empty WIM in memory (written with write_to()).
  static WimFile create(Compression compression);

  // Writes `content` alone into a new WIM file `pack` (one image holding one
  // file), compressed as `like`'s resources are (compression type and chunk
  // size), with the GUID `guid_hex`: the resource use_packs() lets a later
  // write copy as it is. The pack has an integrity table (check_pack).
  static void write_pack(const std::filesystem::path& content, const std::filesystem::path& pack,
                         const WimInfo& like, const std::string& guid_hex);
  // Checks that `pack` is what write_pack(…, like, guid_hex) wrote: every
  // byte from its header to the end of its blob table against its integrity
  // table (SHA-1s of its compressed bytes: nothing is decompressed), and its
  // header's GUID, compression and chunk size. A write copies a pack's
  // resource as it is, so a damaged one would be copied into the output
  // unnoticed. Throws ERROR_FILE_CORRUPT naming the pack and the damage.
  static void check_pack(const std::filesystem::path& pack, const WimInfo& like,
                         const std::string& guid_hex);

  WimFile(WimFile&& other) noexcept;
  WimFile& operator=(WimFile&& other) noexcept;
  ~WimFile();

  const std::filesystem::path& path() const { return path_; }
  WimInfo info() const;

  // The 1-based index of an image; throws DISMAPI_E_INVALID_IMAGE_INDEX or
  // DISMAPI_E_INVALID_IMAGE_NAME with the valid choices in the hint.
  int image_by_index(int index) const;
  int image_by_name(const std::string& name) const;

  // An XML property of an image, e.g. "NAME", "WINDOWS/ARCH",
  // "WINDOWS/LANGUAGES/LANGUAGE[2]"; "" when absent.
  std::string property(int image, const std::string& name) const;
  void set_property(int image, const std::string& name, const std::string& value);

  // Sets the WIM's GUID (32 hex digits); kept by every later write.
  void set_guid(const std::string& hex);
  // Sets the bootable image (0 = none); throws INVALID_IMAGE_INDEX.
  void set_boot_index(int image);

  // Sets the image's XML CREATIONTIME and LASTMODIFICATIONTIME to
  // `unix_seconds`. wimlib resets LASTMODIFICATIONTIME to "now" whenever it
  // writes a changed image, so a reproducible output sets it again on the
  // written file (pin_identity in store/wim_output.h).
  void set_image_times(int image, std::int64_t unix_seconds);
  // The image's XML LASTMODIFICATIONTIME in Unix seconds (0 when absent).
  std::int64_t image_modification_time(int image) const;

  // Appends image `image` of this WIM to `destination` (names kept).
  void export_image(int image, WimFile& destination);

  // Writes this WIM as split parts ("install.swm", "install2.swm", ...) of
  // at most `part_size` bytes, for FAT32 media; `progress` gets the bytes
  // written of all parts.
  void split(const std::filesystem::path& first_part, std::uint64_t part_size,
             const WriteOptions& options, const ProgressFn& progress = {});

  // Reads the whole file and checks it: against its integrity table when it
  // has one, else every blob's SHA-1 and every image's metadata
  // (wimlib_verify_wim). Throws ERROR_FILE_CORRUPT with wimlib's account of
  // the damage.
  void verify(const ProgressFn& progress) const;

  // How much of each entry for_each_entry fills in: a mount's listing needs
  // no short names, streams or descriptor digests (only `dismake diff`
  // compares those), and for a large image they cost megabytes.
  enum class EntryDetail { kListing, kEverything };

  // Calls `visit` for every file and directory of the image, parents first.
  void for_each_entry(int image, const std::function<void(const WimEntry&)>& visit,
                      EntryDetail detail = EntryDetail::kEverything) const;

  // The security descriptor of one path of the image, as the bytes Windows
  // stores (self-relative SECURITY_DESCRIPTOR); "" when it has none. Throws
  // Error(ERROR_FILE_NOT_FOUND) when the image has no such path.
  std::string security_descriptor(int image, const std::string& path) const;

  // Extracts the whole image into `target` (an existing directory).
  void extract_image(int image, const std::filesystem::path& target, const ProgressFn& progress);

  // Extracts the given image paths (files or whole directory trees) below
  // `target`, each at its place in the image ("Windows/x" → target/Windows/x).
  // wimlib checks each blob's SHA-1 as it reads it: damage throws
  // ERROR_FILE_CORRUPT naming the damaged path (as does a damaged image
  // metadata in for_each_entry, and extract_only_to_ntfs).
  void extract_paths(int image, const std::filesystem::path& target,
                     const std::vector<std::string>& paths);

  // Extracts the given files of the image, with their directories, into the
  // NTFS volume image `volume` (ntfs_volume.h) with all their Windows
  // metadata; names of one file among `paths` stay hard links of each other.
  // It first deletes everything else from this image in memory: call it on
  // a WimFile opened for this alone, and never write that one.
  void extract_only_to_ntfs(int image, const std::filesystem::path& volume,
                            const std::vector<std::string>& paths);

  // Applies `commands` in order to the image in memory; nothing is written
  // until overwrite_append(), overwrite_compact() or write_to().
  void update_image(int image, const std::vector<UpdateCommand>& commands);

  // Lets the next write of this WIM copy the compressed resources of the
  // WIM files `packs` (write_pack) as they are, for the content added to
  // `image` that they hold, instead of compressing it again: their blobs
  // join this WIM's table (wimlib_reference_resource_files), and the added
  // content is hashed now. wimlib hashes added files only while it writes,
  // after it has copied resources, so an added file would otherwise be
  // compressed afresh. A resource copied from a pack goes into the output in
  // the order of the packs' GUIDs, whatever order the packs were made in.
  void use_packs(int image, const std::vector<std::filesystem::path>& packs);

  // Writes only a changed XML (and header) back into this file, in place.
  void overwrite_metadata();

  // Writes the changes back into this file with wimlib's in-place compacting
  // write: no garbage is left, but an interruption ruins the file, so call it
  // only on a temporary copy (DESIGN.md, "Commit").
  void overwrite_compact(const WriteOptions& options, const ProgressFn& progress);

  // Writes the changes back into this file with wimlib's appending write:
  // new blobs, the changed images' metadata, the blob table and the XML go
  // after the file's old end; nothing before it changes but the header
  // (see wim_header.h). Unchanged images keep their metadata resources.
  // What the changes replaced stays in the file as garbage. An LZX WIM's
  // new resources are compressed at wimlib's level 34, not its default:
  // the same size for image metadata at a quarter of the time (see
  // src/wim/compression_level.h).
  void overwrite_append(const WriteOptions& options, const ProgressFn& progress);

  // What of the blob table is still of use: the bytes of the resources some
  // image references (file data and image metadata; a solid resource once,
  // while one of its blobs is referenced), and how many entries are of
  // blobs no image references any more (an appending write keeps them).
  // The file's size minus the referenced bytes, the header, the tables
  // (without those entries) and the XML is what a compacting write, or
  // `wimlib-imagex optimize`, reclaims.
  struct BlobTableUse {
    std::uint64_t referenced_bytes = 0;
    std::uint64_t unreferenced_blobs = 0;
  };
  BlobTableUse blob_table_use() const;

  // Writes every image to a new file at `path` with the given compression.
  void write_to(const std::filesystem::path& path, Compression compression,
                const WriteOptions& options, const ProgressFn& progress);

 private:
  WimFile(WIMStruct* wim, std::filesystem::path path);
  // Which of `paths`, whose extraction found damage, is damaged, as the
  // error names it ("'Windows/x'").
  std::string damaged_one_of(int image, const std::vector<std::string>& paths) const;
  WIMStruct* wim_ = nullptr;
  std::filesystem::path path_;
};

}  // namespace dismake
