// `dismake open-session | close-session`: DISM sessions, visible across
// processes, as build steps use them.
#include <unistd.h>

#include <cstdio>
#include <memory>

#include "commands.h"
#include "dismake/base/error.h"
#include "dismake/ops/stamp.h"
#include "dismake/session/session_records.h"
#include "dismake/store/mount_record.h"
#include "dismake/store/state_catalog.h"
#include "outcome.h"

namespace dismake::cli {

namespace {

struct SessionArgs {
  std::string mount_dir;
  std::string name;
  std::string after;
  std::string stamp;
};

// The stamp passes the state of --after (else the mount's) through.
void write_stamp(const SessionArgs& args, const MountPaths& paths, const char* verb) {
  if (args.stamp.empty()) return;
  MountHead mount = MountHead::load(paths.head_file());
  std::string state = args.after.empty() ? mount.current_key : Stamp::load(args.after).state;
  session_stamp(verb, args.name, state, mount.mount_id).save(args.stamp, true);
}

void open_session(const SessionArgs& args) {
  MountPaths paths = MountPaths::existing(args.mount_dir);
  SessionRecord record = SessionRecords(paths.record_dir)
                             .open(args.name, SessionOwner::kCli, session_holder_process(), true);
  write_stamp(args, paths, "open-session");
  std::printf("dismake: session %s open on %s (held by process %d until it exits)\n",
              record.name.c_str(), paths.mount_dir.c_str(), static_cast<int>(record.pid));
  report_outcome("opened");
}

void close_session(const SessionArgs& args) {
  MountPaths paths = MountPaths::existing(args.mount_dir);
  SessionRecords(paths.record_dir).close(args.name);
  write_stamp(args, paths, "close-session");
  std::printf("dismake: session %s closed on %s\n", args.name.c_str(), paths.mount_dir.c_str());
  report_outcome("closed");
}

CLI::App* add(CLI::App& app, const char* name, const char* help, SessionArgs& args) {
  CLI::App* cmd = app.add_subcommand(name, help);
  cmd->add_option("mount-dir", args.mount_dir, "The mount directory")->required();
  cmd->add_option("--name", args.name, "The session's name")->required();
  cmd->add_option("--after", args.after, "The previous step's stamp (its state is passed on)");
  cmd->add_option("--stamp", args.stamp, "Write a stamp here when it changed");
  return cmd;
}

}  // namespace

void add_session_commands(CLI::App& app, Action& run) {
  auto open_args = std::make_shared<SessionArgs>();
  add(app, "open-session", "Open a servicing session on a mount (DismOpenSession)", *open_args)
      ->callback([open_args, &run] { run = [open_args] { open_session(*open_args); }; });
  auto close_args = std::make_shared<SessionArgs>();
  add(app, "close-session", "Close a session; the image stays mounted (DismCloseSession)",
      *close_args)
      ->callback([close_args, &run] { run = [close_args] { close_session(*close_args); }; });
}

}  // namespace dismake::cli
