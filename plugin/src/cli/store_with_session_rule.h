// The MountStore every CLI image verb uses: the current user's mounts, with
// the session rule installed: an image with open sessions is not unmounted
// (OpenSessions, session/open_sessions.h).
#pragma once

#include "dismake/store/mount_store.h"

namespace dismake::cli {

MountStore store_with_session_rule();

}  // namespace dismake::cli
