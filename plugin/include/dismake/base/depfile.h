// Ninja depfiles: how a build step tells Ninja which files it read, so the
// step runs again when one changes (directory inputs, media trees).
#pragma once

#include <filesystem>
#include <vector>

namespace dismake {

// Writes `depfile` (atomically) saying that `target` depends on each of
// `dependencies`, in the Makefile syntax Ninja reads: a space, '#' or '\'
// in a path gets a backslash, '$' is doubled.
void write_depfile(const std::filesystem::path& depfile, const std::filesystem::path& target,
                   const std::vector<std::filesystem::path>& dependencies);

}  // namespace dismake
