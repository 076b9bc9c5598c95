// Copies every file of an ISO's UDF volume into a folder with libudfread
// (Microsoft's media keep their files in UDF only).
#pragma once

#include <cstdint>
#include <filesystem>

namespace dismake {

struct ExtractedTree {
  std::uint64_t files = 0;
  std::uint64_t bytes = 0;
};

// Extracts the UDF volume of `iso` into the existing, empty folder `into`.
// Throws ERROR_FILE_CORRUPT when libudfread cannot open the volume or read
// a file, ERROR_INVALID_NAME for a name that would leave the folder.
ExtractedTree extract_udf_volume(const std::filesystem::path& iso,
                                 const std::filesystem::path& into);

}  // namespace dismake
