// Putting built images together for delivery: several images from several
// WIMs into one multi-image WIM (the install.wim with every edition), and a
// WIM split into .swm parts small enough for FAT32 media. Both write through
// a temporary file and rename, and both are reproducible like a commit.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

#include "dismake/base/progress.h"
#include "dismake/wim/wim_types.h"

namespace dismake {

struct ImageSource {
  std::filesystem::path wim;
  int index = 0;  // 0: every image of the file
};

// "file.wim" or "file.wim:3" → ImageSource.
ImageSource parse_image_source(const std::string& text);

struct AssembleRequest {
  std::vector<ImageSource> sources;  // in the order the images get
  std::filesystem::path output;
  Compression compression = Compression::kLzx;
  WriteOptions write;
  std::optional<int> boot_index;
  ProgressFn progress;
};

// Writes the images of `request.sources` into one new WIM; returns how many.
int assemble_wims(const AssembleRequest& request);

// Splits `wim` into parts of at most `part_size` bytes: `first_part`
// ("install.swm"), then install2.swm, install3.swm, ... beside it, replacing
// the parts of an earlier split (stale extra parts included). Returns the
// parts written. `progress` gets the bytes written of all parts.
std::vector<std::filesystem::path> split_wim(const std::filesystem::path& wim,
                                             const std::filesystem::path& first_part,
                                             std::uint64_t part_size, const WriteOptions& options,
                                             const ProgressFn& progress = {});

}  // namespace dismake
