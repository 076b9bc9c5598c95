#include "unmount_guard.h"

#include <vector>

#include "dismake/base/error.h"
#include "dismake/session/session_records.h"

namespace dismake::capi {

namespace {

[[noreturn]] void refuse(const MountPaths& paths, const std::string& sessions) {
  throw Error(hr::kOpenHandlesUnableToUnmountImagePath,
              "the image at '" + paths.mount_dir.string() + "' cannot be unmounted: " + sessions +
                  " open on it",
              "close every session on it first (DismCloseSession, or `dismake close-session`)");
}

std::string describe_live(const std::vector<SessionRecord>& records) {
  std::size_t live = 0;
  std::string first;
  for (const SessionRecord& record : records) {
    if (record.stale) continue;
    if (live++ == 0)
      first = " (one opened by " + std::string(session_owner_name(record.owner)) + " process " +
              std::to_string(record.pid) + " at " + record.opened_at + ")";
  }
  if (live == 0) return "";
  return std::to_string(live) + " session(s) are" + first;
}

}  // namespace

void refuse_unmount_with_open_sessions(const SessionTable& sessions, const MountPaths& paths) {
  std::size_t in_process = sessions.sessions_on(paths.mount_dir.string());
  if (in_process > 0) refuse(paths, std::to_string(in_process) + " session(s) of this process are");
  std::string live = describe_live(SessionRecords(paths.record_dir).list());
  if (!live.empty()) refuse(paths, live);
}

}  // namespace dismake::capi
