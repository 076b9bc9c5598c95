#include "dismake/ops/store_with_session_rule.h"

#include "dismake/session/open_sessions.h"
#include "dismake/session/session_records.h"

namespace dismake {

namespace {

std::string session_name(const SessionRecord& record) {
  return record.name.empty() ? record.id : record.name;
}

// Their process is gone: nobody can close them, so they do not block, and
// the unmount removes their records with the mount's.
void refuse_unmount_with_open_sessions(const MountPaths& paths, const SessionRuleFront& front) {
  OpenSessions sessions(paths.mount_dir, paths.record_dir);
  if (front.notice)
    for (const SessionRecord& record : sessions.stale())
      front.notice("session " + session_name(record) + " on " + paths.mount_dir.string() +
                   " was never closed (" + record.stale_reason + "); discarded");
  sessions.refuse_unmount(front.in_process ? front.in_process(paths.mount_dir) : 0);
}

void reap_stale_sessions(const MountStore& store, CleanupReport& report) {
  for (const MountInfo& mount : store.list()) {
    if (!fs::is_directory(mount.paths.record_dir)) continue;
    ReapedSessions reaped = SessionRecords(mount.paths.record_dir).reap_stale();
    for (const SessionRecord& r : reaped.stale)
      report.actions.push_back({"closed-session", mount.paths.mount_dir,
                                "session " + session_name(r) + " (" + session_owner_name(r.owner) +
                                    "): " + r.stale_reason});
    for (const fs::path& file : reaped.corrupt)
      report.actions.push_back({"removed-session-record", mount.paths.mount_dir, file.string()});
  }
}

}  // namespace

MountStore mount_store_with_session_rule(MountRegistry registry, SessionRuleFront front) {
  return MountStore(std::move(registry), [front = std::move(front)](const MountPaths& paths) {
    refuse_unmount_with_open_sessions(paths, front);
  });
}

CleanupReport clean_up_mounts(MountStore& store, bool force, MountStore::LeftTrees left) {
  CleanupReport report;
  reap_stale_sessions(store, report);
  CleanupReport mounts = store.cleanup(force, left);
  report.actions.insert(report.actions.end(), mounts.actions.begin(), mounts.actions.end());
  return report;
}

}  // namespace dismake
