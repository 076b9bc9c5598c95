// CommitPlan: what a commit does to the base image to make it a mount's
// current state, and the rules that give every changed file the metadata
// Windows would give it (DESIGN.md, "Commit"):
//
// - a file whose content is replaced keeps its security descriptor,
//   attributes (plus ARCHIVE, as a write on Windows sets it), named streams,
//   short name and hard links; its last write time becomes the commit's time;
//   a reparse point that is not a link (WOF, dedup, AppExecLink...) drops
//   its reparse data, REPARSE_POINT and a WofCompressedData stream;
// - a renamed file or directory is the same file under a new name (wimlib's
//   RENAME), so it keeps all of that but a short name;
// - a new file has no security descriptor of its own (Windows gives it its
//   parent's inheritable ACEs when the image is applied) and the ARCHIVE
//   attribute; a new directory likewise, with DIRECTORY;
// - files are hard links of each other in the output only if they were in
//   the base (and still have one content), or a hard link was made in the
//   mount (`ln a b`: b becomes another name of a's file, a's metadata).
//
// Files a step changed are staged in NTFS volumes (ntfs_volume.h) and added
// with wimlib's NTFS capture, which is the only way to give an added file
// Windows metadata. Everything else of the base image is never touched.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "dismake/store/base_version_cache.h"

namespace dismake {

class WimFile;

// A file the commit writes: new content, new metadata, or both.
struct StagedFile {
  std::string path;                    // in the output image
  std::filesystem::path content;       // its content on disk (a blob)
  std::string sha1;                    // of `content`; "" when empty
  std::string base_sha1;               // of the file the image has at `path`; "" for a new file
  std::uint32_t attributes_set = 0;    // attribute bits a step set
  std::uint32_t attributes_clear = 0;  // and cleared
  std::string security_from;           // a base path whose security descriptor it gets
  std::uint64_t link_group = 0;        // the base's hard link group of `path` (0: none)

  bool content_changed() const { return sha1 != base_sha1; }
};

struct CommitPlan {
  // Applied in this order, each sorted by path.
  // Deletions remove a directory with all it holds. First the base paths
  // that a rename's destination replaces, then the new directories a rename
  // moves something into, then the renames (base path → new path), then
  // every other deletion (paths as they are after the renames).
  std::vector<std::string> deletions_before_renames;
  // Those of `directories` a rename's destination is below (made as the
  // others are, but first).
  std::vector<std::string> directories_before_renames;
  std::vector<std::pair<std::string, std::string>> renames;
  std::vector<std::string> deletions;
  std::vector<std::string> directories;                       // new directories
  std::vector<StagedFile> replaced;                           // files the image has, changed
  std::vector<StagedFile> created;                            // new files
  std::vector<std::pair<std::string, std::string>> symlinks;  // path → target
  // Hard links made in a mount: path → a name of the file (in `replaced` or
  // `created`) it is another name of, made in that file's volume.
  std::vector<std::pair<std::string, std::string>> hard_links;

  bool empty() const;
  // The number of changes, for the commit's report.
  size_t size() const;
  // A digest of everything that decides the output's bytes (paths, content
  // hashes, metadata rules), for its reproducible GUID.
  std::string digest() const;
};

// The NTFS volumes holding the base versions of `plan`'s replaced files
// (base_version_cache.h), one per batch of files a volume can hold, staged
// under `staging_dir` from image `image` of `wim_file`, or from `cache` when
// it has them (they are kept there for the next commit). Staged before the
// commit opens the image it writes: the pruned copy of the image they come
// from and the commit's own are then never in memory together.
struct BaseVersionVolumes {
  std::vector<std::vector<std::string>> batches;  // image paths
  std::vector<std::filesystem::path> volumes;     // "" for a batch with no file
};
BaseVersionVolumes stage_base_version_volumes(const std::filesystem::path& wim_file, int image,
                                              const CommitPlan& plan,
                                              const std::filesystem::path& staging_dir,
                                              BaseVersionCache& cache);

// Applies `plan` to image `image` of `wim` in memory, staging files under
// `staging_dir` (which must outlive the write of `wim`: wimlib reads the
// staged content when it writes), with the base versions `staged` from
// that directory. `when` is the time changed files get.
void apply_commit_plan(WimFile& wim, int image, const CommitPlan& plan,
                       const std::filesystem::path& staging_dir, std::int64_t when,
                       const BaseVersionVolumes& staged);

}  // namespace dismake
