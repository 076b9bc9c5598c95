// The MountStore every CLI command uses: the current user's mounts with the
// session rule (ops/store_with_session_rule.h), a stale session an unmount
// discards printed as a warning.
#pragma once

#include "dismake/store/mount_store.h"

namespace dismake::cli {

MountStore store_with_session_rule();

}  // namespace dismake::cli
