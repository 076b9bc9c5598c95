// `dismake list-mounts | cleanup`: DismGetMountedImageInfo and
// DismCleanupMountpoints.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "dismake/base/error.h"
#include "dismake/ops/store_with_session_rule.h"
#include "dismake/session/session_records.h"
#include "dismake/store/mount_store.h"
#include "store_with_session_rule.h"

namespace dismake::cli {

namespace {
using nlohmann::json;

json sessions_json(const MountPaths& paths) {
  json sessions = json::array();
  if (!fs::is_directory(paths.record_dir)) return sessions;
  try {
    for (const SessionRecord& r : SessionRecords(paths.record_dir).list())
      sessions.push_back({{"id", r.id},
                          {"name", r.name},
                          {"owner", session_owner_name(r.owner)},
                          {"pid", r.pid},
                          {"opened_at", r.opened_at},
                          {"stale", r.stale},
                          {"stale_reason", r.stale_reason}});
  } catch (const Error& e) {
    sessions.push_back({{"error", e.what()}});
  }
  return sessions;
}

json mount_json(const MountInfo& mount) {
  json j = {{"mount_dir", mount.paths.mount_dir.string()},
            {"state_dir", mount.paths.record_dir.string()},
            {"status", mount_status_name(mount.status)},
            {"problem", mount.problem},
            {"sessions", sessions_json(mount.paths)}};
  if (mount.record) {
    j["image_file"] = mount.record->wim_path.string();
    j["index"] = mount.record->image_index;
    j["name"] = mount.record->image_name;
    j["read_only"] = mount.record->read_only;
    j["mounted_at"] = mount.record->mounted_at;
  }
  return j;
}

void print_mount(const MountInfo& mount) {
  std::printf("\nMount Dir : %s\n", mount.paths.mount_dir.c_str());
  if (mount.record) {
    std::printf("Image File : %s\nImage Index : %d\nImage Name : %s\nMounted Read/Write : %s\n",
                mount.record->wim_path.c_str(), mount.record->image_index,
                mount.record->image_name.c_str(), mount.record->read_only ? "No" : "Yes");
  }
  std::printf("Status : %s\n", mount_status_name(mount.status));
  for (const json& session : sessions_json(mount.paths)) {
    if (session.contains("error")) {
      std::printf("Sessions : %s\n", session["error"].get<std::string>().c_str());
      continue;
    }
    std::printf("Session : %s (%s, pid %d%s)\n", session["name"].get<std::string>().c_str(),
                session["owner"].get<std::string>().c_str(), session["pid"].get<int>(),
                session["stale"].get<bool>() ? ", stale" : "");
  }
  if (!mount.problem.empty()) std::printf("Problem : %s\n", mount.problem.c_str());
}

void run_list(bool as_json) {
  std::vector<MountInfo> mounts = store_with_session_rule().list();
  if (as_json) {
    json j = json::array();
    for (const MountInfo& mount : mounts) j.push_back(mount_json(mount));
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  std::printf("Mounted images:\n");
  if (mounts.empty()) std::printf("\nNo mounted images found.\n");
  for (const MountInfo& mount : mounts) print_mount(mount);
}

void run_cleanup(bool force, bool as_json) {
  MountStore store = store_with_session_rule();
  CleanupReport report = clean_up_mounts(store, force);
  if (as_json) {
    json j = json::array();
    for (const CleanupAction& a : report.actions)
      j.push_back(
          {{"action", a.action}, {"mount_dir", a.mount_dir.string()}, {"detail", a.detail}});
    std::printf("%s\n", j.dump(2).c_str());
    return;
  }
  if (report.actions.empty()) std::printf("Nothing to clean up.\n");
  for (const CleanupAction& a : report.actions) std::printf("%s\n", a.line().c_str());
}
}  // namespace

void add_mount_list_commands(CLI::App& app, Action& run) {
  auto as_json = std::make_shared<bool>(false);
  CLI::App* list =
      app.add_subcommand("list-mounts", "List the mounted images (DismGetMountedImageInfo)");
  list->add_flag("--json", *as_json, "Print JSON for machines");
  list->callback([as_json, &run] { run = [as_json] { run_list(*as_json); }; });

  auto force = std::make_shared<bool>(false);
  auto cleanup_json = std::make_shared<bool>(false);
  CLI::App* cleanup = app.add_subcommand(
      "cleanup",
      "Close sessions whose process is gone, reap mounts whose state is gone, corrupt or "
      "half-made (DismCleanupMountpoints)");
  cleanup->add_flag("--force", *force, "Also delete their leftover directories and changes");
  cleanup->add_flag("--json", *cleanup_json, "Print what was done as JSON for machines");
  cleanup->callback([=, &run] { run = [=] { run_cleanup(*force, *cleanup_json); }; });
}

}  // namespace dismake::cli
