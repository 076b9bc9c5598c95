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

// "a/b" + "c" is "a/b/c"; "" + "c" is "c". `name` may have several parts.
std::string join_image_path(const std::string& dir, const std::string& name);

// True when `path` is `ancestor` or lies below it ("" is everything's).
bool image_path_within(const std::string& path, const std::string& ancestor);

}  // namespace dismake
