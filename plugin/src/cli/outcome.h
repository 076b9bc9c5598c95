// The one-line outcome of a command ("ran (input overlay/app.ini changed)",
// "up to date", "mounted (first build)"), for the build's console: a build
// step's helper call prints it after the step's label (step_log.h), so that
// the console says what each step did while its full output stays in the
// step's log.
#pragma once

#include <filesystem>
#include <string>

namespace dismake::cli {

// Sets the outcome the command reports (the last call wins).
void report_outcome(const std::string& text);
// The reported outcome; "" when the command reported none.
const std::string& reported_outcome();

}  // namespace dismake::cli
