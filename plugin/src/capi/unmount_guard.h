// DISM refuses to unmount an image while sessions are open on it
// (DISMAPI_E_OPEN_HANDLES_UNABLE_TO_UNMOUNT_IMAGE_PATH). The guard the
// runtime installs in its MountStore, run under the mount's lock.
#pragma once

#include "dismake/session/session_table.h"
#include "dismake/store/mount_record.h"

namespace dismake::capi {

// Throws Error DISMAPI_E_OPEN_HANDLES_UNABLE_TO_UNMOUNT_IMAGE_PATH when a
// session of this process (`sessions`) or a live session of any process
// (the mount's session records) is open on the mount.
void refuse_unmount_with_open_sessions(const SessionTable& sessions, const MountPaths& paths);

}  // namespace dismake::capi
