// The status the dismake executable exits with. Most commands exit 0 when
// they did what was asked and 1 when they failed; `dismake diff` follows
// diff(1) instead, so that scripts can ask "do these images differ?":
// 0 the same, 1 different, 2 trouble (an error, or a bad command line).
#pragma once

namespace dismake::cli {

struct ExitStatus {
  int success = 0;  // when the command returns
  int failure = 1;  // when it throws, or its command line is refused
};

// The process's exit statuses, set by the command that runs (the last
// setting wins); main() exits with one of them.
ExitStatus& exit_status();

}  // namespace dismake::cli
