// Writing a serviced image out: the source WIM is copied to a temporary file
// beside the output, the commit plan (commit_plan.h) is applied to that copy with the in-place
// compacting write, and the copy is renamed over the output (DESIGN.md,
// "Commit"). A kill at any point leaves the previous output intact; the
// source is never opened for writing unless it is the output.
//
// The output is reproducible: the same source and changes give the same
// bytes. The GUID is derived from the content written; the image's XML times
// and the times of changed files are SOURCE_DATE_EPOCH when set, else the
// base image's own last-modification time; the plan comes in one canonical
// order, and the thread count never changes the bytes.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dismake/base/progress.h"
#include "dismake/store/commit_plan.h"
#include "dismake/wim/wim_types.h"

namespace dismake {

struct WimOutputRequest {
  std::filesystem::path source;
  int image = 0;
  CommitPlan plan;
  std::filesystem::path staging_dir;              // emptied, used, and removed again
  std::map<std::string, std::string> properties;  // XML properties to set on the image
  std::filesystem::path output;
  std::optional<Compression> compression;  // none: keep the source's
  WriteOptions write;
  ProgressFn progress;
  std::optional<int> boot_index;  // none: keep the source's
};

void write_wim_output(const WimOutputRequest& request);

// wimlib writes "now" into a changed image's LASTMODIFICATIONTIME and a
// random GUID into a new file; this sets both to reproducible values on the
// written `file` (an XML and header rewrite, no data). `image` 0: GUID only.
void pin_identity(const std::filesystem::path& file, const std::string& guid, int image,
                  std::int64_t when);

// SOURCE_DATE_EPOCH when set (throws E_INVALIDARG when it is not a number),
// else `fallback`.
std::int64_t reproducible_time(std::int64_t fallback);

// Deletes temporary files a killed writer left beside `output`
// ("<name>.tmp-<pid>-<n>" whose process is gone).
void remove_stale_temporaries(const std::filesystem::path& output);

}  // namespace dismake
