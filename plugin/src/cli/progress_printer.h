// Shows a long operation's progress on stderr: redrawn in place on a
// terminal, and as a line every few percent otherwise (under Ninja or in a
// CI log, where redrawing would only add noise).
#pragma once

#include <string>

#include "dismake/base/progress.h"

namespace dismake::cli {

// A ProgressFn printing "<label>: NN%"; `quiet` gives one that prints nothing.
ProgressFn progress_printer(const std::string& label, bool quiet);

}  // namespace dismake::cli
