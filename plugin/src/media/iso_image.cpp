#include "dismake/media/iso_image.h"

#include <unistd.h>

#include "dismake/base/clock.h"
#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "dismake/base/trailing_writeback.h"
#include "dismake/media/boot_files.h"
#include "tool_process.h"

namespace dismake {

namespace {

constexpr std::uint64_t kSector = 2048;

}  // namespace

void check_iso_label(const std::string& label) {
  bool ok = !label.empty() && label.size() <= 32;
  for (char c : label)
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-');
  if (!ok)
    throw Error(hr::kInvalidArg, "the volume label '" + label + "' is not usable on an ISO",
                "give 1 to 32 letters, digits, '_', '.' or '-' (Microsoft's media use e.g. "
                "CCCOMA_X64FRE_EN-US_DV9)");
}

namespace {

// What the ISO will take: every file in whole sectors, two directory trees
// (ISO 9660 and Joliet) and the system area, with a margin.
std::uint64_t estimated_size(const MediaTree& tree) {
  std::uint64_t bytes = 64 * kSector + (1 << 20);
  for (const MediaFile& file : tree.files)
    bytes += (file.size + kSector - 1) / kSector * kSector + 2 * 256;
  bytes += tree.dirs.size() * 4 * kSector;
  return bytes;
}

// A graft point's parts escaped as xorriso's -graft-points wants: '=' and
// '\' with a backslash.
std::string escaped(const std::string& text) {
  std::string result;
  for (char c : text) {
    if (c == '=' || c == '\\') result += '\\';
    result += c;
  }
  return result;
}

}  // namespace

IsoResult write_iso(const MediaTree& tree, const IsoRequest& request) {
  check_iso_label(request.label);
  fs::path output = absolute_path(request.output);
  if (is_within(output, absolute_path(tree.root)))
    throw Error(hr::kInvalidArg,
                "the ISO " + output.string() + " would be inside the media folder " +
                    tree.root.string() + " it is written from",
                "write it elsewhere");
  IsoBootFiles boot = find_iso_boot_files(tree, request.no_prompt);
  fs::create_directories(output.parent_path());
  require_free_space(output.parent_path(), estimated_size(tree), "the ISO " + output.string());

  IsoResult result;
  result.bios_image = boot.bios->path;
  result.uefi_image = boot.uefi->path;
  result.files = tree.files.size();
  result.date = reproducible_time(request.date);
  std::string epoch = std::to_string(result.date);

  replace_through_temporary(output, [&](const fs::path& temporary) {
    std::vector<std::string> argv = {
        "xorriso", "-no_rc", "-abort_on", "FAILURE", "-return_with", "SORRY", "32", "-as",
        "mkisofs", "-quiet", "-o", temporary.string(),
        // Level 3: files over 4 GiB as several extents; Joliet: the names
        // Windows reads (up to 103 characters, as oscdimg allows).
        "-iso-level", "3", "-J", "-joliet-long", "-V", request.label, "-b", boot.bios->path,
        "-no-emul-boot", "-boot-load-size", "8", "-eltorito-alt-boot", "-e", boot.uefi->path,
        "-no-emul-boot",
        // oscdimg's catalog is in no directory either.
        "--boot-catalog-hide",
        // Every file's times: the media's own are extraction times.
        "--set_all_file_dates", "=" + epoch, "-graft-points", "/=" + escaped(tree.root.string())};
    for (const MediaFile& file : tree.files)
      if (file.replaced)
        argv.push_back("/" + escaped(file.path) + "=" + escaped(file.source.string()));
    ToolResult run = [&] {
      TrailingWriteback writeback(temporary);
      return run_tool(argv, {{"SOURCE_DATE_EPOCH", epoch}}, "xorriso");
    }();
    if (run.exit_code != 0) {
      std::error_code ec;
      fs::remove(temporary, ec);
      throw Error(hr::kFail,
                  "xorriso could not write the ISO " + output.string() + ": " +
                      tool_output_tail(run.output),
                  "see the message above; the output was left as it was");
    }
    fsync_path(temporary);
  });
  result.bytes = fs::file_size(output);
  return result;
}

}  // namespace dismake
