// The sandbox a `run` step's command executes in (bubblewrap, Debian's
// `bubblewrap`), the same whoever runs dismake, root included:
//   - its own user namespace with every capability dropped and no way to
//     make another one: it cannot mount, remount, load modules, ptrace,
//     chown to others or override file modes; it runs as the caller's uid,
//     so what it writes in the mount is owned as if the caller wrote it;
//   - a root made of read-only binds of the system only (/usr, /bin, /sbin,
//     /lib*, and /etc without its secrets: every entry the world may not
//     read is hidden), a private /tmp, a minimal /dev, its own /proc;
//   - its DEPENDS and its program (when found outside the system) read-only, the
//     mount directory read-write, and nothing else of the host: no home,
//     no $DISMAKE_HOME, no record directory (<mount>.dismake) of any
//     mount, no ~/.ssh, even where a DEPENDS directory holds them;
//   - its own PID, IPC, UTS and network namespaces (only a loopback
//     interface of its own) unless the step asks for the network; its own
//     session (no terminal injection); its processes die with it.
//
// DISMAKE_RUN_SANDBOX chooses what happens where bubblewrap cannot run
// (not installed, too old, or user namespaces disabled):
//   unset / "auto"  run unconfined, with a warning naming why;
//   "strict"        refuse the step (ERROR_NOT_SUPPORTED);
//   "off"           never confine, with a warning (for commands that must
//                   write elsewhere).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace dismake {

// What a confined command may reach besides the read-only system.
struct SandboxReach {
  // The only writable place (bound at its own path; the command starts there).
  std::filesystem::path mount_dir;
  // The mount's record directory: hidden, as every other mount's is.
  std::filesystem::path record_dir;
  // Files and directories bound read-only at their own paths (absolute).
  std::vector<std::filesystem::path> readable;
  // The host's network instead of a loopback interface of its own.
  bool network = false;
};

// The argv that runs `command` confined to `reach`; `command` itself when
// confinement is off or unavailable (after the warning). Throws Error
// ERROR_NOT_SUPPORTED in strict mode when bubblewrap cannot run,
// ERROR_ACCESS_DENIED when a readable path lies in a place run steps may not
// read (a record directory, $DISMAKE_HOME, ~/.ssh), E_INVALIDARG for a bad
// DISMAKE_RUN_SANDBOX.
std::vector<std::string> sandboxed_command(const std::vector<std::string>& command,
                                           const SandboxReach& reach);

}  // namespace dismake
