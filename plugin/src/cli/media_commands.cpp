// `dismake extract-media | make-iso | make-usb`: installation media.
// extract-media turns a Windows ISO into a folder (again only when the ISO
// changed); make-iso writes a BIOS+UEFI bootable ISO from such a folder,
// make-usb a UEFI-bootable USB disk image, each with built files (an
// install.wim) in place of the media's.
#include <cstdio>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "dismake/base/depfile.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/base/temporary_directory.h"
#include "dismake/media/boot_files.h"
#include "dismake/media/iso_image.h"
#include "dismake/media/media_image.h"
#include "dismake/media/media_record.h"
#include "dismake/media/media_tree.h"
#include "dismake/media/usb_image.h"
#include "dismake/store/wim_assembly.h"
#include "outcome.h"

namespace dismake::cli {

namespace {

using nlohmann::json;

void print_json(const json& value) { std::printf("%s\n", value.dump(2).c_str()); }

struct ExtractArgs {
  std::string source;
  std::string destination;
  bool force = false;
  bool as_json = false;
};

void run_extract(const ExtractArgs& args) {
  fs::path source = absolute_path(args.source);
  fs::path destination = absolute_path(args.destination);
  std::error_code ec;
  if (fs::is_directory(source, ec))
    throw Error(
        hr::kInvalidArg, source.string() + " is a folder, not an ISO",
        "use the folder as the media directly (dismake make-iso --media " + source.string() + ")");
  if (!fs::exists(source, ec))
    throw Error(hr::kFileNotFound, "the media image " + source.string() + " does not exist",
                "give the .iso file of an installation media");
  std::string identity = file_identity(source);
  std::optional<MediaRecord> record = read_media_record(destination);
  std::string why;
  if (!record || !fs::is_directory(destination, ec))
    why = "first build";
  else if (record->source != source.string())
    why = "the media is now " + source.filename().string();
  else if (record->identity != identity)
    why = source.filename().string() + " changed";
  else if (args.force)
    why = "--force";

  json report = {{"source", source.string()}, {"media_dir", destination.string()}};
  if (why.empty()) {
    report["outcome"] = "up to date";
    report["format"] = record->format;
    report["label"] = record->label;
    if (args.as_json)
      print_json(report);
    else
      std::printf("%s is up to date (extracted from %s, %s)\n", destination.c_str(), source.c_str(),
                  record->format.c_str());
    report_outcome("up to date");
    return;
  }
  MediaExtraction extraction = extract_media_image(source, destination);
  MediaRecord written;
  written.source = source.string();
  written.identity = identity;
  written.format = media_format_name(extraction.format);
  written.label = extraction.volume.label;
  written.date = extraction.volume.date;
  write_media_record(destination, written);
  report["outcome"] = "extracted";
  report["reason"] = why;
  report["format"] = written.format;
  report["label"] = written.label;
  report["files"] = extraction.files;
  report["bytes"] = extraction.bytes;
  if (args.as_json)
    print_json(report);
  else
    std::printf("Extracted %llu files (%llu bytes) from the %s volume '%s' of %s into %s\n",
                static_cast<unsigned long long>(extraction.files),
                static_cast<unsigned long long>(extraction.bytes), written.format.c_str(),
                written.label.c_str(), source.c_str(), destination.c_str());
  report_outcome("extracted (" + why + ")");
}

void add_extract(CLI::App& app, Action& run) {
  auto args = std::make_shared<ExtractArgs>();
  CLI::App* cmd = app.add_subcommand(
      "extract-media",
      "Extract a Windows ISO (UDF, or ISO 9660/Joliet) into a folder, without root; again only "
      "when the ISO changed");
  cmd->add_option("iso", args->source, "The ISO")->required();
  cmd->add_option("media-dir", args->destination, "The folder to extract to (replaced whole)")
      ->required();
  cmd->add_flag("--force", args->force, "Extract even when the ISO did not change");
  cmd->add_flag("--json", args->as_json, "Report as JSON");
  cmd->callback([args, &run] { run = [args] { run_extract(*args); }; });
}

struct MakeIsoArgs {
  std::string media;
  std::string output;
  std::vector<std::string> replacements;  // "<media path>=<file>"
  std::string label;
  bool no_prompt = false;
  std::string record;
  std::string depfile;
  bool check = false;
  bool as_json = false;
};

std::vector<MediaReplacement> parse_replacements(const std::vector<std::string>& values) {
  std::vector<MediaReplacement> result;
  for (const std::string& value : values) {
    std::size_t equals = value.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == value.size())
      throw Error(hr::kInvalidArg, "--replace '" + value + "' is not <media path>=<file>",
                  "e.g. --replace sources/install.wim=build/pro.wim");
    result.push_back({value.substr(0, equals), absolute_path(value.substr(equals + 1))});
  }
  return result;
}

void write_media_depfile(const fs::path& depfile, const fs::path& output, const MediaTree& tree) {
  std::vector<fs::path> dependencies;
  for (const MediaFile& file : tree.files)
    if (!file.replaced) dependencies.push_back(file.source);
  for (const std::string& dir : tree.dirs) dependencies.push_back(tree.root / dir);
  dependencies.push_back(tree.root);
  write_depfile(depfile, output, dependencies);
}

// What a written ISO or USB image is made from, for why_inputs_changed():
// the options, the ISO the media was extracted from, and every file (size,
// time, where it is read from).
json media_inputs(json options, const MediaTree& tree, const std::optional<MediaRecord>& record) {
  json inputs = {
      {"options", std::move(options)}, {"sources", json::object()}, {"files", json::object()}};
  if (record) inputs["sources"][fs::path(record->source).filename().string()] = record->identity;
  for (const MediaFile& file : tree.files)
    inputs["files"][file.path] = std::to_string(file.size) + ":" + std::to_string(file.mtime_ns) +
                                 ":" + file.source.string();
  return inputs;
}

// --check: what can be known before the replaced files are built (the
// CMake module asks this when CMake runs).
void check_make_iso(const MakeIsoArgs& args) {
  fs::path media = absolute_path(args.media);
  MediaTree tree = list_media_tree(media, {});
  check_replacement_paths(tree, parse_replacements(args.replacements));
  IsoBootFiles boot = find_iso_boot_files(tree, args.no_prompt);
  if (!args.label.empty()) check_iso_label(args.label);
  std::printf("%s can be written: BIOS boots %s, UEFI boots %s\n", args.output.c_str(),
              boot.bios->path.c_str(), boot.uefi->path.c_str());
}

// The time an ISO or USB image made from `tree` records (before
// SOURCE_DATE_EPOCH, which the writers apply): the source ISO's volume date
// when the media was extracted from one, else its newest file's time, so
// two builds of the same media agree.
std::int64_t media_date(const std::optional<MediaRecord>& record, const MediaTree& tree) {
  return record && record->date > 0 ? record->date : tree.newest_media_mtime;
}

void run_make_iso(const MakeIsoArgs& args) {
  if (args.check) return check_make_iso(args);
  fs::path media = absolute_path(args.media);
  MediaTree tree = list_media_tree(media, parse_replacements(args.replacements));
  std::optional<MediaRecord> record = read_media_record(media);
  IsoRequest request;
  request.output = absolute_path(args.output);
  request.no_prompt = args.no_prompt;
  request.label = !args.label.empty() ? args.label : record ? record->label : "";
  if (request.label.empty())
    throw Error(hr::kInvalidArg,
                "the ISO needs a volume label: " + media.string() +
                    " was not extracted from an ISO whose label it could take",
                "give --label (LABEL in CMake), e.g. CCCOMA_X64FRE_EN-US_DV9");
  request.date = media_date(record, tree);

  json inputs = media_inputs(
      {{"label", request.label}, {"no_prompt", request.no_prompt}, {"media", media.string()}}, tree,
      record);
  std::string why = args.record.empty() ? "" : why_inputs_changed(args.record, inputs);

  IsoResult result = write_iso(tree, request);
  if (!args.record.empty()) write_inputs_record(args.record, inputs);
  if (!args.depfile.empty()) write_media_depfile(args.depfile, request.output, tree);
  if (args.as_json) {
    print_json({{"output", request.output.string()},
                {"label", request.label},
                {"bios_boot_image", result.bios_image},
                {"uefi_boot_image", result.uefi_image},
                {"files", result.files},
                {"bytes", result.bytes},
                {"date", result.date},
                {"reason", why}});
  } else {
    std::printf("Wrote %s (%llu files, %llu bytes, label %s): BIOS boots %s, UEFI boots %s\n",
                request.output.c_str(), static_cast<unsigned long long>(result.files),
                static_cast<unsigned long long>(result.bytes), request.label.c_str(),
                result.bios_image.c_str(), result.uefi_image.c_str());
  }
  report_outcome(why.empty() ? "ran" : "ran (" + why + ")");
}

void add_make_iso(CLI::App& app, Action& run) {
  auto args = std::make_shared<MakeIsoArgs>();
  CLI::App* cmd = app.add_subcommand(
      "make-iso", "Write a BIOS+UEFI bootable installation ISO from a media folder (as oscdimg)");
  cmd->add_option("--media", args->media, "The media folder (extract-media's, or the ISO's files)")
      ->required();
  cmd->add_option("--output", args->output, "The ISO to write")->required();
  cmd->add_option("--replace", args->replacements,
                  "<media path>=<file>: write this file at that path of the media (repeatable)");
  cmd->add_option("--label", args->label, "The volume label (default: the source ISO's)");
  cmd->add_flag("--no-prompt", args->no_prompt,
                "UEFI boots efisys_noprompt.bin when the media has it (no \"Press any key\")");
  cmd->add_option("--record", args->record,
                  "Remember the inputs here, to say why the next run ran");
  cmd->add_option("--depfile", args->depfile, "Write the media's files as a Ninja depfile");
  cmd->add_flag("--check", args->check,
                "Only check the media, the REPLACE paths and the label; write nothing");
  cmd->add_flag("--json", args->as_json, "Report as JSON");
  cmd->callback([args, &run] { run = [args] { run_make_iso(*args); }; });
}

struct MakeUsbArgs {
  std::string media;
  std::string output;
  std::vector<std::string> replacements;
  std::string label = "ESD-USB";
  std::uint64_t split_size_mib = 0;  // 0: split only past FAT32's limit
  std::string record;
  std::string depfile;
  bool as_json = false;
};

// install.wim as install.swm parts (in `scratch`) when it is over FAT32's
// limit or `split_size_mib`: what Windows Setup reads from a FAT32 stick.
// Adds the parts to `request` in its place; returns how many.
std::size_t split_install_wim(const MediaTree& tree, std::uint64_t split_size_mib,
                              const fs::path& scratch, UsbRequest& request) {
  const MediaFile* wim = tree.find("sources/install.wim");
  if (wim == nullptr) return 0;
  constexpr std::uint64_t kMiB = 1024 * 1024;
  // 4000 MiB, as dism /Split-Image users pick: below the limit with room.
  std::uint64_t part_size = (split_size_mib ? split_size_mib : 4000) * kMiB;
  bool over_limit = wim->size > kFat32MaxFileSize;
  if (!over_limit && (split_size_mib == 0 || wim->size <= part_size)) return 0;
  std::vector<fs::path> parts =
      split_wim(wim->source, scratch / "install.swm", part_size, WriteOptions{}, {});
  std::string folder = wim->path.substr(0, wim->path.rfind('/') + 1);
  for (const fs::path& part : parts) {
    MediaFile file;
    file.path = folder + part.filename().string();
    file.source = part;
    file.size = fs::file_size(part);
    request.extra_files.push_back(file);
  }
  request.omitted.push_back(wim->path);
  return parts.size();
}

void run_make_usb(const MakeUsbArgs& args) {
  fs::path media = absolute_path(args.media);
  MediaTree tree = list_media_tree(media, parse_replacements(args.replacements));
  std::optional<MediaRecord> record = read_media_record(media);
  UsbRequest request;
  request.output = absolute_path(args.output);
  request.label = args.label;
  request.date = media_date(record, tree);
  check_fat_label(request.label);

  json inputs = media_inputs(
      {{"label", request.label}, {"split_size", args.split_size_mib}, {"media", media.string()}},
      tree, record);
  std::string why = args.record.empty() ? "" : why_inputs_changed(args.record, inputs);

  TemporaryDirectory scratch("usb");
  std::size_t parts = split_install_wim(tree, args.split_size_mib, scratch.path(), request);
  UsbResult result = write_usb_image(tree, request);
  if (!args.record.empty()) write_inputs_record(args.record, inputs);
  if (!args.depfile.empty()) write_media_depfile(args.depfile, request.output, tree);
  if (args.as_json) {
    print_json({{"output", request.output.string()},
                {"label", request.label},
                {"partition_table", "MBR"},
                {"partition_type", "0x0C"},
                {"partition_bytes", result.partition_bytes},
                {"install_swm_parts", parts},
                {"files", result.files},
                {"bytes", result.bytes},
                {"date", result.date},
                {"reason", why}});
  } else {
    std::printf(
        "Wrote %s (%llu files, %llu bytes; MBR, one FAT32 partition '%s')%s\n",
        request.output.c_str(), static_cast<unsigned long long>(result.files),
        static_cast<unsigned long long>(result.bytes), request.label.c_str(),
        parts ? (", install.wim as " + std::to_string(parts) + " install.swm parts").c_str() : "");
  }
  report_outcome(why.empty() ? "ran" : "ran (" + why + ")");
}

void add_make_usb(CLI::App& app, Action& run) {
  auto args = std::make_shared<MakeUsbArgs>();
  CLI::App* cmd = app.add_subcommand(
      "make-usb",
      "Write a UEFI-bootable USB disk image (MBR, one FAT32 partition) from a media folder");
  cmd->add_option("--media", args->media, "The media folder")->required();
  cmd->add_option("--output", args->output, "The disk image to write")->required();
  cmd->add_option("--replace", args->replacements,
                  "<media path>=<file>: write this file at that path of the media (repeatable)");
  cmd->add_option("--label", args->label, "The FAT volume label (default ESD-USB)");
  cmd->add_option("--split-size", args->split_size_mib,
                  "Split install.wim into install.swm parts of this many MiB (default: only "
                  "when over 4 GiB, into 4000 MiB parts)");
  cmd->add_option("--record", args->record,
                  "Remember the inputs here, to say why the next run ran");
  cmd->add_option("--depfile", args->depfile, "Write the media's files as a Ninja depfile");
  cmd->add_flag("--json", args->as_json, "Report as JSON");
  cmd->callback([args, &run] { run = [args] { run_make_usb(*args); }; });
}

}  // namespace

void add_media_commands(CLI::App& app, Action& run) {
  add_extract(app, run);
  add_make_iso(app, run);
  add_make_usb(app, run);
}

}  // namespace dismake::cli
