// Paths inside an image as users write them (`\Windows\System32`,
// `windows/system32/x`, `/Users/Default`) made canonical: '/'-separated,
// relative to the image root, with '.' removed. A path that climbs out of the
// image root with '..', or names a drive or host, is refused.
#pragma once

#include <string>

namespace dismake {

// Throws Error(E_INVALIDARG) naming the path for an escape; "" is the root.
std::string normalize_image_path(const std::string& user_path);

// "a/b/c" → "a/b"; "a" → "".
std::string parent_image_path(const std::string& path);

// True when `path` is `ancestor` or lies below it ("" is everything's).
bool image_path_within(const std::string& path, const std::string& ancestor);

}  // namespace dismake
