// `dismake check-registry-value --type <type> (--data <data> | --data-file <f>)`: whether a
// registry value's text is what its type can hold, by the parser the
// set-registry-value op uses (registry_value.h). The CMake module asks this
// when CMake runs, so the rule is written once. Prints the type's canonical
// name (REG_DWORD for "dword"); fails with the op's own message.
// `--values-file <f>` checks a run of values (registry_settings.h) at once,
// as set-registry-values reads it: one canonical type a line, in order; the
// error names the value.
#include <cstdio>
#include <memory>

#include "commands.h"
#include "dismake/base/files.h"
#include "dismake/ops/registry_settings.h"
#include "dismake/registry/registry_value.h"

namespace dismake::cli {

namespace {

struct CheckRegistryValueArgs {
  std::string type;
  std::string data;
  std::string data_file;
  std::string values_file;
};

}  // namespace

void add_check_registry_value_command(CLI::App& app, Action& run) {
  auto args = std::make_shared<CheckRegistryValueArgs>();
  CLI::App* cmd =
      app.add_subcommand("check-registry-value",
                         "Check that registry data fits its type, as set-registry-value parses it");
  CLI::Option* type =
      cmd->add_option("--type", args->type, "REG_SZ, REG_DWORD, ... (the REG_ optional)");
  cmd->add_option("--data", args->data, "The data as text (default: empty)");
  // The module passes the data in a file: a CMake command line would split
  // it at semicolons (REG_MULTI_SZ) and cannot pass an empty argument here.
  cmd->add_option("--data-file", args->data_file, "Read the data from this file, byte for byte")
      ->excludes("--data");
  cmd->add_option("--values-file", args->values_file,
                  "Check a run of values instead: a JSON array of {\"key\", \"name\", "
                  "\"type\", \"data\"} objects (as set-registry-values reads it)")
      ->excludes(type)
      ->excludes("--data")
      ->excludes("--data-file");
  cmd->callback([args, &run] {
    if (args->values_file.empty() && args->type.empty())
      throw CLI::RequiredError("--type (or --values-file)");
    run = [args] {
      if (!args->values_file.empty()) {
        for (const RegistrySetting& s : read_registry_settings(args->values_file))
          std::printf("%s\n", registry_type_name(s.value.type()).c_str());
        return;
      }
      std::string data = args->data_file.empty() ? args->data : read_file(args->data_file);
      RegistryValue value = RegistryValue::parse(args->type, data);
      std::printf("%s\n", registry_type_name(value.type()).c_str());
    };
  });
}

}  // namespace dismake::cli
