#include "dismake/session/open_sessions.h"

#include <unistd.h>

#include "dismake/base/error.h"

namespace dismake {

namespace {

// "build (cli process 4242, opened 2024-05-01T12:00:00Z)"
std::string describe(const SessionRecord& record) {
  return (record.name.empty() ? record.id : record.name) + " (" + session_owner_name(record.owner) +
         " process " + std::to_string(record.pid) + ", opened " + record.opened_at + ")";
}

// An API session of this process has a record too; the caller's count
// already holds it.
bool is_in_process(const SessionRecord& record) {
  return record.owner == SessionOwner::kApi && record.pid == ::getpid();
}

}  // namespace

OpenSessions::OpenSessions(std::filesystem::path mount_dir, const std::filesystem::path& record_dir)
    : mount_dir_(std::move(mount_dir)) {
  for (SessionRecord& record : SessionRecords(record_dir).list())
    (record.stale ? stale_ : live_).push_back(std::move(record));
}

void OpenSessions::require_named(const std::string& name) const {
  if (name.empty()) return;
  for (const SessionRecord& record : live_)
    if (record.name == name) return;
  throw Error(hr::kInvalidDismSession,
              "no session named '" + name + "' is open on '" + mount_dir_.string() + "'",
              "open it first: dismake open-session " + mount_dir_.string() + " --name " + name);
}

void OpenSessions::refuse_unmount(std::size_t in_process) const {
  std::string open;
  if (in_process > 0) open = std::to_string(in_process) + " of this process";
  for (const SessionRecord& record : live_)
    if (in_process == 0 || !is_in_process(record))
      open += (open.empty() ? "" : ", ") + describe(record);
  if (open.empty()) return;
  throw Error(hr::kOpenHandlesUnableToUnmountImagePath,
              "'" + mount_dir_.string() + "' has open sessions: " + open,
              "close them first (dismake close-session " + mount_dir_.string() +
                  " --name NAME, or DismCloseSession)");
}

}  // namespace dismake
