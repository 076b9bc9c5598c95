// dismake: the helper executable. DISM's image verbs (info, mount, commit,
// unmount, list-mounts, remount, cleanup) on Linux, called by hand or by the
// build steps the CMake module generates.
#include <cstdio>
#include <exception>

#include "commands.h"
#include "dismake/base/error.h"

int main(int argc, char** argv) {
  CLI::App app{"dismake: build customised Windows images (WIM) the way software is built"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "dismake 0.1.0");

  dismake::cli::Action run;
  dismake::cli::add_info_command(app, run);
  dismake::cli::add_diff_command(app, run);
  dismake::cli::add_mount_commands(app, run);
  dismake::cli::add_mount_list_commands(app, run);
  dismake::cli::add_session_commands(app, run);
  dismake::cli::add_step_commands(app, run);
  dismake::cli::add_build_commands(app, run);
  dismake::cli::add_delivery_commands(app, run);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  try {
    run();
    return 0;
  } catch (const dismake::Error& e) {
    std::fprintf(stderr, "dismake: error: %s\n", e.what());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "dismake: error: %s (%s)\n", e.what(),
                 dismake::format_hresult(dismake::hr::kFail).c_str());
  }
  return 1;
}
