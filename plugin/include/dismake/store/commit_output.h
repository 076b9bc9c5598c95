// A commit's output: where it goes, whether that is the source, and how it
// is written (compression, solid, integrity, boot index, compact). Decided
// once, from the mount and the commit's options, by CommitOutput::of; the
// write (wim_output.h), the reuse of the previous output
// (previous_output.h) and the mount's list of outputs take it as it is
// instead of deriving it again.
#pragma once

#include <filesystem>
#include <optional>

#include "dismake/store/mount_record.h"
#include "dismake/wim/wim_types.h"

namespace dismake {

struct CommitOptions;

struct CommitOutput {
  std::filesystem::path path;              // absolute
  std::filesystem::path source;            // the mount's base WIM
  bool is_source = false;                  // committing into the source, as DISM does by default
  std::optional<Compression> compression;  // none: keep the source's
  WriteOptions write;
  std::optional<int> boot_index;  // none: keep the source's
  bool compact = false;           // a fully compact output (releases)
  // Where the record of this output is kept for the next commit to reset it
  // in place (previous_output.h); none: always copy the source. Never set
  // for the source itself, which is never reset.
  std::optional<std::filesystem::path> record_file;

  // The output of a commit of the mount at `paths`, made from `record`'s
  // base, with `options`. Throws E_INVALIDARG when it is inside the mount.
  static CommitOutput of(const MountPaths& paths, const MountRecord& record,
                         const CommitOptions& options);

  // The source, with no option that makes a write of its own: a commit
  // that changes no file and no property writes nothing.
  bool is_plain_source() const;
  // Every stream written anew into a new file (another compression than
  // the source's `source_compression`, or solid), not appended.
  bool rewrites(Compression source_compression) const;
  // Appended to a copy of the source (or the previous output reset to it):
  // the one write the next commit can undo.
  bool appends(Compression source_compression) const;

  // Notes this output in the mount's list (MountPaths::outputs_file) before
  // the commit writes it.
  void remember(const MountPaths& paths) const;
};

// Removes the temporary files killed commits of the mount at `paths` left
// beside its source `source` and its remembered outputs (those of live
// processes stay).
void remove_stale_output_temporaries(const MountPaths& paths, const std::filesystem::path& source);

}  // namespace dismake
