// What a mount is: which image of which WIM file, where its working tree and
// state live, and the base identity it was made from. Stored as mount.json in
// the mount's record directory, which sits beside the mount directory (never
// inside it, so it can never be committed into the image).
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "dismake/base/file_lock.h"

struct stat;

namespace dismake {

namespace fs = std::filesystem;

// Where a mount's pieces live. The record directory is "<mount-dir>.dismake".
struct MountPaths {
  fs::path mount_dir;
  fs::path record_dir;

  // From a mount directory as the user typed it (made absolute).
  static MountPaths of(const fs::path& mount_dir);
  // The same, for a directory that must be a mount: throws ERROR_NOT_FOUND
  // when it has no mount record.
  static MountPaths existing(const fs::path& mount_dir);
  fs::path record_file() const { return record_dir / "mount.json"; }
  // The tree index (tree_index.h): NUL-separated fields, not JSON.
  fs::path index_file() const { return record_dir / "tree.index"; }
  // Where to read the index from: index_file(), or the index.json a mount
  // made before that name has (its format is the same).
  fs::path index_file_to_read() const;
  fs::path lock_file() const { return record_dir / "lock"; }
  fs::path base_file() const { return record_dir / "base.list"; }
  // The mount's head (MountHead), under its historical name.
  fs::path head_file() const { return record_dir / "state.json"; }
  fs::path states_dir() const { return record_dir / "states"; }
  fs::path blobs_dir() const { return record_dir / "blobs"; }
  fs::path scratch_dir() const { return record_dir / "scratch"; }
  fs::path base_versions_dir() const { return record_dir / "base-versions"; }
  fs::path packs_dir() const { return record_dir / "packs"; }
  fs::path events_file() const { return record_dir / "events.log"; }
  // Every WIM a commit of this mount has started to write, one a line: the
  // next command on the mount removes what a killed commit left beside them.
  fs::path outputs_file() const { return record_dir / "outputs"; }
  // What the last commit to each output wrote, so the next one can reset it
  // in place (previous_output.h). Not one list with outputs_file(): a record
  // is written only once its commit has succeeded and dropped before the
  // next commit touches the file, so an output whose commit was killed has
  // none, and that is just the output whose temporaries need removing; the
  // list, written before the commit starts, is never dropped.
  fs::path output_records_dir() const { return record_dir / "output-records"; }
  // Present while the tree is being made or removed (incomplete_mount.h).
  fs::path incomplete_file() const { return record_dir / "incomplete.json"; }
};

// Takes the mount's lock (waiting up to DISMAKE_LOCK_TIMEOUT, then
// DISMAPI_E_BUSY): every command that changes a mount holds it.
FileLock lock_mount(const MountPaths& paths);
// The lock for a command that only reads the mount (`status`): a shared
// lock, or none, when its record directory cannot be written
// (FileLock::for_reading).
FileLock lock_mount_for_reading(const MountPaths& paths);

// The size, mtime and inode of the source WIM when it was mounted: a cheap
// test that it is unchanged (the identity is re-checked when this differs).
struct FileFingerprint {
  std::uint64_t size = 0;
  std::int64_t mtime_ns = 0;
  std::uint64_t inode = 0;

  static FileFingerprint of(const fs::path& path);
  static FileFingerprint of(const struct stat& st);
  bool operator==(const FileFingerprint& other) const {
    return size == other.size && mtime_ns == other.mtime_ns && inode == other.inode;
  }
};

struct MountRecord {
  fs::path wim_path;
  int image_index = 0;
  std::string image_name;
  bool read_only = false;
  bool created_mount_dir = false;  // unmount removes the directory only then
  // Made by a build (`ensure`): it commits to new files only, never into the
  // source WIM, so it does not count as the image's read-write mount.
  bool build = false;
  // Identity of the base: WIM GUID + image index + digest of its file tree.
  std::string base_identity;
  FileFingerprint wim_fingerprint;
  // The base image's LASTMODIFICATIONTIME (Unix seconds) as the WIM said at
  // mount (or when the mount was last rebased on it): the time registry
  // steps give the keys they change without SOURCE_DATE_EPOCH. Kept here so
  // that each step does not open the WIM for it (40 ms on a 34k-file image).
  // 0: not known (a record from before it was kept, or a WIM without it).
  std::int64_t image_modification_time = 0;
  std::string mounted_at;  // ISO 8601, UTC
  // A commit into the source notes the written file here just before it
  // renames it over the source (a rename keeps size, mtime and inode), and
  // its rebase drops the note. A commit killed between the two leaves the
  // source complete: finding the source with this fingerprint, the next
  // commit completes the rebase instead of taking the WIM for changed by
  // someone else. Size 0: none pending.
  FileFingerprint pending_source;

  // Throws Error(ERROR_FILE_CORRUPT) naming the file when it is unreadable.
  static MountRecord load(const fs::path& file);
  void save(const fs::path& file) const;
};

}  // namespace dismake
