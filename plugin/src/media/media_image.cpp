// Extraction of an ISO's files: UDF through libudfread when the ISO has a
// UDF volume, else ISO 9660 (Rock Ridge or Joliet names) through xorriso's
// -osirrox. xorriso rather than libisofs's reading API: it is the tool that
// writes the ISO too (iso_image.cpp), it handles multi-extent files and
// Joliet names, and an extraction is one call; libisoburn would bring the
// same code with more to get wrong.
#include "dismake/media/media_image.h"

#include <unistd.h>

#include <system_error>

#include "dismake/base/error.h"
#include "dismake/base/files.h"
#include "tool_process.h"
#include "udf_extract.h"

namespace dismake {

namespace {

// Extracts the ISO 9660 side of `iso` into the existing, empty `into`.
ExtractedTree extract_iso9660_volume(const fs::path& iso, const fs::path& into) {
  ToolResult result = run_tool(
      {"xorriso", "-no_rc", "-abort_on", "FAILURE", "-return_with", "SORRY", "32", "-osirrox", "on",
       "-indev", "stdio:" + iso.string(), "-extract", "/", into.string()},
      {}, "xorriso");
  if (result.exit_code != 0)
    throw Error(hr::kFileCorrupt,
                "the ISO 9660 volume of " + iso.string() +
                    " cannot be read: xorriso says: " + tool_output_tail(result.output),
                "check the ISO (its size and checksum against where it came from)");
  // xorriso gives extracted files the image's permissions (often read-only).
  make_tree_writable(into);
  ExtractedTree tree;
  for (const auto& entry : fs::recursive_directory_iterator(into)) {
    if (!entry.is_regular_file()) continue;
    ++tree.files;
    tree.bytes += entry.file_size();
  }
  return tree;
}

// True when `dir` holds one file, README.TXT, and nothing else: what the
// ISO 9660 side of Microsoft's UDF media holds.
bool only_readme(const fs::path& dir) {
  int entries = 0;
  bool readme = false;
  for (const auto& entry : fs::directory_iterator(dir)) {
    ++entries;
    std::string name = entry.path().filename().string();
    for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    readme = readme || (name == "README.TXT" && entry.is_regular_file());
  }
  return entries == 1 && readme;
}

// Removes the tree at `path` (made writable first), if there is one.
void remove_tree(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(fs::symlink_status(path, ec))) return;
  make_tree_writable(path);
  fs::remove_all(path);
}

}  // namespace

MediaExtraction extract_media_image(const fs::path& iso, const fs::path& destination) {
  MediaExtraction result;
  result.volume = probe_media_image(iso);
  fs::create_directories(destination.parent_path());
  fs::path scratch = temporary_sibling(destination);
  fs::create_directory(scratch);
  try {
    std::string udf_failure;
    bool extracted = false;
    if (result.volume.has_udf) {
      try {
        ExtractedTree tree = extract_udf_volume(iso, scratch);
        result.format = MediaFormat::kUdf;
        result.files = tree.files;
        result.bytes = tree.bytes;
        extracted = true;
      } catch (const Error& e) {
        if (!result.volume.has_iso9660) throw;
        udf_failure = e.problem();
        remove_tree(scratch);
        fs::create_directory(scratch);
      }
    }
    if (!extracted) {
      ExtractedTree tree = extract_iso9660_volume(iso, scratch);
      if (only_readme(scratch))
        throw Error(
            hr::kNotSupported,
            iso.string() + " holds only README.TXT on its ISO 9660 side: its files are in a " +
                (result.volume.has_udf ? "UDF volume that cannot be read (" + udf_failure + ")"
                                       : "file system dismake does not read"),
            "give a complete ISO, or extract it with another tool and give the folder");
      result.format = MediaFormat::kIso9660;
      result.files = tree.files;
      result.bytes = tree.bytes;
    }
    if (result.files == 0)
      throw Error(hr::kNotSupported, iso.string() + " holds no files",
                  "give the ISO of an installation media");
    // The old tree goes only once the new one is complete.
    fs::path old = temporary_sibling(destination);
    std::error_code ec;
    bool had_old = fs::exists(fs::symlink_status(destination, ec));
    if (had_old) fs::rename(destination, old);
    rename_durable(scratch, destination);
    if (had_old) remove_tree(old);
  } catch (...) {
    remove_tree(scratch);
    throw;
  }
  return result;
}

}  // namespace dismake
