// ContentPacks: every large file a commit writes, compressed once into a WIM
// file of its own (a pack, <record dir>/packs/), from which each later commit
// of the mount copies the compressed resource as it is (WimFile::use_packs).
// A commit resets its output to the base and writes the whole final delta
// again, so that an incremental build gives the bytes of a clean one; without
// packs, a one-file change would compress every file the build adds again.
//
// Clean and incremental commits take the same path, so their bytes stay
// equal: which files go through a pack depends only on the plan (sizes,
// kMinimumSize and kMaximumPacks), a pack's bytes depend only on its content and the
// output's compression, and the write copies packs in the order of their
// GUIDs, which are the content's SHA-1.
#pragma once

#include <cstdint>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "dismake/store/commit_plan.h"
#include "dismake/wim/wim_types.h"

namespace dismake {

class ContentPacks {
 public:
  // Smaller files are compressed with the rest of the write: a pack file
  // and its opening cost more than compressing them.
  static constexpr std::uint64_t kMinimumSize = 16 * 1024;
  // wimlib keeps each referenced pack open until the write ends: beyond
  // this many, only the largest files (then the lowest SHA-1s) get packs,
  // and the others are compressed by the write.
  static constexpr size_t kMaximumPacks = 256;

  // No packs: every file is compressed by the write.
  ContentPacks() = default;
  explicit ContentPacks(std::filesystem::path dir);

  // The packs of the files `plan` writes (kMinimumSize or more), compressed
  // as `like`'s resources; those missing are made first, on every core.
  // Those present are checked first (WimFile::check_pack: their compressed
  // bytes against their integrity tables); a damaged one is named in a
  // warning on stderr, removed and made again.
  std::vector<std::filesystem::path> for_plan(const CommitPlan& plan, const WimInfo& like);
  // Removes the packs for_plan() did not name: the files of earlier states.
  void drop_unused() const;

 private:
  std::filesystem::path dir_;
  std::set<std::string> used_;  // file names
};

}  // namespace dismake
