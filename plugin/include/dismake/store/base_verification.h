// Base verification: what dismake checks of a base WIM, and when.
//
// By default nothing is read for checking's sake alone. What a build reads
// from the base is checked as it is read: wimlib checks the SHA-1 of each
// image's metadata when it loads it and of every blob it extracts, so damage
// in the file list, in a file a step extracts or in a base version a commit
// stages stops the build, naming the file (WimFile). Blobs no build reads go
// into the output as the base holds them, as with DISM and wimlib-imagex.
// One check reads the whole file by default: a WIM's integrity table, where
// it has one (raw SHA-1s of 10 MiB chunks, no decompression).
//
// A full check (every blob decompressed and hashed, or the integrity table)
// is asked for with `dismake verify`, `mount --verify`, `ensure --verify` or
// VERIFY_BASE FULL in CMake. A passed check is recorded under
// $DISMAKE_HOME/verified-bases, keyed by the WIM's content (its header, blob
// table, XML and integrity table: the GUID and every blob's and image
// metadata's SHA-1 and place), not by its path or stat: a CI runner that
// restores the directory from its cache does not check the same base again.
#pragma once

#include <filesystem>
#include <string>

#include "dismake/base/progress.h"

namespace dismake {

class WimFile;

enum class BaseCheck {
  kAsRead,  // the integrity table where there is one; the rest as it is read
  kFull,    // every byte: the integrity table, else every blob's SHA-1
};

// What check_base did: "on record", "integrity table", "every blob",
// or "" (nothing to check up front).
struct BaseCheckResult {
  std::string done;
};

// Checks `wim_path` up front as `check` asks, unless a passed check of the
// same content is on record under `home`; records a check that passes.
// Throws ERROR_FILE_CORRUPT naming the file and the damage. `opened`, when
// the caller has the file open already, is checked instead of a second open:
// two copies of a large image's metadata would double the peak memory.
BaseCheckResult check_base(const std::filesystem::path& home, const std::filesystem::path& wim_path,
                           BaseCheck check, const ProgressFn& progress,
                           const WimFile* opened = nullptr);

// Checks the whole of `wim_path` now, whatever is on record (`dismake
// verify`), and records it when it passes; throws like check_base. Returns
// "integrity table" or "every blob".
BaseCheckResult verify_base(const std::filesystem::path& home,
                            const std::filesystem::path& wim_path, const ProgressFn& progress);

// The content key of the WIM file at `path` (a SHA-256 of its header and
// tables, read without reading its resources).
std::string base_content_key(const std::filesystem::path& wim_path);

// Whether a passed full check of the content `key` is on record under `home`.
bool base_verified(const std::filesystem::path& home, const std::string& key);

// Records that `wim_path` as it is now is sound: a file dismake has just
// written itself from the base whose content key `from_key` is on record.
void carry_base_verified(const std::filesystem::path& home, const std::string& from_key,
                         const std::filesystem::path& wim_path);

}  // namespace dismake
