// Windows compares file names case-insensitively, for all of Unicode, not
// only ASCII: "Документы" and "документы" are one directory in an image.
//
// Registry key and value names are folded otherwise, in registry/hive.cpp, and
// on purpose: there a name must match as Windows' registry matches it (unit
// by unit in UTF-16, with hive.cpp's copy of Windows' upcase table, which
// leaves ı, ſ, µ and accented Greek as they are where towupper changes
// them), and a name that is not UTF-8 is refused, as it has to become
// UTF-16 in the hive. A path keeps its stray bytes instead: a Linux file
// name may hold any.
#pragma once

#include <string>

namespace dismake {

// `utf8` with every character upper-cased as Windows' name comparison does
// (towupper in the C.UTF-8 locale). Invalid UTF-8 bytes are kept as they are.
std::string fold_case(const std::string& utf8);

}  // namespace dismake
