// Windows compares file names case-insensitively, for all of Unicode, not
// only ASCII: "Документы" and "документы" are one directory in an image.
#pragma once

#include <string>

namespace dismake {

// `utf8` with every character upper-cased as Windows' name comparison does
// (towupper in the C.UTF-8 locale). Invalid UTF-8 bytes are kept as they are.
std::string fold_case(const std::string& utf8);

}  // namespace dismake
