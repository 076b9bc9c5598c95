#include "api_sessions.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "dismake/base/error.h"
#include "dismake/base/file_lock.h"
#include "dismake/base/files.h"
#include "dismake/session/session_records.h"

namespace dismake::capi {

namespace {

bool equal_ignoring_case(const std::string& a, const std::string& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

// `relative` below `root`, each component matched as Windows would match it.
bool directory_exists_ignoring_case(const fs::path& root, const fs::path& relative) {
  fs::path current = root;
  for (const fs::path& part : relative.lexically_normal()) {
    if (part.empty() || part == ".") continue;
    std::error_code error;
    auto match =
        std::find_if(fs::directory_iterator(current, error), fs::directory_iterator(),
                     [&](const fs::directory_entry& entry) {
                       return equal_ignoring_case(entry.path().filename().string(), part.string());
                     });
    if (error || match == fs::directory_iterator()) return false;
    current = match->path();
  }
  return fs::is_directory(current);
}

// DISM opens a session only on a Windows image: a directory without its
// Windows directory fails with "Error: 2, Unable to access the image".
void check_image_directory(const MountPaths& paths, const std::optional<std::string>& windows_dir) {
  if (!fs::is_directory(paths.mount_dir))
    throw Error(hr::kPathNotFound,
                "the image path '" + paths.mount_dir.string() + "' is not a directory",
                "pass a mount directory (DismMountImage) or an offline Windows image's root");
  std::string windows = windows_dir.value_or("Windows");
  if (!directory_exists_ignoring_case(paths.mount_dir, windows))
    throw Error(hr::kFileNotFound,
                "'" + paths.mount_dir.string() + "' is not a Windows image: it has no '" + windows +
                    "' directory",
                windows_dir ? "pass the image's Windows directory, relative to the image path, or "
                              "NULL for \"Windows\""
                            : "pass the root of a mounted or applied Windows image, or its Windows "
                              "directory's name in WindowsDirectory");
}

// A mount's session must be on the mount itself, or unmount would not see it.
void refuse_inside_a_mount(const MountStore& store, const MountPaths& paths) {
  for (const MountPaths& mount : store.registry().list())
    if (paths.mount_dir != mount.mount_dir && (is_within(paths.mount_dir, mount.mount_dir) ||
                                               is_within(paths.mount_dir, mount.record_dir)))
      throw Error(hr::kInvalidArg,
                  "'" + paths.mount_dir.string() + "' is inside the mount '" +
                      mount.mount_dir.string() + "'",
                  "open the session on the mount directory itself");
}

// Records the session under the mount's lock, which unmount holds across its
// session check, so no session can appear between that check and the removal.
SessionRecordRef record_session(const MountPaths& paths) {
  FileLock lock = lock_mount(paths);
  if (!fs::exists(paths.record_file()))
    throw Error(hr::kNotFound, "'" + paths.mount_dir.string() + "' was unmounted meanwhile",
                "mount the image again");
  SessionRecord record = SessionRecords(paths.record_dir).open("", SessionOwner::kApi, ::getpid());
  return {paths.record_dir, record.id};
}

void remove_record(const SessionRecordRef& record) {
  try {
    SessionRecords(record.record_dir).close(record.record_id);
  } catch (const Error&) {
    // Already gone (the mount was cleaned up) or unreadable: either way it
    // no longer holds anything open, and cleanup reaps what is left.
  }
}

}  // namespace

bool is_mount(const MountStore& store, const MountPaths& paths) {
  return store.registry().contains(paths.mount_dir) || fs::exists(paths.record_file());
}

SessionHandle open_api_session(Runtime& runtime, const std::string& image_path,
                               const std::optional<std::string>& windows_dir) {
  MountPaths paths = MountPaths::of(image_path);
  refuse_inside_a_mount(runtime.store(), paths);
  check_image_directory(paths, windows_dir);
  std::optional<SessionRecordRef> record;
  if (is_mount(runtime.store(), paths)) record = record_session(paths);
  SessionHandle handle = 0;
  try {
    handle = runtime.sessions().open(paths.mount_dir.string());
    if (record) runtime.remember_record(handle, *record);
    return handle;
  } catch (...) {
    if (handle != 0) runtime.sessions().close(handle);
    if (record) remove_record(*record);
    throw;
  }
}

void close_api_session(Runtime& runtime, SessionHandle handle) {
  runtime.sessions().close(handle);
  if (auto record = runtime.forget_record(handle)) remove_record(*record);
}

}  // namespace dismake::capi
