// The MountStore every CLI command uses: the current user's registry, with
// the session layer's rule that an image with open sessions is not unmounted.
#pragma once

#include "dismake/store/mount_store.h"

namespace dismake::cli {

MountStore open_store();

}  // namespace dismake::cli
