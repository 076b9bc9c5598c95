// Writing a serviced image out (DESIGN.md, "Commit"): the commit plan
// (commit_plan.h) is applied
// in wimlib's append mode to a work file beside the output, which is then
// renamed over the output. The work file is the previous output reset to
// the base in place when a record says it is exactly what the last commit
// wrote (previous_output.h), else a copy (a reflink where the filesystem
// has them) of the source: either way the same bytes, so a commit costs what
// changed and a kill at any point leaves nothing valid-looking under the
// output's name. COMPACT writes with the compacting write instead (no
// garbage, not reusable); another compression or SOLID writes a new file.
// The source is never opened for writing unless it is the output.
//
// The output is reproducible: the same source and changes give the same
// bytes. The GUID is derived from the content written; the image's XML times
// and the times of changed files are SOURCE_DATE_EPOCH when set, else the
// base image's own last-modification time; the plan comes in one canonical
// order, and the thread count never changes the bytes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dismake/base/progress.h"
#include "dismake/store/commit_output.h"
#include "dismake/store/commit_plan.h"
#include "dismake/wim/wim_types.h"

namespace dismake {

struct WimOutputRequest {
  CommitOutput output;  // where, from which source, and how
  int image = 0;
  CommitPlan plan;
  std::filesystem::path staging_dir;              // emptied, used, and removed again
  std::map<std::string, std::string> properties;  // XML properties to set on the image
  ProgressFn progress;
  // Where the base versions of replaced files are kept between commits
  // (base_version_cache.h), and the identity of the base they come from;
  // empty: extracted afresh each time.
  std::filesystem::path base_versions_dir;
  std::string base_identity;
  // Where the packs of large files are kept between commits of an append
  // (content_packs.h); empty: every file is compressed by each write.
  std::filesystem::path packs_dir;
  // Called with the written file, synced, just before it is renamed over
  // the output (a commit into the source notes it: MountRecord).
  std::function<void(const std::filesystem::path&)> before_rename;
};

// Where the file a commit appended to (its work file) came from.
enum class WorkFileOrigin {
  kBaseCopied,                 // a new copy of the base
  kPreviousOutputReset,        // the previous output, truncated back to the base
  kPreviousOutputOverwritten,  // the previous output of another base, the base copied over it
};

// "a copy of the base", ...: as the commit's log says it.
const char* describe(WorkFileOrigin origin);

struct WimOutputResult {
  WorkFileOrigin work_file = WorkFileOrigin::kBaseCopied;
  std::uint64_t reclaimable = 0;  // garbage bytes a compact write would drop
};

WimOutputResult write_wim_output(const WimOutputRequest& request);

// wimlib writes "now" into a changed image's LASTMODIFICATIONTIME and a
// random GUID into a new file; this sets both to reproducible values on the
// written `file` (an XML and header rewrite, no data). `image` 0: GUID only.
void pin_identity(const std::filesystem::path& file, const std::string& guid, int image,
                  std::int64_t when);

// Deletes temporary files a killed writer left beside `output`
// ("<name>.tmp-<pid>-<n>" whose process is gone).
void remove_stale_temporaries(const std::filesystem::path& output);

}  // namespace dismake
