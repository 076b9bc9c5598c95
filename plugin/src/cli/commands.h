// The `dismake` subcommands. Each add_*_command registers its subcommands on
// the app and sets `run` to the action chosen on the command line; main()
// runs it after parsing, so every failure is reported in one place.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>

namespace dismake::cli {

using Action = std::function<void()>;

// --index when it was not given (0 is a given, invalid index: DISM's
// DISMAPI_E_INVALID_IMAGE_INDEX, not "missing").
constexpr int kNoIndex = -1;

void add_info_command(CLI::App& app, Action& run);
void add_diff_command(CLI::App& app, Action& run);
void add_mount_commands(CLI::App& app, Action& run);
void add_mount_list_commands(CLI::App& app, Action& run);
void add_session_commands(CLI::App& app, Action& run);
void add_step_commands(CLI::App& app, Action& run);
void add_build_commands(CLI::App& app, Action& run);
void add_delivery_commands(CLI::App& app, Action& run);
void add_explain_command(CLI::App& app, Action& run);
void add_media_commands(CLI::App& app, Action& run);
void add_verify_command(CLI::App& app, Action& run);
void add_driver_commands(CLI::App& app, Action& run);
void add_check_registry_value_command(CLI::App& app, Action& run);

}  // namespace dismake::cli
