// DISM's commit flags (DismCommitImage, and the upper half of
// DismUnmountImage's) as the store's CommitOptions.
#pragma once

#include "dismake/store/mount_store.h"
#include "dismapi.h"

namespace dismake::capi {

// Commits into the mounted WIM, as DISM does. Throws Error E_INVALIDARG for
// unknown bits and ERROR_NOT_SUPPORTED for DISM_COMMIT_APPEND.
CommitOptions commit_options(DWORD commit_flags, ProgressFn progress);

}  // namespace dismake::capi
