// The base of a mount: one image of a WIM file, and its identity. The
// identity is the WIM's GUID, the image index and a digest of the image's
// file tree (paths, attributes, stream hashes), never the path or mtime
// alone (DESIGN.md, "The state model"), so a WIM rewritten with other content
// is noticed even when its name and size are the same.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "dismake/store/base_listing.h"
#include "dismake/store/mount_record.h"
#include "dismake/wim/wim_file.h"

namespace dismake {

// The image's listing and identity are made in one pass over the image, and
// the WIM can be closed before anything is built from the listing: wimlib's
// copy of the image's metadata is the largest part of what a mount holds.
struct BaseImage {
  std::optional<WimFile> wim;  // empty once closed
  int image = 0;
  CompactListing listing;
  std::string identity;

  // Opens `wim_path` and selects an image by name when one is given, else by
  // index (which must then be a valid one).
  static BaseImage open(const std::filesystem::path& wim_path, int index, const std::string& name,
                        bool writable = false);

  // Frees the WIM and gives its memory back to the system, so that what is
  // built next does not raise the process's peak.
  void close_wim();
};

enum class BaseStatus { kSame, kGone, kChanged };

// Whether the source WIM of `record` is still the base it was mounted from.
// Its stat is checked first; only when that differs is the identity read
// again, and if the identity is the same the new stat is saved to
// `record_file`, so a touched WIM is re-read once, not by every command.
BaseStatus recheck_base(MountRecord& record, const std::filesystem::path& record_file);

}  // namespace dismake
