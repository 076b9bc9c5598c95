// Base verification: a base WIM is read in full and checked once, before the
// first mount, build or commit uses it (a lazy mount and an append-mode
// commit otherwise never read most of its blobs, so a damaged one would go
// into the output unnoticed). The result is recorded per user, under
// $DISMAKE_HOME/verified-bases, against the base's identity and the file's
// stat (size, times, inode), so later builds do not pay for it again and a
// file changed in place is verified anew.
#pragma once

#include <filesystem>
#include <string>

#include "dismake/base/progress.h"

namespace dismake {

class WimFile;

// Verifies `wim_path` (WimFile::verify) unless a verification of this
// `identity` and this very file is on record under `home`; records success.
// Throws ERROR_FILE_CORRUPT naming the file and the damage. `opened`, when
// the caller has the file open already, is verified instead of a second
// open: two copies of a large image's metadata would double the peak memory.
void verify_base_once(const std::filesystem::path& home, const std::filesystem::path& wim_path,
                      const std::string& identity, const ProgressFn& progress,
                      const WimFile* opened = nullptr);

// Records that `wim_path` as it is now, with `identity`, is sound: for a file
// dismake has just written itself from verified parts.
void record_base_verified(const std::filesystem::path& home, const std::filesystem::path& wim_path,
                          const std::string& identity);

}  // namespace dismake
