#include "dismake/store/mount_registry.h"

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "dismake/base/digest.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"

namespace dismake {

using nlohmann::json;

MountRegistry MountRegistry::for_current_user() {
  if (const char* home = std::getenv("DISMAKE_HOME"); home != nullptr && *home != '\0')
    return MountRegistry(home);
  if (const char* state = std::getenv("XDG_STATE_HOME"); state != nullptr && *state != '\0')
    return MountRegistry(fs::path(state) / "dismake");
  const char* user_home = std::getenv("HOME");
  if (user_home == nullptr || *user_home == '\0')
    throw Error(
        hr::kEnvvarNotFound,
        "there is no place for the list of mounts: $HOME is not set (nor DISMAKE_HOME "
        "or XDG_STATE_HOME)",
        "set DISMAKE_HOME to a writable directory, e.g. `export DISMAKE_HOME=$PWD/.dismake`");
  return MountRegistry(fs::path(user_home) / ".local/state/dismake");
}

MountRegistry::MountRegistry(fs::path home) : home_(std::move(home)), dir_(home_ / "mounts") {}

fs::path MountRegistry::entry_file(const fs::path& mount_dir) const {
  return dir_ / (sha256_hex(mount_dir.string()).substr(0, 24) + ".json");
}

void MountRegistry::add(const MountPaths& paths,
                        const std::optional<ReadWriteImage>& read_write) const {
  // "state_dir": the record directory's key from before it was renamed, kept
  // so that registries written by older versions still read.
  json j = {{"mount_dir", paths.mount_dir.string()}, {"state_dir", paths.record_dir.string()}};
  if (read_write) {
    j["read_write_wim"] = read_write->wim.string();
    j["read_write_image"] = read_write->image;
  }
  try {
    create_private_directory(dir_);
    write_file_atomic(entry_file(paths.mount_dir), j.dump(2) + "\n", 0600);
  } catch (const Error& e) {
    throw Error(
        hr::kAccessDenied,
        "cannot write the list of mounts in '" + dir_.parent_path().string() + "' (" + e.problem() +
            ")",
        "set DISMAKE_HOME to a writable directory, e.g. `export DISMAKE_HOME=$PWD/.dismake`");
  }
}

FileLock MountRegistry::lock_registration() const {
  create_private_directory(home_);
  return FileLock(home_ / "mounts.lock", default_lock_timeout(), "the list of mounts");
}

FileLock MountRegistry::lock_ensure(const fs::path& mount_dir) const {
  fs::path dir = home_ / "ensure-locks";
  create_private_directory(dir);
  std::string what = "the mount '" + mount_dir.string() + "'";
  return FileLock(dir / (sha256_hex(mount_dir.string()).substr(0, 24) + ".lock"),
                  default_lock_timeout(), what.c_str());
}

void MountRegistry::remove(const fs::path& mount_dir) const {
  std::error_code ec;
  fs::remove(entry_file(mount_dir), ec);
}

bool MountRegistry::contains(const fs::path& mount_dir) const {
  std::error_code ec;
  return fs::exists(entry_file(mount_dir), ec);
}

namespace {
// Every entry of the registry in `dir` that parses.
std::vector<json> entries_in(const fs::path& dir) {
  std::vector<json> entries;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    if (it->path().extension() != ".json") continue;
    try {
      json j = json::parse(read_file(it->path()));
      j.at("mount_dir").get<std::string>();
      j.at("state_dir").get<std::string>();
      entries.push_back(std::move(j));
    } catch (const std::exception&) {
      // A torn or foreign file: not a mount we can name, so nothing to list.
      continue;
    }
  }
  return entries;
}

MountPaths paths_in(const json& entry) {
  return {entry.at("mount_dir").get<std::string>(), entry.at("state_dir").get<std::string>()};
}
}  // namespace

std::vector<std::pair<MountPaths, MountRegistry::ReadWriteImage>> MountRegistry::read_write_images()
    const {
  std::vector<std::pair<MountPaths, ReadWriteImage>> images;
  for (const json& j : entries_in(dir_))
    if (j.contains("read_write_wim") && j.contains("read_write_image"))
      images.push_back(
          {paths_in(j),
           {j["read_write_wim"].get<std::string>(), j["read_write_image"].get<int>()}});
  return images;
}

std::vector<MountPaths> MountRegistry::list() const {
  std::vector<MountPaths> mounts;
  for (const json& j : entries_in(dir_)) mounts.push_back(paths_in(j));
  std::sort(mounts.begin(), mounts.end(),
            [](const MountPaths& a, const MountPaths& b) { return a.mount_dir < b.mount_dir; });
  return mounts;
}

}  // namespace dismake
