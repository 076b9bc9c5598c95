// The per-user list of mounts, like DISM's list of mounted images: it is how
// `list-mounts` and `cleanup` find mounts wherever they are. One small file
// per mount under $DISMAKE_HOME/mounts (default ~/.local/state/dismake), so
// two processes mounting at once never rewrite each other's entries.
#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "dismake/base/file_lock.h"
#include "dismake/store/mount_record.h"

namespace dismake {

class MountRegistry {
 public:
  // $DISMAKE_HOME, else $XDG_STATE_HOME/dismake, else ~/.local/state/dismake.
  // Throws ERROR_ENVVAR_NOT_FOUND, saying to set DISMAKE_HOME, when none of
  // the three is set.
  static MountRegistry for_current_user();
  explicit MountRegistry(fs::path home);
  // The per-user directory the registry lives in ($DISMAKE_HOME).
  const fs::path& home() const { return home_; }

  // An image mounted read-write, as its registration names it: known from
  // the moment the mount is registered, long before its record is written.
  struct ReadWriteImage {
    fs::path wim;
    int image = 0;
  };

  // Throws ERROR_ACCESS_DENIED, saying to set DISMAKE_HOME, when the list
  // cannot be written. `read_write` names the image a read-write mount
  // claims (read_write_images()).
  void add(const MountPaths& paths,
           const std::optional<ReadWriteImage>& read_write = std::nullopt) const;
  void remove(const fs::path& mount_dir) const;
  bool contains(const fs::path& mount_dir) const;
  // Every registered mount, sorted by mount directory.
  std::vector<MountPaths> list() const;
  // The images registered mounts claim read-write, with their mounts.
  std::vector<std::pair<MountPaths, ReadWriteImage>> read_write_images() const;

  // The lock that makes a mount's checks (the directory is free, the image
  // is not mounted read-write elsewhere) and its registration one step:
  // two mounts started at the same instant take turns, and the second sees
  // the first's registration. Held for a few file operations, not the
  // extraction.
  FileLock lock_registration() const;

  // The lock an `ensure` holds on `mount_dir` for its whole run, so two
  // ensures of one mount directory (new, or to be mounted again) take turns:
  // one mounts, the other then finds the mount and reuses it. It lives here
  // because the mount's own lock is inside the record directory that the
  // first ensure has yet to make.
  FileLock lock_ensure(const fs::path& mount_dir) const;

 private:
  fs::path entry_file(const fs::path& mount_dir) const;
  fs::path home_;
  fs::path dir_;
};

}  // namespace dismake
