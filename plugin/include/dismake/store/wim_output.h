// Writing a serviced image out: the source WIM is copied to a temporary file
// beside the output, the update is applied to that copy with the in-place
// compacting write, and the copy is renamed over the output (DESIGN.md,
// "Commit"). A kill at any point leaves the previous output intact; the
// source is never opened for writing unless it is the output.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dismake/base/progress.h"
#include "dismake/wim/wim_types.h"

namespace dismake {

struct WimOutputRequest {
  std::filesystem::path source;
  int image = 0;
  std::vector<UpdateCommand> commands;
  std::map<std::string, std::string> properties;  // XML properties to set on the image
  std::filesystem::path output;
  std::optional<Compression> compression;  // none: keep the source's
  WriteOptions write;
  ProgressFn progress;
};

void write_wim_output(const WimOutputRequest& request);

// Deletes temporary files a killed writer left beside `output`
// ("<name>.tmp-<pid>-<n>" whose process is gone).
void remove_stale_temporaries(const std::filesystem::path& output);

}  // namespace dismake
