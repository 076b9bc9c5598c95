// The wimlib update commands that turn the base image into a mount's
// current state, in one canonical order (the delta's sorted paths), so the
// same state always gives the same output bytes.
#include "serviced_mount_impl.h"

namespace dismake {

std::vector<UpdateCommand> ServicedMount::commit_commands(bool include_untracked) {
  Impl& m = *impl_;
  // Each directory and symlink gets its own source: wimlib takes an added
  // entry's times from its source, and reading a directory moves its access
  // time, so a source shared by two commands would not give stable bytes.
  fs::remove_all(m.paths.scratch_dir());
  fs::create_directories(m.paths.scratch_dir());
  int scratch = 0;
  auto scratch_path = [&] { return m.paths.scratch_dir() / std::to_string(scratch++); };
  std::vector<UpdateCommand> commands;
  for (const auto& [path, entry] : m.delta.entries()) {
    const BaseEntry* b = base_hidden_by_ancestor(m.delta, path) ? nullptr : m.listing().find(path);
    bool replaces =
        b != nullptr &&
        (b->is_directory != (entry.kind == DeltaEntry::Kind::kDirectory) || entry.replaces_base);
    if (entry.kind == DeltaEntry::Kind::kDeleted) {
      if (b != nullptr) commands.push_back(UpdateCommand::remove(path));
      continue;
    }
    if (replaces) commands.push_back(UpdateCommand::remove(path));
    switch (entry.kind) {
      case DeltaEntry::Kind::kDirectory:
        if (b == nullptr || replaces) {
          fs::path dir = scratch_path();
          fs::create_directories(dir);
          commands.push_back(UpdateCommand::add(dir.string(), path));
        }
        break;
      case DeltaEntry::Kind::kFile:
        commands.push_back(UpdateCommand::add(m.blobs.verified_path_of(entry.blob).string(), path));
        break;
      case DeltaEntry::Kind::kSymlink: {
        fs::path link = scratch_path();
        fs::create_symlink(entry.symlink_target, link);
        commands.push_back(UpdateCommand::add(link.string(), path));
        break;
      }
      case DeltaEntry::Kind::kDeleted:
        break;
    }
  }
  if (include_untracked) {
    std::vector<UpdateCommand> more = update_commands(m.paths.mount_dir, untracked_changes());
    commands.insert(commands.end(), more.begin(), more.end());
  }
  return commands;
}

}  // namespace dismake
