// dismake: the helper executable. DISM's image verbs (info, mount, commit,
// unmount, list-mounts, remount, cleanup) on Linux, called by hand or by the
// build steps the CMake module generates.
#include <cstdio>
#include <exception>
#include <filesystem>

#include "commands.h"
#include "dismake/base/error.h"
#include "outcome.h"

int main(int argc, char** argv) {
  CLI::App app{"dismake: build customised Windows images (WIM) the way software is built"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "dismake 0.1.0");

  std::string outcome_file;
  app.add_option("--outcome", outcome_file,
                 "Write the command's one-line outcome to this file (for build steps)");

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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    run();
    if (!outcome_file.empty()) dismake::cli::write_outcome(outcome_file);
    return 0;
  } catch (const dismake::Error& e) {
    std::fprintf(stderr, "dismake: error: %s\n", e.what());
  } catch (const std::filesystem::filesystem_error& e) {
    // std::filesystem's own failures: the same message as the library's.
    std::fprintf(
        stderr, "dismake: error: %s\n",
        dismake::error_from_errno("complete the operation on", e.path1().string(), e.code().value())
            .what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dismake: error: %s (%s)\n", e.what(),
                 dismake::format_hresult(dismake::hr::kFail).c_str());
  }
  return 1;
}
