// Shows a long operation's progress on stderr: a bar redrawn in place on a
// terminal (a build's console-pool step writes to it directly), and
// elsewhere (a CI log, a pipe) a line when the operation starts, one every
// few seconds ($DISMAKE_PROGRESS_INTERVAL, default 5) and one when it ends,
// not a line per percent.
#pragma once

#include <string>

#include "dismake/base/progress.h"

namespace dismake::cli {

// A ProgressFn printing "<label>: NN%"; `quiet` gives one that prints nothing.
ProgressFn progress_printer(const std::string& label, bool quiet);

}  // namespace dismake::cli
