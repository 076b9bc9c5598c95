// `dismake mount | commit | unmount | remount`: DISM's image verbs.
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>

#include "commands.h"
#include "dismake/base/error.h"
#include "dismake/ops/stamp.h"
#include "dismake/store/mount_store.h"
#include "outcome.h"
#include "progress_printer.h"
#include "store_with_session_rule.h"
#include "write_options.h"

namespace dismake::cli {

namespace {

struct CommitArgs {
  std::string after;
  std::string output;
  WriteArgs write;
  bool compact = false;
  int boot_index = kNoIndex;
  bool quiet = false;
};

void add_commit_options(CLI::App* cmd, CommitArgs& args) {
  cmd->add_option("--output", args.output,
                  "Write the result to this new WIM file; the source WIM is left as it is");
  add_write_options(cmd, args.write, "the source's");
  cmd->add_flag("--compact", args.compact,
                "Write a fully compact output (no garbage; for releases): slower, and the next "
                "commit copies the source again");
  cmd->add_option("--boot-index", args.boot_index, "Mark this image bootable (0: none)");
  cmd->add_option(
      "--after", args.after,
      "Commit the state this step's stamp names (a build's last step), not the tree as it is");
}

CommitOptions commit_options(const CommitArgs& args) {
  CommitOptions options;
  if (!args.output.empty()) options.output = fs::path(args.output);
  options.compression = requested_compression(args.write);
  options.write = write_options(args.write);
  options.compact = args.compact;
  if (args.boot_index != kNoIndex) options.boot_index = args.boot_index;
  options.progress = progress_printer("commit", args.quiet);
  if (!args.after.empty()) options.state = Stamp::load(args.after).state;
  return options;
}

std::string describe(const TreeChanges& changes) {
  return std::to_string(changes.added.size()) + " added, " +
         std::to_string(changes.modified.size()) + " modified, " +
         std::to_string(changes.deleted.size()) + " deleted, " +
         std::to_string(changes.retyped.size()) + " replaced";
}

// "12.3 MiB": one decimal, the largest unit that keeps the number >= 1.
std::string human_size(std::uint64_t bytes) {
  const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024 && unit < 4) {
    value /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, unit == 0 ? "%.0f %s" : "%.1f %s", value, units[unit]);
  return buf;
}

void report_commit(const CommitResult& result) {
  if (!result.written) {
    std::printf("Nothing to commit: the working tree matches the image.\n");
    report_outcome("nothing to commit");
    return;
  }
  std::printf("Committed %zu changes to %s", result.commands, result.output.c_str());
  // In a build the outcome is the commit's console line: the garbage the
  // output carries is said there too.
  report_outcome("committed " + std::to_string(result.commands) + " changes; " +
                 human_size(result.reclaimable) + " reclaimable");
  if (!result.changes.empty())
    std::printf(" (from the tree: %s)", describe(result.changes).c_str());
  std::printf("; %s reclaimable%s\n", human_size(result.reclaimable).c_str(),
              result.reclaimable > 0 ? " (--compact writes it out)" : "");
  std::printf("Written on %s.\n", describe(result.work_file));
}

struct MountArgs {
  std::string wim;
  std::string mount_dir;
  int index = kNoIndex;
  std::string name;
  bool read_only = false;
  bool lazy = false;
  bool verify = false;
  bool quiet = false;
};

void run_mount(const MountArgs& args) {
  if ((args.index == kNoIndex) == args.name.empty())
    throw Error(hr::kInvalidArg, "mount needs exactly one of --index and --name",
                "see `dismake info " + args.wim + "` for the images");
  MountOptions options{
      args.wim, args.index, args.name, args.read_only, progress_printer("mount", args.quiet),
      args.lazy};
  options.verify_full = args.verify;
  MountRecord record = store_with_session_rule().mount(args.mount_dir, options);
  std::printf("Mounted image %d (%s) of %s at %s%s\n", record.image_index,
              record.image_name.c_str(), record.wim_path.c_str(),
              MountPaths::of(args.mount_dir).mount_dir.c_str(),
              record.read_only ? " read-only" : "");
}

void add_mount(CLI::App& app, Action& run) {
  auto args = std::make_shared<MountArgs>();
  CLI::App* cmd = app.add_subcommand("mount", "Mount an image of a WIM file (DismMountImage)");
  cmd->add_option("wim", args->wim, "The WIM file")->required();
  cmd->add_option("mount-dir", args->mount_dir, "An empty or new directory")->required();
  cmd->add_option("--index", args->index, "The image's index (1-based)");
  cmd->add_option("--name", args->name, "The image's name");
  cmd->add_flag("--readonly", args->read_only, "Mount read-only: commit is refused");
  cmd->add_flag("--lazy", args->lazy, "Extract nothing now; steps extract what they touch");
  cmd->add_flag("--verify", args->verify,
                "Check the whole WIM first (default: what is read of it, and its integrity table)");
  cmd->add_flag("--quiet", args->quiet, "Show no progress");
  cmd->callback([args, &run] { run = [args] { run_mount(*args); }; });
}

void add_commit(CLI::App& app, Action& run) {
  auto mount_dir = std::make_shared<std::string>();
  auto args = std::make_shared<CommitArgs>();
  CLI::App* cmd = app.add_subcommand(
      "commit", "Apply the mount's changes to its WIM, or to a new one (DismCommitImage)");
  cmd->add_option("mount-dir", *mount_dir, "The mount directory")->required();
  add_commit_options(cmd, *args);
  cmd->add_flag("--quiet", args->quiet, "Show no progress");
  cmd->callback([=, &run] {
    run = [=] {
      report_commit(store_with_session_rule().commit(*mount_dir, commit_options(*args)));
    };
  });
}

struct UnmountArgs {
  std::string mount_dir;
  bool commit = false;
  bool discard = false;
  bool if_mounted = false;
  CommitArgs commit_args;
};

void run_unmount(const UnmountArgs& args) {
  if (args.commit == args.discard)
    throw Error(hr::kInvalidArg, "unmount needs exactly one of --commit and --discard",
                "--commit keeps the changes, --discard drops them");
  std::optional<CommitOptions> commit;
  if (args.commit) commit = commit_options(args.commit_args);
  MountStore store = store_with_session_rule();
  // --if-mounted (the build's <image>-unmount target): an image never
  // mounted, or already unmounted, leaves nothing to do, which is success.
  // "Mounted" as MountStore::existing_mount has it: registered or recorded.
  MountPaths paths = MountPaths::of(args.mount_dir);
  if (args.if_mounted && !store.registry().contains(paths.mount_dir) &&
      !fs::exists(paths.record_file())) {
    std::printf("Not mounted: %s, nothing to do\n", paths.mount_dir.c_str());
    report_outcome("not mounted, nothing to do");
    return;
  }
  store.unmount(args.mount_dir, commit);
  std::printf("Unmounted %s%s\n", MountPaths::of(args.mount_dir).mount_dir.c_str(),
              args.commit ? " after committing" : ", changes discarded");
}

void add_unmount(CLI::App& app, Action& run) {
  auto args = std::make_shared<UnmountArgs>();
  CLI::App* cmd = app.add_subcommand("unmount", "Unmount an image (DismUnmountImage)");
  cmd->add_option("mount-dir", args->mount_dir, "The mount directory")->required();
  cmd->add_flag("--commit", args->commit, "Commit the changes first");
  cmd->add_flag("--discard", args->discard, "Drop the changes");
  cmd->add_flag("--if-mounted", args->if_mounted,
                "Succeed, doing nothing, when the directory is not a mount");
  add_commit_options(cmd, args->commit_args);
  cmd->add_flag("--quiet", args->commit_args.quiet, "Show no progress");
  cmd->callback([args, &run] { run = [args] { run_unmount(*args); }; });
}

void add_remount(CLI::App& app, Action& run) {
  auto mount_dir = std::make_shared<std::string>();
  auto quiet = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "remount", "Bring back a mount whose working tree vanished (DismRemountImage)");
  cmd->add_option("mount-dir", *mount_dir, "The mount directory")->required();
  cmd->add_flag("--quiet", *quiet, "Show no progress");
  cmd->callback([=, &run] {
    run = [=] {
      bool done =
          store_with_session_rule().remount(*mount_dir, progress_printer("remount", *quiet));
      std::printf(done ? "Remounted %s\n" : "%s is mounted and needs no remount\n",
                  MountPaths::of(*mount_dir).mount_dir.c_str());
    };
  });
}

}  // namespace

void add_mount_commands(CLI::App& app, Action& run) {
  add_mount(app, run);
  add_commit(app, run);
  add_unmount(app, run);
  add_remount(app, run);
}

}  // namespace dismake::cli
