// Runs one of the Debian tools the media engine drives (xorriso, mtools,
// mkfs.fat) and keeps what it printed, so that its failure can be reported
// in dismake's words with the tool's own message attached.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace dismake {

struct ToolResult {
  int exit_code = 0;   // the tool's exit status; 128 + n when signal n killed it
  std::string output;  // stdout and stderr, interleaved
};

// Runs `argv` (argv[0] looked up in PATH) with `environment` added to ours,
// stdin from /dev/null. Throws ERROR_FILE_NOT_FOUND naming the tool and its
// Debian package `package` when it is not installed.
ToolResult run_tool(const std::vector<std::string>& argv,
                    const std::vector<std::pair<std::string, std::string>>& environment,
                    const std::string& package);

// The last `lines` non-empty lines of a tool's output, joined with "; ":
// where tools put their reason for failing.
std::string tool_output_tail(const std::string& output, int lines = 3);

}  // namespace dismake
