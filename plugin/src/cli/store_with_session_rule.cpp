#include "store_with_session_rule.h"

#include <cstdio>

#include "dismake/session/open_sessions.h"

namespace dismake::cli {

MountStore store_with_session_rule() {
  MountStore store(MountRegistry::for_current_user());
  store.set_unmount_guard([](const MountPaths& paths) {
    OpenSessions sessions(paths.mount_dir, paths.record_dir);
    // Their process is gone: nobody can close them, so they do not block.
    for (const SessionRecord& record : sessions.stale())
      std::fprintf(stderr, "dismake: warning: session %s on %s was never closed (%s); discarded\n",
                   (record.name.empty() ? record.id : record.name).c_str(), paths.mount_dir.c_str(),
                   record.stale_reason.c_str());
    sessions.refuse_unmount();
  });
  return store;
}

}  // namespace dismake::cli
