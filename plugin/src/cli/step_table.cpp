#include "step_table.h"

#include "dismake/ops/servicing_ops.h"

namespace dismake::cli {

namespace {

using Form = StepArgument::Form;

StepArgument text(std::string name, std::string help, bool required = true) {
  return {std::move(name), std::move(help), Form::kText, required};
}
StepArgument list(std::string name, std::string help, bool required = true) {
  return {std::move(name), std::move(help), Form::kList, required};
}
StepArgument flag(std::string name, std::string help) {
  return {std::move(name), std::move(help), Form::kFlag, false};
}
StepArgument option(std::string name, std::string help) { return text(name, help, false); }

std::vector<StepCommand> file_steps() {
  return {
      {"add",
       "Add a file, or merge a directory, into the image",
       {text("source", "A file or directory on disk"),
        text("image-path",
             "What the source becomes in the image (a file given a directory, or a "
             "path ending with /, goes into it)")},
       [](const StepValues& v) {
         return make_add_files_op(v.text("source"), v.text("image-path"));
       }},
      {"delete",
       "Delete files or directories from the image",
       {list("image-paths", "Paths in the image"),
        flag("--if-exists", "A missing path is not an error")},
       [](const StepValues& v) {
         return make_delete_paths_op(v.list("image-paths"), v.flag("--if-exists"));
       }},
      {"rename",
       "Rename or move a path in the image",
       {text("from", "The path in the image"), text("to", "Its new path")},
       [](const StepValues& v) { return make_rename_path_op(v.text("from"), v.text("to")); }},
      {"set-attributes",
       "Set or clear a file's attributes, as attrib",
       {text("image-path", "A file in the image")},
       [](const StepValues& v) { return make_set_attributes_op(v.text("image-path"), v.extras); },
       /*takes_extras=*/true,
       "Changes: +X or -X, X one of R H S A I (e.g. +H +S -R), as attrib."},
      {"set-security",
       "Give a file the security descriptor of another",
       {text("image-path", "A file in the image"),
        text("--like", "A path of the base image whose descriptor it gets")},
       [](const StepValues& v) {
         return make_set_security_op(v.text("image-path"), v.text("--like"));
       }},
  };
}

std::vector<StepCommand> registry_steps() {
  return {
      {"set-registry-value",
       "Set a registry value in the image's hives",
       {text("key", "HKLM\\SOFTWARE\\..., HKU\\.DEFAULT\\..., HKCU\\..."),
        text("name", "The value's name (\"\" for the default value)"),
        text("type", "REG_SZ|REG_EXPAND_SZ|REG_DWORD|REG_QWORD|REG_MULTI_SZ|REG_BINARY"),
        text("data", "The data (REG_MULTI_SZ: items separated by ';')")},
       [](const StepValues& v) {
         return make_set_registry_value_op(v.text("key"), v.text("name"), v.text("type"),
                                           v.text("data"));
       }},
      {"set-registry-values",
       "Set a run of registry values, in order, as one step",
       {text("values-file",
             "A JSON array of {\"key\", \"name\", \"type\", \"data\"} objects, each as "
             "set-registry-value takes them")},
       [](const StepValues& v) { return make_set_registry_values_op(v.text("values-file")); }},
      {"delete-registry-value",
       "Delete a registry value",
       {text("key", "The key"), text("name", "The value's name"),
        flag("--if-exists", "A missing value is not an error")},
       [](const StepValues& v) {
         return make_delete_registry_value_op(v.text("key"), v.text("name"), v.flag("--if-exists"));
       }},
      {"delete-registry-key",
       "Delete a registry key and its subkeys",
       {text("key", "The key"), flag("--if-exists", "A missing key is not an error")},
       [](const StepValues& v) {
         return make_delete_registry_key_op(v.text("key"), v.flag("--if-exists"));
       }},
      {"import-registry",
       "Import a .reg file into the image's hives",
       {text("file", "A .reg file (regedit export, UTF-16 or UTF-8)")},
       [](const StepValues& v) { return make_import_registry_op(v.text("file")); }},
  };
}

std::vector<StepCommand> driver_steps() {
  return {
      {"add-driver",
       "Stage driver packages in the image (DismAddDriver, /Add-Driver)",
       {text("path", "A driver's .inf file, or a folder of driver packages"),
        flag("--recurse", "Also add the packages of the folder's subfolders"),
        flag("--force-unsigned", "Add packages without a valid catalog")},
       [](const StepValues& v) {
         return make_add_driver_op(v.text("path"), v.flag("--recurse"), v.flag("--force-unsigned"));
       }},
      {"remove-driver",
       "Remove third-party driver packages (DismRemoveDriver)",
       {list("published-name", "oemN.inf (see `dismake get-drivers`)")},
       [](const StepValues& v) { return make_remove_driver_op(v.list("published-name")); }},
  };
}

ImageInfoChange image_info_change(const StepValues& v) {
  return {v.option("--name"), v.option("--description"), v.option("--display-name"),
          v.option("--display-description"), v.option("--flags")};
}

std::vector<StepCommand> other_steps() {
  return {
      {"apply-unattend",
       "Place an answer file at Windows/Panther/unattend.xml",
       {text("file", "unattend.xml")},
       [](const StepValues& v) { return make_apply_unattend_op(v.text("file")); }},
      {"set-image-info",
       "Set the image's name, description, edition flags",
       {option("--name", "NAME"), option("--description", "DESCRIPTION"),
        option("--display-name", "DISPLAYNAME"),
        option("--display-description", "DISPLAYDESCRIPTION"),
        option("--flags", "FLAGS (the edition, e.g. Professional)")},
       [](const StepValues& v) { return make_set_image_info_op(image_info_change(v)); }},
      {"run",
       "Run a command in the mount; its changes become the step's",
       {list("--paths", "Image subtrees the command needs (default: all)", false),
        list("--depends", "Input files: a change re-runs the step", false),
        flag("--network", "Give the command the host's network (default: a loopback of its own)"),
        list("command", "The command, after --")},
       [](const StepValues& v) {
         const std::vector<std::string>& depends = v.list("--depends");
         return make_run_command_op(v.list("command"), v.list("--paths"),
                                    {depends.begin(), depends.end()}, v.flag("--network"));
       }},
  };
}

void add_argument(CLI::App& cmd, const StepArgument& argument, StepValues& values) {
  CLI::Option* option = nullptr;
  switch (argument.form) {
    case Form::kText:
      option = cmd.add_option(argument.name, values.texts[argument.name], argument.help);
      break;
    case Form::kList:
      option = cmd.add_option(argument.name, values.lists[argument.name], argument.help);
      // "--paths P -- cmd" must leave cmd to the command.
      if (option->get_positional() == false) option->allow_extra_args(false);
      break;
    case Form::kFlag:
      option = cmd.add_flag(argument.name, values.flags[argument.name], argument.help);
      break;
  }
  if (argument.required) option->required();
}

// What the parse gave besides the bound values: which arguments were given,
// and the extras of a command that takes them.
void collect(const CLI::App& cmd, const StepCommand& command, StepValues& values) {
  for (const StepArgument& argument : command.arguments)
    if (cmd.get_option(argument.name)->count() > 0) values.given.insert(argument.name);
  if (!command.takes_extras) return;
  for (const std::string& extra : cmd.remaining())
    if (extra != "--") values.extras.push_back(extra);
}

}  // namespace

std::optional<std::string> StepValues::option(const std::string& name) const {
  if (given.count(name) == 0) return std::nullopt;
  return text(name);
}

StepOptions StepValues::options() const {
  StepOptions o;
  o.session = session;
  if (!after.empty()) o.after = std::filesystem::path(after);
  if (!stamp.empty()) o.stamp = std::filesystem::path(stamp);
  if (!depfile.empty()) o.depfile = std::filesystem::path(depfile);
  return o;
}

const std::vector<StepCommand>& step_command_table() {
  static const std::vector<StepCommand> table = [] {
    std::vector<StepCommand> all;
    for (auto group : {file_steps, registry_steps, driver_steps, other_steps})
      for (StepCommand& command : group()) all.push_back(std::move(command));
    return all;
  }();
  return table;
}

CLI::App* add_step_command(CLI::App& app, const StepCommand& command,
                           std::shared_ptr<StepValues> values, std::function<void()> parsed) {
  CLI::App* cmd = app.add_subcommand(command.name, command.help);
  cmd->add_option("mount-dir", values->mount_dir, "The mount directory")->required();
  cmd->add_option("--session", values->session, "A session that must be open on the mount");
  cmd->add_option("--after", values->after, "The previous step's stamp: this step's parent state");
  cmd->add_option("--stamp", values->stamp, "Write this step's stamp (JSON) here");
  cmd->add_option("--depfile", values->depfile,
                  "Write the inputs read, as a Makefile depfile, here");
  for (const StepArgument& argument : command.arguments) add_argument(*cmd, argument, *values);
  if (command.takes_extras) {
    cmd->allow_extras();
    cmd->footer(command.footer);
  }
  cmd->callback([cmd, &command, values, parsed] {
    collect(*cmd, command, *values);
    parsed();
  });
  return cmd;
}

}  // namespace dismake::cli
