#include "dismake/store/image_path.h"

#include <vector>

#include "dismake/base/error.h"

namespace dismake {

std::string normalize_image_path(const std::string& user_path) {
  std::string path = user_path;
  for (char& c : path)
    if (c == '\\') c = '/';
  if (path.size() >= 2 && path[1] == ':')
    throw Error(hr::kInvalidArg, "the image path '" + user_path + "' names a drive",
                "write paths relative to the image root, e.g. Windows/System32/drivers");
  if (path.compare(0, 2, "//") == 0)
    throw Error(hr::kInvalidArg, "the image path '" + user_path + "' names a network share",
                "write paths relative to the image root, e.g. Windows/System32/drivers");
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(start, end - start);
    if (part == "..") {
      if (parts.empty())
        throw Error(hr::kInvalidArg, "the image path '" + user_path + "' leaves the image root",
                    "remove the '..' that climbs above the root");
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : "/") + part;
  return out;
}

std::string parent_image_path(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

std::string join_image_path(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

bool image_path_within(const std::string& path, const std::string& ancestor) {
  if (ancestor.empty()) return true;
  return path.size() >= ancestor.size() && path.compare(0, ancestor.size(), ancestor) == 0 &&
         (path.size() == ancestor.size() || path[ancestor.size()] == '/');
}

}  // namespace dismake
