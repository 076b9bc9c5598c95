// The sandbox a `run` step's command executes in (bubblewrap, Debian's
// `bubblewrap`): the whole system is read-only, the mount directory is the
// only writable place, /tmp is a private empty tmpfs, the step's DEPENDS
// stay readable, and the command's processes die with it (own PID
// namespace). So a command cannot write on the host, nor rewrite the
// mount's record directory beside the mount.
//
// DISMAKE_RUN_SANDBOX chooses what happens where bubblewrap cannot run
// (not installed, or user namespaces disabled):
//   unset / "auto"  run unconfined, with a warning naming why;
//   "strict"        refuse the step (ERROR_NOT_SUPPORTED);
//   "off"           never confine (for commands that must write elsewhere).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace dismake {

// The argv that runs `command` confined to `mount_dir`, with `readable`
// bound read-only; `command` itself when confinement is off or unavailable
// (after the warning), or throws in strict mode.
std::vector<std::string> sandboxed_command(const std::vector<std::string>& command,
                                           const std::filesystem::path& mount_dir,
                                           const std::vector<std::filesystem::path>& readable);

}  // namespace dismake
