// Opening and closing a session through the API. A session on a mount is
// two things: an entry in this process's SessionTable (what the handle
// names, with DismCloseSession's semantics) and a record in the mount's
// record directory (what makes other processes' unmounts refuse).
#pragma once

#include <optional>
#include <string>

#include "api_state.h"

namespace dismake::capi {

// Whether `paths` is a mount (registered, or with a mount record), as
// opposed to a plain directory holding an offline image.
bool is_mount(const MountStore& store, const MountPaths& paths);

// Opens a session on the directory `image_path`; its Windows directory
// (`windows_dir`, default "Windows") must exist below it, matched
// case-insensitively as Windows would. Throws Error ERROR_PATH_NOT_FOUND for
// a missing directory, ERROR_FILE_NOT_FOUND for one that is no Windows image,
// and E_INVALIDARG for a path inside a mount (a session is on a whole image).
SessionHandle open_api_session(Runtime& runtime, const std::string& image_path,
                               const std::optional<std::string>& windows_dir);

// Closes `handle` as DismCloseSession does, then removes its record.
void close_api_session(Runtime& runtime, SessionHandle handle);

}  // namespace dismake::capi
