#include "mount_store_factory.h"

#include <cstdio>

#include "dismake/base/error.h"
#include "dismake/session/session_records.h"

namespace dismake::cli {

MountStore open_store() {
  MountStore store(MountRegistry::for_current_user());
  store.set_unmount_guard([](const MountPaths& paths) {
    std::string open;
    for (const SessionRecord& record : SessionRecords(paths.record_dir).list()) {
      if (record.stale) {
        // Its process is gone: nobody can close it, so it must not block.
        std::fprintf(stderr,
                     "dismake: warning: session %s on %s was never closed (%s); discarded\n",
                     (record.name.empty() ? record.id : record.name).c_str(),
                     paths.mount_dir.c_str(), record.stale_reason.c_str());
        continue;
      }
      open += (open.empty() ? "" : ", ") + (record.name.empty() ? record.id : record.name) + " (" +
              session_owner_name(record.owner) + ", pid " + std::to_string(record.pid) + ")";
    }
    if (!open.empty())
      throw Error(hr::kOpenHandlesUnableToUnmountImagePath,
                  "'" + paths.mount_dir.string() + "' has open sessions: " + open,
                  "close them first (dismake close-session " + paths.mount_dir.string() +
                      " --name NAME, or DismCloseSession)");
  });
  return store;
}

}  // namespace dismake::cli
