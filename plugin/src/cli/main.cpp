// dismake: the helper executable, called by hand or by the build steps the
// CMake module generates. Its verbs, a group per file: DISM's image verbs
// (info, mount, commit, unmount, remount, list-mounts, cleanup), sessions
// (open-session, close-session), servicing steps (add, delete, rename, the
// registry, unattend, image info, run ...), the build's own (ensure, status,
// restore), delivery (assemble, split), diff and explain, and installation
// media (extract-media, make-iso).
#include <cstdio>
#include <exception>
#include <filesystem>
#include <optional>

#include "commands.h"
#include "dismake/base/error.h"
#include "dismake/base/free_memory.h"
#include "exit_status.h"
#include "outcome.h"
#include "step_log.h"

int main(int argc, char** argv) {
  dismake::share_one_heap_between_threads();
  CLI::App app{"dismake: build customised Windows images (WIM) the way software is built"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "dismake " DISMAKE_VERSION);

  // Build steps (step_log.h): the output to a log, one line to the console.
  std::string step_log_file;
  std::string step_label;
  bool console_step = false;
  app.add_option("--step-log", step_log_file, "Write the output to this log (for build steps)");
  app.add_option("--label", step_label, "The build step's label, printed with its outcome");
  app.add_flag("--console-step", console_step, "Keep stderr on the console (live progress)");

  dismake::cli::Action run;
  dismake::cli::add_info_command(app, run);
  dismake::cli::add_diff_command(app, run);
  dismake::cli::add_mount_commands(app, run);
  dismake::cli::add_mount_list_commands(app, run);
  dismake::cli::add_session_commands(app, run);
  dismake::cli::add_step_commands(app, run);
  dismake::cli::add_build_commands(app, run);
  dismake::cli::add_delivery_commands(app, run);
  dismake::cli::add_explain_command(app, run);
  dismake::cli::add_media_commands(app, run);
  dismake::cli::add_verify_command(app, run);
  dismake::cli::add_driver_commands(app, run);
  dismake::cli::add_check_registry_value_command(app, run);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are not refused: they exit 0.
    return app.exit(e) == 0 ? 0 : dismake::cli::exit_status().failure;
  }
  std::optional<dismake::cli::StepLog> step_log;
  std::string error;
  try {
    if (!step_log_file.empty()) step_log.emplace(step_log_file, step_label, console_step);
    run();
    if (step_log) step_log->succeeded(dismake::cli::reported_outcome());
    return dismake::cli::exit_status().success;
  } catch (const dismake::Error& e) {
    error = std::string("dismake: error: ") + e.what();
  } catch (const std::filesystem::filesystem_error& e) {
    // std::filesystem's own failures: the same message as the library's.
    error =
        std::string("dismake: error: ") +
        dismake::error_from_errno("complete the operation on", e.path1().string(), e.code().value())
            .what();
  } catch (const std::exception& e) {
    error = std::string("dismake: error: ") + e.what() + " (" +
            dismake::format_hresult(dismake::hr::kFail) + ")";
  }
  if (step_log) {
    step_log->failed(error);
  } else {
    std::fprintf(stderr, "%s\n", error.c_str());
  }
  return dismake::cli::exit_status().failure;
}
