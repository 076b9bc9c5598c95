// The MountStore every front builds (the CLI for each command, the C API
// once per DismInitialize): the user's mounts with DISM's session rule as
// the store's unmount guard, so that no unmount, `ensure`'s included, goes
// through an open session; and the one cleanup, which reaps the sessions
// whose process is gone and then the mounts whose state is. Here, above
// store/ and session/, because neither includes the other (docs/
// design-notes.md, "Layers").
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string>

#include "dismake/store/mount_store.h"

namespace dismake {

// What differs between the fronts.
struct SessionRuleFront {
  // The sessions the calling process holds on the mount at `mount_dir`
  // (the C API's SessionTable); none: it holds none (the CLI).
  std::function<std::size_t(const std::filesystem::path& mount_dir)> in_process;
  // Told, in a line, of each stale session an unmount discards (the CLI
  // prints it as a warning, the C API logs it); none: not told.
  std::function<void(const std::string& line)> notice;
};

// `registry`'s mounts; an unmount is refused with
// DISMAPI_E_OPEN_HANDLES_UNABLE_TO_UNMOUNT_IMAGE_PATH while a live session
// is open on the mount (OpenSessions::refuse_unmount).
MountStore mount_store_with_session_rule(MountRegistry registry, SessionRuleFront front = {});

// DismCleanupMountpoints and `dismake cleanup`: closes the sessions whose
// process is gone and removes corrupt session records, on every mount,
// then reaps the mounts (MountStore::cleanup, `left` saying what becomes of
// a mount directory left behind). Says what it did.
CleanupReport clean_up_mounts(MountStore& store, bool force,
                              MountStore::LeftTrees left = MountStore::LeftTrees::kListed);

}  // namespace dismake
