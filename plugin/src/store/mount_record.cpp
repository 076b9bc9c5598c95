#include "dismake/store/mount_record.h"

#include <sys/stat.h>

#include <cerrno>
#include <ctime>
#include <nlohmann/json.hpp>

#include "dismake/base/error.h"
#include "dismake/base/files.h"

namespace dismake {

using nlohmann::json;

MountPaths MountPaths::of(const fs::path& mount_dir) {
  fs::path dir = absolute_path(mount_dir);
  return MountPaths{dir, fs::path(dir.string() + ".dismake")};
}

MountPaths MountPaths::existing(const fs::path& mount_dir) {
  MountPaths paths = of(mount_dir);
  if (!fs::exists(paths.record_file()))
    throw Error(hr::kNotFound, "'" + paths.mount_dir.string() + "' is not a mount",
                "see `dismake list-mounts` for the mounted images");
  return paths;
}

fs::path MountPaths::index_file_to_read() const {
  fs::path legacy = record_dir / "index.json";
  std::error_code ec;
  return !fs::exists(index_file(), ec) && fs::exists(legacy, ec) ? legacy : index_file();
}

FileLock lock_mount(const MountPaths& paths) {
  std::string what = "the mount '" + paths.mount_dir.string() + "'";
  return FileLock(paths.lock_file(), default_lock_timeout(), what.c_str());
}

FileLock lock_mount_for_reading(const MountPaths& paths) {
  std::string what = "the mount '" + paths.mount_dir.string() + "'";
  return FileLock::for_reading(paths.lock_file(), default_lock_timeout(), what.c_str());
}

FileFingerprint FileFingerprint::of(const fs::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw_errno("stat", path.string(), errno);
  return of(st);
}

FileFingerprint FileFingerprint::of(const struct stat& st) {
  return FileFingerprint{static_cast<std::uint64_t>(st.st_size),
                         st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec,
                         static_cast<std::uint64_t>(st.st_ino)};
}

MountRecord MountRecord::load(const fs::path& file) {
  try {
    json j = json::parse(read_file(file));
    MountRecord record;
    record.wim_path = j.at("wim_path").get<std::string>();
    record.image_index = j.at("image_index").get<int>();
    record.image_name = j.at("image_name").get<std::string>();
    record.read_only = j.at("read_only").get<bool>();
    record.created_mount_dir = j.at("created_mount_dir").get<bool>();
    record.build = j.value("build", false);
    record.base_identity = j.at("base_identity").get<std::string>();
    const json& fp = j.at("wim_fingerprint");
    record.wim_fingerprint = {fp.at("size").get<std::uint64_t>(),
                              fp.at("mtime_ns").get<std::int64_t>(),
                              fp.at("inode").get<std::uint64_t>()};
    record.image_modification_time = j.value("image_modification_time", std::int64_t{0});
    record.mounted_at = j.at("mounted_at").get<std::string>();
    if (j.contains("pending_source")) {
      const json& p = j.at("pending_source");
      record.pending_source = {p.at("size").get<std::uint64_t>(),
                               p.at("mtime_ns").get<std::int64_t>(),
                               p.at("inode").get<std::uint64_t>()};
    }
    return record;
  } catch (const json::exception& e) {
    throw Error(hr::kFileCorrupt,
                "the mount record '" + file.string() + "' is corrupt (" + e.what() + ")",
                "run `dismake cleanup` to reap the mount, then mount again");
  }
}

void MountRecord::save(const fs::path& file) const {
  json j = {{"wim_path", wim_path.string()},
            {"image_index", image_index},
            {"image_name", image_name},
            {"read_only", read_only},
            {"created_mount_dir", created_mount_dir},
            {"build", build},
            {"base_identity", base_identity},
            {"wim_fingerprint",
             {{"size", wim_fingerprint.size},
              {"mtime_ns", wim_fingerprint.mtime_ns},
              {"inode", wim_fingerprint.inode}}},
            {"image_modification_time", image_modification_time},
            {"mounted_at", mounted_at}};
  if (pending_source.size != 0)
    j["pending_source"] = {{"size", pending_source.size},
                           {"mtime_ns", pending_source.mtime_ns},
                           {"inode", pending_source.inode}};
  write_file_atomic(file, j.dump(2) + "\n", 0600);
}

}  // namespace dismake
