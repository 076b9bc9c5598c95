// `dismake verify`: the full check of a base WIM (base_verification.h),
// by hand or as the VERIFY_BASE FULL build node that a commit waits for.
#include <cstdio>
#include <memory>

#include "commands.h"
#include "dismake/base/files.h"
#include "dismake/store/base_verification.h"
#include "dismake/store/mount_registry.h"
#include "outcome.h"
#include "progress_printer.h"

namespace dismake::cli {

namespace {

struct VerifyArgs {
  std::string wim;
  std::string stamp;
  bool use_record = false;
  bool quiet = false;
};

void run_verify(const VerifyArgs& args) {
  std::filesystem::path home = MountRegistry::for_current_user().home();
  ProgressFn progress = progress_printer("verify", args.quiet);
  BaseCheckResult result = args.use_record ? check_base(home, args.wim, BaseCheck::kFull, progress)
                                           : verify_base(home, args.wim, progress);
  std::printf("dismake: verify %s: sound (%s)\n", args.wim.c_str(), result.done.c_str());
  report_outcome("sound (" + result.done + ")");
  // The stamp names the content checked: a build node's output.
  if (!args.stamp.empty()) write_file_atomic(args.stamp, base_content_key(args.wim) + "\n");
}

}  // namespace

void add_verify_command(CLI::App& app, Action& run) {
  auto args = std::make_shared<VerifyArgs>();
  CLI::App* cmd = app.add_subcommand(
      "verify", "Check every byte of a WIM file (its integrity table, else every blob's SHA-1)");
  cmd->add_option("wim", args->wim, "The WIM file")->required();
  cmd->add_flag("--use-record", args->use_record,
                "Skip the check when one of the same content passed before "
                "($DISMAKE_HOME/verified-bases)");
  cmd->add_option("--stamp", args->stamp, "Write the WIM's content key here once it passed");
  cmd->add_flag("--quiet", args->quiet, "Show no progress");
  cmd->callback([args, &run] { run = [args] { run_verify(*args); }; });
}

}  // namespace dismake::cli
