// The base of a mount: one image of a WIM file, and its identity. The
// identity is the WIM's GUID, the image index and a digest of the image's
// file tree (paths, attributes, stream hashes), never the path or mtime
// alone (DESIGN.md, "The state model"), so a WIM rewritten with other content
// is noticed even when its name and size are the same.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "dismake/store/mount_record.h"
#include "dismake/wim/wim_file.h"

namespace dismake {

struct BaseImage {
  WimFile wim;
  int image = 0;
  std::vector<WimEntry> entries;
  std::string identity;

  // Opens `wim_path` and selects an image by name when one is given, else by
  // index (which must then be a valid one).
  static BaseImage open(const std::filesystem::path& wim_path, int index, const std::string& name,
                        bool writable = false);
};

enum class BaseStatus { kSame, kGone, kChanged };

// Whether the source WIM of `record` is still the base it was mounted from.
// Its stat is checked first; only when that differs is the identity read
// again, and if the identity is the same the new stat is saved to
// `record_file`, so a touched WIM is re-read once, not by every command.
BaseStatus recheck_base(MountRecord& record, const std::filesystem::path& record_file);

}  // namespace dismake
