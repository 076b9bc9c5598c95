// The one-line outcome of a command ("ran (input overlay/app.ini changed)",
// "up to date", "mounted (first build)"), for the build's console. The
// CMake module's step script passes `--outcome <file>` before the verb and
// prints the file's line after the step's label, so that the console says
// what each step did while its full output stays in the step's log.
#pragma once

#include <filesystem>
#include <string>

namespace dismake::cli {

// Sets the outcome the command reports (the last call wins).
void report_outcome(const std::string& text);
// Writes the reported outcome, if any, to `file`.
void write_outcome(const std::filesystem::path& file);

}  // namespace dismake::cli
