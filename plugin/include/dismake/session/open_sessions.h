// "Are sessions open on this mount?", answered here alone for everyone who
// asks: an unmount (through the rule every front's MountStore is built with,
// ops/store_with_session_rule.h) and a build step, which names the session
// it runs in.
// The sessions are the mount's records (session_records.h), from any process;
// the C API adds those of its own SessionTable.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "dismake/session/session_records.h"

namespace dismake {

class OpenSessions {
 public:
  // Reads the records of the mount at `mount_dir`, whose record directory is
  // `record_dir`. Throws Error ERROR_FILE_CORRUPT as SessionRecords::list().
  OpenSessions(std::filesystem::path mount_dir, const std::filesystem::path& record_dir);

  // The sessions whose process is gone: they block nothing.
  const std::vector<SessionRecord>& stale() const { return stale_; }

  // Throws Error DISMAPI_E_INVALID_DISM_SESSION unless a live session named
  // `name` is open ("" passes).
  void require_named(const std::string& name) const;

  // Throws Error DISMAPI_E_OPEN_HANDLES_UNABLE_TO_UNMOUNT_IMAGE_PATH naming
  // the sessions when any is open: a live record, or one of `in_process`
  // sessions the calling process holds on the mount (its SessionTable). The
  // caller holds the mount's lock, so none opens before the unmount.
  void refuse_unmount(std::size_t in_process = 0) const;

 private:
  std::filesystem::path mount_dir_;
  std::vector<SessionRecord> live_;
  std::vector<SessionRecord> stale_;
};

}  // namespace dismake
