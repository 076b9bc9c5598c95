// `dismake assemble | split`: built images put together for delivery, as
// `dism /Export-Image` and `dism /Split-Image` do.
#include <cstdio>
#include <memory>

#include "commands.h"
#include "dismake/store/wim_assembly.h"
#include "outcome.h"
#include "progress_printer.h"
#include "write_options.h"

namespace dismake::cli {

namespace {

struct AssembleArgs {
  std::vector<std::string> sources;
  std::string output;
  WriteArgs write;
  int boot_index = kNoIndex;
  bool quiet = false;
};

void run_assemble(const AssembleArgs& args) {
  AssembleRequest request;
  for (const std::string& source : args.sources)
    request.sources.push_back(parse_image_source(source));
  request.output = args.output;
  request.compression = compression_or(args.write, Compression::kLzx);
  request.write = write_options(args.write);
  if (args.boot_index != kNoIndex) request.boot_index = args.boot_index;
  request.progress = progress_printer("assemble", args.quiet);
  int images = assemble_wims(request);
  std::printf("Assembled %d images into %s\n", images, args.output.c_str());
  report_outcome("assembled " + std::to_string(images) + " images");
}

void add_assemble(CLI::App& app, Action& run) {
  auto args = std::make_shared<AssembleArgs>();
  CLI::App* cmd = app.add_subcommand(
      "assemble", "Put images of several WIMs into one multi-image WIM (dism /Export-Image)");
  cmd->add_option("sources", args->sources, "WIM files, each optionally FILE:INDEX")->required();
  cmd->add_option("--output", args->output, "The WIM to write")->required();
  add_write_options(cmd, args->write, "lzx");
  cmd->add_option("--boot-index", args->boot_index, "Mark this image of the output bootable");
  cmd->add_flag("--quiet", args->quiet, "Show no progress");
  cmd->callback([args, &run] { run = [args] { run_assemble(*args); }; });
}

void add_split(CLI::App& app, Action& run) {
  auto wim = std::make_shared<std::string>();
  auto first = std::make_shared<std::string>();
  auto size_mib = std::make_shared<std::uint64_t>(4000);
  auto check = std::make_shared<bool>(false);
  auto quiet = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand(
      "split", "Split a WIM into .swm parts for FAT32 media (dism /Split-Image)");
  cmd->add_option("wim", *wim, "The WIM to split")->required();
  cmd->add_option("first-part", *first, "The first part, e.g. install.swm")->required();
  cmd->add_option("--size", *size_mib, "Largest part, in MiB (default 4000)");
  cmd->add_flag("--check", *check, "Add integrity tables");
  cmd->add_flag("--quiet", *quiet, "Show no progress");
  cmd->callback([=, &run] {
    run = [=] {
      WriteOptions options;
      options.check_integrity = *check;
      std::vector<std::filesystem::path> parts = split_wim(
          *wim, *first, *size_mib * 1024 * 1024, options, progress_printer("split", *quiet));
      for (const std::filesystem::path& part : parts) std::printf("%s\n", part.c_str());
      std::printf("Split %s into %zu parts\n", wim->c_str(), parts.size());
      report_outcome("split into " + std::to_string(parts.size()) + " parts");
    };
  });
}

}  // namespace

void add_delivery_commands(CLI::App& app, Action& run) {
  add_assemble(app, run);
  add_split(app, run);
}

}  // namespace dismake::cli
