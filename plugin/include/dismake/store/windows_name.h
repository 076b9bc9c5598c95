// The names Windows can store. A Linux file name may hold what no NTFS name
// can (`con`, `a:b`, `x.`, `*`, a control character, a backslash, bytes that
// are not UTF-8); such a name put into an image makes files Windows cannot
// open, or an alternate stream, or a directory, where a file was meant. So
// every name a step adds to an image is checked here first, and refused
// with the rule it breaks.
#pragma once

#include <string>
#include <vector>

namespace dismake {

// Throws ERROR_INVALID_NAME (ERROR_NO_UNICODE_TRANSLATION for bytes that are
// not UTF-8, ERROR_FILENAME_EXCED_RANGE past 255 UTF-16 units) naming
// `name`, what it is part of (`where`: a path, or a file on disk), and the
// rule it breaks.
void check_windows_name(const std::string& name, const std::string& where);

// check_windows_name() for every component of a '/'-separated image path.
void check_windows_path(const std::string& image_path, const std::string& where);

// One entry of a directory: its name, and whether it is a directory.
struct NamedEntry {
  std::string name;
  bool is_directory = false;
};

// Throws ERROR_ALREADY_EXISTS naming both when two of `entries` (of one
// directory, `where`) differ only in case and one is a file: Windows would
// see one name, and one file would silently replace the other. Two
// directories spelt two ways are one directory, their contents merged.
void check_no_case_collision(const std::vector<NamedEntry>& entries, const std::string& where);

}  // namespace dismake
