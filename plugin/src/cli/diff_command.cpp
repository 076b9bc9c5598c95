// `dismake diff`: what differs between two images (WIM images or mounts),
// files, metadata, registry and image properties (diff/image_diff.h). It
// exits as diff(1) does: 0 the same, 1 different, 2 trouble.
#include <cstdio>
#include <memory>

#include "commands.h"
#include "dismake/base/files.h"
#include "dismake/diff/image_diff.h"
#include "dismake/diff/image_diff_report.h"
#include "exit_status.h"

namespace dismake::cli {

namespace {

struct DiffArgs {
  std::string before;
  std::string after;
  bool as_json = false;
  std::string output;
};

void run_diff(const DiffArgs& args) {
  ImageSide before = ImageSide::parse(args.before);
  ImageSide after = ImageSide::parse(args.after);
  ImageDiff diff = diff_images(before, after);
  exit_status().success = diff.empty() ? 0 : 1;
  std::string text =
      args.as_json ? image_diff_to_json(diff).dump(2) + "\n" : format_image_diff(diff);
  if (args.output.empty()) {
    std::fputs(text.c_str(), stdout);
  } else {
    fs::path output = absolute_path(args.output);
    fs::create_directories(output.parent_path());
    write_file_atomic(output, text);
  }
}

}  // namespace

void add_diff_command(CLI::App& app, Action& run) {
  auto args = std::make_shared<DiffArgs>();
  CLI::App* cmd = app.add_subcommand(
      "diff",
      "Show what differs between two images: files, metadata, registry, properties. Exits 0 "
      "when they are the same, 1 when they differ, 2 on trouble (as diff(1))");
  cmd->add_option("before", args->before, "<wim>[:<index>|:<name>] or a mount directory")
      ->required();
  cmd->add_option("after", args->after, "<wim>[:<index>|:<name>] or a mount directory")->required();
  cmd->add_flag("--json", args->as_json, "Print JSON for machines");
  cmd->add_option("--output,-o", args->output,
                  "Write the report to this file (atomically) instead of stdout");
  // Set when the command line names `diff`, so a refused one is 2 as well.
  cmd->preparse_callback([](size_t) { exit_status().failure = 2; });
  cmd->callback([args, &run] { run = [args] { run_diff(*args); }; });
}

}  // namespace dismake::cli
