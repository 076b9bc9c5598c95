// What differs between two Windows images: `dismake diff`, and the
// DIFF_REPORT a build writes beside its output so that reviewers see the
// effective change of an image build. It compares
//  - the image properties of the WIM XML (name, description, flags, the
//    Windows fields);
//  - every file and directory: added, removed, changed content (with sizes),
//    a file that became a directory or the reverse, and metadata: attributes,
//    security descriptor (in SDDL), named streams, short name, reparse tag,
//    hard links;
//  - for every changed registry hive (a changed file that starts with
//    "regf"), its keys and values (see registry_diff.h).
// Either side is one image of a WIM, or a mount: then it is the image the
// mount's commit would write now (its steps' state plus any untracked change
// in its working tree), read without writing anything.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "dismake/diff/file_diff.h"
#include "dismake/diff/registry_diff.h"

namespace dismake {

// One side of a comparison, as a user names it.
struct ImageSide {
  std::filesystem::path wim;        // a WIM file, or
  int index = 0;                    // (1-based; 0: the only image, by name, or a mount)
  std::string name;                 // selects by name when not empty
  std::filesystem::path mount_dir;  // a mount directory

  // "<wim>", "<wim>:<index>", "<wim>:<image name>" or "<mount dir>". A path
  // that exists as given is never split at a ':'. Throws Error(E_INVALIDARG)
  // for "<wim>:" with nothing after it.
  static ImageSide parse(const std::string& text);
  // The text parse() would take back ("base.wim:1", "/mnt/pro").
  std::string label() const;
};

struct PropertyChange {
  std::string name;  // the XML element ("NAME", "WINDOWS/EDITIONID")
  std::string before;
  std::string after;
};

struct HiveChange {
  std::string path;  // the hive file in the image
  std::string root;  // the .reg root its keys are written under
  RegistryDiff registry;
  // Why the hive could not be compared (a damaged hive), "" when it was:
  // the rest of the report is still worth having.
  std::string problem;
};

struct ImageDiff {
  std::string before;  // the sides' labels
  std::string after;
  std::vector<PropertyChange> properties;
  std::vector<FileChange> files;  // sorted by path (case-insensitive)
  std::vector<HiveChange> hives;

  bool empty() const { return properties.empty() && files.empty(); }
};

// Compares the two sides. Hives are extracted to a private temporary
// directory that is always deleted. Throws the Errors of opening a WIM or a
// mount (ERROR_FILE_NOT_FOUND, INVALID_IMAGE_INDEX/NAME, ERROR_NOT_FOUND for
// a directory that is not a mount, a source WIM that changed under a mount).
ImageDiff diff_images(const ImageSide& before, const ImageSide& after);

}  // namespace dismake
