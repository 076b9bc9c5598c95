// The servicing steps: add, delete, rename, registry edits, unattend, image
// info, run. Each runs through run_step (the state model) and prints one line.
#include <cstdio>
#include <memory>

#include "commands.h"
#include "dismake/ops/servicing_ops.h"
#include "dismake/ops/step_runner.h"
#include "outcome.h"

namespace dismake::cli {

namespace {

struct StepArgs {
  std::string mount_dir;
  std::string session;
  std::string after;
  std::string stamp;
  std::string depfile;

  StepOptions options() const {
    StepOptions o;
    o.session = session;
    if (!after.empty()) o.after = fs::path(after);
    if (!stamp.empty()) o.stamp = fs::path(stamp);
    if (!depfile.empty()) o.depfile = fs::path(depfile);
    return o;
  }
};

// A subcommand whose positional mount directory comes first and whose step
// options are shared by every step.
CLI::App* add_step(CLI::App& app, const char* name, const char* help, StepArgs& args) {
  CLI::App* cmd = app.add_subcommand(name, help);
  cmd->add_option("mount-dir", args.mount_dir, "The mount directory")->required();
  cmd->add_option("--session", args.session, "A session that must be open on the mount");
  cmd->add_option("--after", args.after, "The previous step's stamp: this step's parent state");
  cmd->add_option("--stamp", args.stamp, "Write this step's stamp (JSON) here");
  cmd->add_option("--depfile", args.depfile, "Write the inputs read, as a Makefile depfile, here");
  return cmd;
}

void run(const StepArgs& args, Op& op) {
  StepOutcome outcome = run_step(args.mount_dir, op, args.options());
  if (!outcome.hand_edits.empty()) {
    const std::vector<std::string>& paths = outcome.hand_edits;
    std::string named;
    for (size_t i = 0; i < paths.size() && i < 10; ++i) named += (i ? ", " : "") + paths[i];
    if (paths.size() > 10) named += " and " + std::to_string(paths.size() - 10) + " more";
    std::printf("dismake: edits by hand recorded as a step first: %s\n", named.c_str());
  }
  std::string what = describe_outcome(outcome);
  std::printf("dismake: %s %s: %s\n", op.name().c_str(), op.spec().dump().c_str(), what.c_str());
  report_outcome(what);
}

template <typename MakeOp>
void on_run(CLI::App* cmd, Action& action, std::shared_ptr<StepArgs> args, MakeOp make_op) {
  cmd->callback([=, &action] {
    action = [=] {
      std::unique_ptr<Op> op = make_op();
      run(*args, *op);
    };
  });
}

void add_file_steps(CLI::App& app, Action& action) {
  {
    auto args = std::make_shared<StepArgs>();
    auto source = std::make_shared<std::string>();
    auto destination = std::make_shared<std::string>();
    CLI::App* cmd = add_step(app, "add", "Add a file, or merge a directory, into the image", *args);
    cmd->add_option("source", *source, "A file or directory on disk")->required();
    cmd->add_option("image-path", *destination,
                    "What the source becomes in the image (a file given a directory, or a "
                    "path ending with /, goes into it)")
        ->required();
    on_run(cmd, action, args, [=] { return make_add_files_op(*source, *destination); });
  }
  {
    auto args = std::make_shared<StepArgs>();
    auto paths = std::make_shared<std::vector<std::string>>();
    auto if_exists = std::make_shared<bool>(false);
    CLI::App* cmd = add_step(app, "delete", "Delete files or directories from the image", *args);
    cmd->add_option("image-paths", *paths, "Paths in the image")->required();
    cmd->add_flag("--if-exists", *if_exists, "A missing path is not an error");
    on_run(cmd, action, args, [=] { return make_delete_paths_op(*paths, *if_exists); });
  }
  {
    auto args = std::make_shared<StepArgs>();
    auto from = std::make_shared<std::string>();
    auto to = std::make_shared<std::string>();
    CLI::App* cmd = add_step(app, "rename", "Rename or move a path in the image", *args);
    cmd->add_option("from", *from, "The path in the image")->required();
    cmd->add_option("to", *to, "Its new path")->required();
    on_run(cmd, action, args, [=] { return make_rename_path_op(*from, *to); });
  }
  {
    auto args = std::make_shared<StepArgs>();
    auto path = std::make_shared<std::string>();
    CLI::App* cmd =
        add_step(app, "set-attributes", "Set or clear a file's attributes, as attrib", *args);
    cmd->add_option("image-path", *path, "A file in the image")->required();
    // The changes (+H -R ...) are read as extras: "-R" would be an option.
    cmd->allow_extras();
    cmd->footer("Changes: +X or -X, X one of R H S A I (e.g. +H +S -R), as attrib.");
    on_run(cmd, action, args, [=] {
      std::vector<std::string> changes;
      for (const std::string& extra : cmd->remaining())
        if (extra != "--") changes.push_back(extra);
      return make_set_attributes_op(*path, changes);
    });
  }
  {
    auto args = std::make_shared<StepArgs>();
    auto path = std::make_shared<std::string>();
    auto like = std::make_shared<std::string>();
    CLI::App* cmd =
        add_step(app, "set-security", "Give a file the security descriptor of another", *args);
    cmd->add_option("image-path", *path, "A file in the image")->required();
    cmd->add_option("--like", *like, "A path of the base image whose descriptor it gets")
        ->required();
    on_run(cmd, action, args, [=] { return make_set_security_op(*path, *like); });
  }
}

void add_registry_steps(CLI::App& app, Action& action) {
  {
    auto args = std::make_shared<StepArgs>();
    auto v = std::make_shared<std::array<std::string, 4>>();
    CLI::App* cmd =
        add_step(app, "set-registry-value", "Set a registry value in the image's hives", *args);
    cmd->add_option("key", (*v)[0], "HKLM\\SOFTWARE\\..., HKU\\.DEFAULT\\..., HKCU\\...")
        ->required();
    cmd->add_option("name", (*v)[1], "The value's name (\"\" for the default value)")->required();
    cmd->add_option("type", (*v)[2],
                    "REG_SZ|REG_EXPAND_SZ|REG_DWORD|REG_QWORD|REG_MULTI_SZ|REG_BINARY")
        ->required();
    cmd->add_option("data", (*v)[3], "The data (REG_MULTI_SZ: items separated by ';')")->required();
    on_run(cmd, action, args,
           [=] { return make_set_registry_value_op((*v)[0], (*v)[1], (*v)[2], (*v)[3]); });
  }
  {
    auto args = std::make_shared<StepArgs>();
    auto key = std::make_shared<std::string>();
    auto name = std::make_shared<std::string>();
    auto if_exists = std::make_shared<bool>(false);
    CLI::App* cmd = add_step(app, "delete-registry-value", "Delete a registry value", *args);
    cmd->add_option("key", *key, "The key")->required();
    cmd->add_option("name", *name, "The value's name")->required();
    cmd->add_flag("--if-exists", *if_exists, "A missing value is not an error");
    on_run(cmd, action, args,
           [=] { return make_delete_registry_value_op(*key, *name, *if_exists); });
  }
  {
    auto args = std::make_shared<StepArgs>();
    auto key = std::make_shared<std::string>();
    auto if_exists = std::make_shared<bool>(false);
    CLI::App* cmd =
        add_step(app, "delete-registry-key", "Delete a registry key and its subkeys", *args);
    cmd->add_option("key", *key, "The key")->required();
    cmd->add_flag("--if-exists", *if_exists, "A missing key is not an error");
    on_run(cmd, action, args, [=] { return make_delete_registry_key_op(*key, *if_exists); });
  }
  {
    auto args = std::make_shared<StepArgs>();
    auto file = std::make_shared<std::string>();
    CLI::App* cmd =
        add_step(app, "import-registry", "Import a .reg file into the image's hives", *args);
    cmd->add_option("file", *file, "A .reg file (regedit export, UTF-16 or UTF-8)")->required();
    on_run(cmd, action, args, [=] { return make_import_registry_op(*file); });
  }
}

void add_driver_steps(CLI::App& app, Action& action) {
  {
    auto args = std::make_shared<StepArgs>();
    auto path = std::make_shared<std::string>();
    auto recurse = std::make_shared<bool>(false);
    auto force_unsigned = std::make_shared<bool>(false);
    CLI::App* cmd =
        add_step(app, "add-driver",
                 "Stage driver packages in the image (DismAddDriver, /Add-Driver)", *args);
    cmd->add_option("path", *path, "A driver's .inf file, or a folder of driver packages")
        ->required();
    cmd->add_flag("--recurse", *recurse, "Also add the packages of the folder's subfolders");
    cmd->add_flag("--force-unsigned", *force_unsigned, "Add packages without a valid catalog");
    on_run(cmd, action, args, [=] { return make_add_driver_op(*path, *recurse, *force_unsigned); });
  }
  {
    auto args = std::make_shared<StepArgs>();
    auto names = std::make_shared<std::vector<std::string>>();
    CLI::App* cmd = add_step(app, "remove-driver",
                             "Remove third-party driver packages (DismRemoveDriver)", *args);
    cmd->add_option("published-name", *names, "oemN.inf (see `dismake get-drivers`)")->required();
    on_run(cmd, action, args, [=] { return make_remove_driver_op(*names); });
  }
}

void add_other_steps(CLI::App& app, Action& action) {
  {
    auto args = std::make_shared<StepArgs>();
    auto file = std::make_shared<std::string>();
    CLI::App* cmd = add_step(app, "apply-unattend",
                             "Place an answer file at Windows/Panther/unattend.xml", *args);
    cmd->add_option("file", *file, "unattend.xml")->required();
    on_run(cmd, action, args, [=] { return make_apply_unattend_op(*file); });
  }
  {
    auto args = std::make_shared<StepArgs>();
    auto change = std::make_shared<ImageInfoChange>();
    CLI::App* cmd =
        add_step(app, "set-image-info", "Set the image's name, description, edition flags", *args);
    cmd->add_option("--name", change->name, "NAME");
    cmd->add_option("--description", change->description, "DESCRIPTION");
    cmd->add_option("--display-name", change->display_name, "DISPLAYNAME");
    cmd->add_option("--display-description", change->display_description, "DISPLAYDESCRIPTION");
    cmd->add_option("--flags", change->flags, "FLAGS (the edition, e.g. Professional)");
    on_run(cmd, action, args, [=] { return make_set_image_info_op(*change); });
  }
  {
    auto args = std::make_shared<StepArgs>();
    auto command = std::make_shared<std::vector<std::string>>();
    auto paths = std::make_shared<std::vector<std::string>>();
    auto depends = std::make_shared<std::vector<std::string>>();
    auto network = std::make_shared<bool>(false);
    CLI::App* cmd =
        add_step(app, "run", "Run a command in the mount; its changes become the step's", *args);
    // No extra arguments: "--paths P -- cmd" must leave cmd to the command.
    cmd->add_option("--paths", *paths, "Image subtrees the command needs (default: all)")
        ->allow_extra_args(false);
    cmd->add_option("--depends", *depends, "Input files: a change re-runs the step")
        ->allow_extra_args(false);
    cmd->add_flag("--network", *network,
                  "Give the command the host's network (default: a loopback of its own)");
    cmd->add_option("command", *command, "The command, after --")->required();
    on_run(cmd, action, args, [=] {
      return make_run_command_op(*command, *paths, {depends->begin(), depends->end()}, *network);
    });
  }
}

}  // namespace

void add_step_commands(CLI::App& app, Action& run) {
  add_file_steps(app, run);
  add_registry_steps(app, run);
  add_driver_steps(app, run);
  add_other_steps(app, run);
}

}  // namespace dismake::cli
