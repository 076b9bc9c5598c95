#include "incomplete_mount.h"

#include <nlohmann/json.hpp>

#include "dismake/base/files.h"

namespace dismake {

void mark_incomplete(const MountPaths& paths, const IncompleteMount& mark) {
  nlohmann::json j = {{"created_mount_dir", mark.created_mount_dir}};
  write_file_atomic(paths.incomplete_file(), j.dump() + "\n");
}

void unmark_incomplete(const MountPaths& paths) {
  std::error_code ec;
  fs::remove(paths.incomplete_file(), ec);
}

std::optional<IncompleteMount> read_incomplete(const MountPaths& paths) {
  std::error_code ec;
  if (!fs::exists(paths.incomplete_file(), ec)) return std::nullopt;
  try {
    nlohmann::json j = nlohmann::json::parse(read_file(paths.incomplete_file()));
    return IncompleteMount{j.at("created_mount_dir").get<bool>()};
  } catch (const std::exception&) {
    return std::nullopt;  // written atomically: unreadable means outside damage
  }
}

}  // namespace dismake
